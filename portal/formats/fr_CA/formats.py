"""Django's fr_CA formats, with the hour mark escaped: Django 5.2 writes "H\xa0h\xa0i", where an
unescaped "h" is the 12-hour hour, so 14:09 read "14 02 09". The rest comes from Django's module."""

TIME_FORMAT = "H\xa0\\h\xa0i"  # 14 h 09
DATETIME_FORMAT = "j F Y, H\xa0\\h\xa0i"  # 15 janvier 2026, 14 h 09
SHORT_DATETIME_FORMAT = "Y-m-d H\xa0\\h\xa0i"  # 2026-01-15 14 h 09
