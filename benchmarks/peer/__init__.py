"""The peer of benchmarks/run.py: a plain Django site with sessions, auth, CSRF, messages and one
template, nothing of Portail. What a signed-in page costs on Django alone, served like the portal."""
