from django.contrib.auth.hashers import Argon2PasswordHasher


class PortailArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with OWASP's first recommended profile (19 MiB, t=2, p=1) instead of Django's
    100 MiB and p=8. On the 2-core machines this portal targets, Django's default allows about
    7 sign-ins per second; this profile keeps the memory-hard property while letting a vote's
    opening rush through. Raising the cost later re-hashes on the next sign-in (must_update)."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
