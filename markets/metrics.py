"""Gauges read when /metrics is scraped: circuit state and budget left per provider (from
the shared cache every process writes), and the newest stored data per kind (its age).
Registered with cryptodt.metrics from MarketsConfig.ready."""

from django.db.models import Max

from cryptodt.metrics import gauge
from markets.models import Candle, Chain, GlobalSnapshot, LatestQuote, Protocol, TrendingSnapshot
from markets.providers import breaker, budget
from markets.providers.registry import PROVIDERS

STATES = (breaker.CLOSED, breaker.HALF_OPEN, breaker.OPEN)


def provider_gauges():
    state = gauge(
        "cryptodt_provider_circuit_state", "1 for the circuit's current state, 0 for the others.", ["provider", "state"]
    )
    remaining = gauge(
        "cryptodt_provider_budget_remaining",
        "Requests (Binance: weight) left in the provider's budget window.",
        ["provider", "window"],
    )
    for name in PROVIDERS:
        current = breaker.read(name).state
        for option in STATES:
            state.add_metric([name, option], 1.0 if option == current else 0.0)
        for window, usage in budget.usage(name).items():
            if usage["limit"]:
                remaining.add_metric([name, window], max(0, usage["limit"] - usage["used"]))
    return [state, remaining]


def newest_by_kind() -> dict:
    return {
        "prices": LatestQuote.objects.aggregate(t=Max("t"))["t"],
        "global": GlobalSnapshot.objects.aggregate(t=Max("t"))["t"],
        "trending": TrendingSnapshot.objects.aggregate(t=Max("t"))["t"],
        "candles": Candle.objects.aggregate(t=Max("t"))["t"],
        "defi_protocols": Protocol.objects.aggregate(t=Max("as_of"))["t"],
        "defi_chains": Chain.objects.aggregate(t=Max("as_of"))["t"],
    }
