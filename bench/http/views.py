"""A stand-in for a cached price read (GET /api/prices answered from the cache).

It does what such a read costs: the DRF stack (JWT authentication class, content
negotiation, JSON rendering), a rate-limit counter increment (accounts.ratelimit.hit) and
one cache read of a ~25-row payload, no database query.
"""

from decimal import Decimal

from django.core.cache import cache
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.ratelimit import hit

CACHE_KEY = "bench:prices"
ROWS = 25


def seed_payload() -> dict:
    rows = [
        {
            "symbol": f"C{i:03d}",
            "coin_id": f"coin-{i}",
            "name": f"Coin {i}",
            "price": str(Decimal("43123.12345678") / (i + 1)),
            "market_cap": str(812345678901 // (i + 1)),
            "volume_24h": str(23456789012 // (i + 1)),
            "change_24h_pct": "-1.234",
            "as_of": "2026-11-24T02:00:00Z",
            "source": "coingecko",
        }
        for i in range(ROWS)
    ]
    return {"data": rows, "stale": False}


class CachedPricesView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        usage = hit("bench", f"ip:{request.META.get('REMOTE_ADDR')}", (1000000, 60), 1)
        payload = cache.get(CACHE_KEY)
        if payload is None:
            payload = seed_payload()
            cache.set(CACHE_KEY, payload, 3600)
        response = Response(payload)
        response["X-RateLimit-Remaining"] = str(1000000 - usage[0]) if usage else ""
        return response
