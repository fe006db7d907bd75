"""cryptodt.cache.RedisCache (django-redis) keeps Django's cache semantics (scale-out profile only)."""

import os
import uuid

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL (scale-out profile; CI's second pass starts Redis)",
)


def test_incr_counts_up_an_existing_key():
    cache, key = caches["default"], f"incr:{uuid.uuid4().hex}"
    cache.set(key, 5, 60)
    assert cache.incr(key) == 6
    assert cache.incr(key, 10) == 16
    assert cache.get(key) == 16


def test_incr_of_a_missing_key_raises_and_creates_nothing():
    cache, key = caches["default"], f"incr:{uuid.uuid4().hex}"
    with pytest.raises(ValueError):
        cache.incr(key)
    assert cache.get(key) is None


def test_incr_keeps_the_keys_expiry():
    cache, key = caches["default"], f"incr:{uuid.uuid4().hex}"
    cache.add(key, 0, 60)
    cache.incr(key)
    ttl = cache.ttl(key)
    assert 0 < ttl <= 60
