"""The newest stored market data per kind, for /metrics' cryptodt_data_age_seconds.
Registered with cryptodt.metrics from MarketsConfig.ready."""

from django.db.models import Max

from markets.models import Candle, Chain, GlobalSnapshot, LatestQuote, Protocol, TrendingSnapshot


def newest_by_kind() -> dict:
    return {
        "prices": LatestQuote.objects.aggregate(t=Max("t"))["t"],
        "global": GlobalSnapshot.objects.aggregate(t=Max("t"))["t"],
        "trending": TrendingSnapshot.objects.aggregate(t=Max("t"))["t"],
        "candles": Candle.objects.aggregate(t=Max("t"))["t"],
        "defi_protocols": Protocol.objects.aggregate(t=Max("as_of"))["t"],
        "defi_chains": Chain.objects.aggregate(t=Max("as_of"))["t"],
    }
