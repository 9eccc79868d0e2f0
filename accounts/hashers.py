import argon2
from argon2.exceptions import VerificationError
from django.contrib.auth.hashers import Argon2PasswordHasher

# argon2's verify() reads every parameter from the hash itself: one instance serves every hash.
_VERIFIER = argon2.PasswordHasher()
# must_update's answers, by what they depend on (below); a handful of profiles at most.
_MUST_UPDATE: dict[tuple, bool] = {}
MOST_PROFILES = 64


class PortailArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with OWASP's first recommended profile (19 MiB, t=2, p=1) instead of Django's
    100 MiB and p=8. On the 2-core machines this portal targets, Django's default allows about
    7 sign-ins per second; this profile keeps the memory-hard property while letting a vote's
    opening rush through. Raising the cost later re-hashes on the next sign-in (must_update).

    Django's own `verify` imports argon2 and builds a `PasswordHasher` at every check, and its
    `must_update` decodes the whole hash (salt included) and builds the profile's parameters again:
    both run at every sign-in (benchmarks/README.md, "Sign-in: the floor of a Django sign-in"). Here
    one verifier serves every hash, and must_update's answer is kept by what it depends on: the hash's
    variety, version and costs, the lengths of its salt and digest, and this class's profile."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def verify(self, password, encoded):
        algorithm, rest = encoded.split("$", 1)
        assert algorithm == self.algorithm
        try:
            return _VERIFIER.verify("$" + rest, password)
        except VerificationError:
            return False

    def must_update(self, encoded):
        parts = encoded.split("$")
        if len(parts) != 6:  # not argon2$<variety>$v=<version>$<costs>$<salt>$<digest>: Django decides
            return super().must_update(encoded)
        _algorithm, variety, version, costs, salt, digest = parts
        profile = (self.time_cost, self.memory_cost, self.parallelism, self.salt_entropy)
        key = (variety, version, costs, len(salt), len(digest), profile)
        answer = _MUST_UPDATE.get(key)
        if answer is None:
            answer = super().must_update(encoded)
            if len(_MUST_UPDATE) >= MOST_PROFILES:
                _MUST_UPDATE.clear()
            _MUST_UPDATE[key] = answer
        return answer
