"""The Redis cache of production keeps one client per pool (portal/cache.py) and behaves as Django's."""

import os

import pytest

from tests.conftest import require_service


@pytest.fixture
def redis_cache():
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        require_service("CELERY_BROKER_URL is not set: no Redis for the cache test")
    from portal.cache import PortailRedisCache

    url = broker.rsplit("/", 1)[0] + "/13"
    cache = PortailRedisCache(url, {"KEY_PREFIX": "portail-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_values_round_trip_and_one_client_serves_every_call(redis_cache):
    redis_cache.set("a", {"n": 1}, 30)
    assert redis_cache.get("a") == {"n": 1}
    assert redis_cache.add("b", 1, 30) and not redis_cache.add("b", 2, 30)
    assert redis_cache.incr("b") == 2
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client() is client
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
