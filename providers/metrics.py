"""Gauges read when /metrics is scraped: each provider's circuit state and the budget it
has left, from the shared cache every process writes. Registered from ProvidersConfig.ready."""

from cryptodt.metrics import gauge
from providers import breaker, budget
from providers.registry import PROVIDERS

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
