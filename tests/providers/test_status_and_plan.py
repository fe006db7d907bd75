"""/api/providers, the readiness check and the budget plan."""

import pytest

from providers import breaker, budget, stats
from providers.plan import plan_schedule


def test_providers_endpoint_lists_every_provider_with_its_health(api):
    stats.record_latency("coingecko", 120.0)
    stats.record_latency("coingecko", 80.0)
    stats.record_latency("coingecko", 100.0)
    stats.record_success("coingecko")
    budget.spend("coingecko", "coins/markets")
    stats.record_error("kraken", "Ticker", "HTTP 503", invalid_payload=False)
    response = api.get("/api/providers")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["data"]}
    assert set(rows) == {
        *("coingecko", "coincap", "coinpaprika", "defillama_prices", "binance", "kraken", "coinbase"),
        *("defillama", "alternative_me", "coindesk", "rss"),
    }
    gecko = rows["coingecko"]
    assert gecko["state"] == "closed" and gecko["enabled"] is True
    assert gecko["latency_ms_p50"] == 100.0 and gecko["last_success"].endswith("Z")
    assert gecko["budget"]["per_minute"] == {"used": 1, "limit": 30}
    assert gecko["budget"]["per_month"] == {"used": 1, "limit": 10_000}
    assert "markets" in gecko["capabilities"] and "prices" in gecko["capabilities"]
    assert rows["kraken"]["last_error"]["reason"] == "HTTP 503"
    assert rows["kraken"]["last_error"]["endpoint"] == "Ticker"
    assert rows["binance"]["budget"]["per_month"]["limit"] is None


def test_providers_endpoint_shows_an_open_circuit(api, settings):
    settings.PROVIDER_BREAKER_FAILURES = 1
    breaker.record_failure("defillama")
    rows = {row["name"]: row for row in api.get("/api/providers").json()["data"]}
    assert rows["defillama"]["state"] == "open"


def test_providers_endpoint_is_read_only(api, django_user_model):
    api.force_authenticate(django_user_model.objects.create_user(username="operator", password="x-Long-pass-99"))
    assert api.post("/api/providers", {}, format="json").status_code == 405


def test_readiness_reports_each_provider_and_a_stranded_capability(api, settings):
    body = api.get("/api/health/ready").json()
    assert body["checks"]["providers"]["ok"] is True
    assert body["checks"]["providers"]["providers"]["binance"]["state"] == "closed"
    settings.PROVIDER_BREAKER_FAILURES = 1
    breaker.record_failure("alternative_me")
    check = api.get("/api/health/ready").json()["checks"]["providers"]
    assert check["ok"] is False and "fear_greed" in check["detail"]


def test_a_default_install_tracking_1000_coins_stays_within_every_free_tier(settings):
    settings.TRACKED_COINS = 1000
    settings.COLLECT_INTERVAL_S = 300
    plan = plan_schedule()
    assert plan.fits, plan.providers
    for load in plan.providers.values():
        assert load.per_minute <= load.per_minute_limit
        assert load.per_month_limit is None or load.per_month <= load.per_month_limit
    # Live prices still refresh every cycle; CoinGecko's pages are spaced out to fit the month.
    assert plan.tasks["prices"].interval_s == 300
    assert plan.tasks["markets"].calls == {"coingecko": 4}
    assert plan.tasks["markets"].interval_s % 300 == 0 and plan.tasks["markets"].interval_s > 300
    assert plan.providers["coingecko"].per_month <= 10_000 * settings.PROVIDER_PLAN_SHARE


@pytest.mark.parametrize("coins, interval", [(1, 30), (250, 300), (1000, 60), (5000, 300)])
def test_the_plan_fits_for_other_sizes_and_cadences(coins, interval):
    budgets = {"coingecko": (30, 10_000), "binance": (6000, None), "kraken": (60, None)}
    budgets |= {"coincap": (200, None), "defillama": (300, None), "alternative_me": (60, None)}
    assert plan_schedule(tracked_coins=coins, collect_interval_s=interval, budgets=budgets).fits


def test_a_tiny_monthly_budget_stretches_every_coingecko_task():
    budgets = {"coingecko": (30, 500), "binance": (6000, None)}
    plan = plan_schedule(tracked_coins=250, collect_interval_s=300, budgets=budgets)
    assert plan.fits and plan.tasks["global"].interval_s > 3600


def test_readiness_says_whether_the_schedule_fits_the_budgets(api, settings):
    check = api.get("/api/health/ready").json()["checks"]["provider_budgets"]
    assert check["ok"] is True and check["intervals_s"]["prices"] == settings.COLLECT_INTERVAL_S
    settings.PROVIDER_BUDGETS = dict(settings.PROVIDER_BUDGETS, coingecko=(1, 10_000))
    from providers import config

    config.forget()
    check = api.get("/api/health/ready").json()["checks"]["provider_budgets"]
    assert check["ok"] is False and "coingecko" in check["detail"]
