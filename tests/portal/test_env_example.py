import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read by libraries rather than by our settings, and documented in .env.example all the same.
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DJANGO_SETTINGS_MODULE"}


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        if path.name.startswith("bench"):
            continue
        source = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert read, "the pattern no longer finds the settings' variables"
    assert read - documented == set()
    assert documented - read - READ_BY_LIBRARIES == set()
