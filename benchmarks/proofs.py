"""The CPU cost of each self-service proof with the production hasher (Argon2id 19 MiB, t=2, p=1),
in one process, without a database or a server: what a worker spends per attempt.

    .venv/bin/python benchmarks/proofs.py [--repeat 20]

A sign-in by security questions hashes one answer per question (3 by default): about three times a
password check. A mobile-device code costs no hash; a backup code costs up to one hash per unused
code (10). Figures go to benchmarks/README.md; nothing here is a pass/fail target.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import check_password, make_password  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402

settings.PASSWORD_HASHERS = ["accounts.hashers.PortailArgon2Hasher"]

from accounts.selfservice.models import (  # noqa: E402
    BACKUP_LENGTH,
    AuthenticatorDevice,
    RecoveryIdentity,
    SecurityAnswer,
)


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    password = make_password("une phrase de passe assez longue")
    answers = []
    for text in ("Pixel", "Gaspé", "Rouge"):
        answer = SecurityAnswer()
        answer.set_answer(text)
        answers.append(answer)
    identity = RecoveryIdentity(tenant_id=1)
    identity.set_pin("4321")
    identity.set_sin_digits("046454")
    device = AuthenticatorDevice(tenant_id=1)
    device.key = os.urandom(20)
    codes = [make_password("X" * BACKUP_LENGTH) for _ in range(10)]
    rows = {
        "password check": lambda: check_password("une phrase de passe assez longue", password),
        "3 security answers": lambda: [a.check_answer("x") for a in answers],
        "employee number + PIN": lambda: identity.check_pin("1234"),
        "identity data (SIN digest + one hash)": lambda: (identity.sin_matches("123456"), make_password("x")),
        "TOTP code (decrypt key + HMAC)": lambda: TOTP(device.key, 30, 0, 6, 0).verify(123456, 1),
        "backup code, worst case (10 unused)": lambda: [
            check_password("Y" * BACKUP_LENGTH, c) for c in codes
        ],
    }
    print(f"CPU ms per attempt (median of {repeat}), Argon2id 19 MiB t=2 p=1")
    for name, fn in rows.items():
        print(f"  {name:40s} {timed(fn, repeat):8.2f}")


if __name__ == "__main__":
    main()
