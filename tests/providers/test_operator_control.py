"""Operators steer providers from the admin; the environment gives the defaults."""

import pytest

from providers import config, stats, strategy
from providers.models import CapabilitySetting, ProviderSetting
from providers.registry import PROVIDERS

pytestmark = pytest.mark.timeout(30)


def changed(**_):
    config.forget()


def test_the_default_orders_follow_the_free_tier_plan():
    assert strategy.ordered("prices") == [
        *("binance", "coingecko", "defillama_prices", "coinpaprika", "coincap", "kraken", "coinbase")
    ]
    assert strategy.ordered("markets") == ["coingecko", "coinpaprika", "coincap"]
    assert strategy.ordered("candles") == ["binance", "kraken", "coinbase", "coingecko"]
    assert strategy.ordered("price_history") == ["coingecko", "binance", "kraken", "coinbase"]
    assert strategy.ordered("fear_greed") == ["alternative_me"]


@pytest.fixture(autouse=True)
def _short_orders(request, settings):
    """The steering tests below reason about a few providers, not the whole default list."""
    if request.node.name == "test_the_default_orders_follow_the_free_tier_plan":
        return
    settings.PROVIDER_ORDER = {
        **settings.PROVIDER_ORDER,
        "prices": ["binance", "coingecko", "coincap", "kraken"],
        "markets": ["coingecko", "coincap"],
        "candles": ["binance", "kraken", "coingecko"],
    }
    changed()


def test_the_environment_can_disable_a_provider(settings):
    settings.PROVIDERS_DISABLED = ["binance"]
    changed()
    assert strategy.ordered("prices") == ["coingecko", "coincap", "kraken"]


def test_a_disabled_provider_is_skipped():
    ProviderSetting.objects.create(name="coingecko", enabled=False)
    changed()
    assert strategy.ordered("markets") == ["coincap"]


def test_priority_moves_a_provider_ahead_everywhere():
    ProviderSetting.objects.create(name="kraken", priority=1)
    changed()
    assert strategy.ordered("prices")[0] == "kraken"
    assert strategy.ordered("candles") == ["kraken", "binance", "coingecko"]


def test_a_capability_order_set_in_the_admin_wins_over_the_default():
    CapabilitySetting.objects.create(capability="markets", order="coincap, coingecko")
    changed()
    assert strategy.ordered("markets") == ["coincap", "coingecko"]


def test_a_capability_order_with_an_unknown_provider_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        CapabilitySetting(capability="markets", order="coingecko,nope").full_clean()


def test_round_robin_rotates_the_first_provider():
    CapabilitySetting.objects.create(capability="candles", strategy="round_robin")
    changed()
    firsts = [strategy.ordered("candles")[0] for _ in range(4)]
    assert firsts == ["binance", "kraken", "coingecko", "binance"]


def test_fastest_prefers_the_lowest_average_latency_among_healthy_providers(settings):
    from providers import breaker

    CapabilitySetting.objects.create(capability="prices", strategy="fastest")
    changed()
    for name, ms in (("binance", 300), ("coingecko", 80), ("coincap", 120), ("kraken", 20)):
        stats.record_latency(name, ms)
    settings.PROVIDER_BREAKER_FAILURES = 1
    breaker.record_failure("kraken")  # fastest, but its circuit is open
    assert strategy.ordered("prices") == ["coingecko", "coincap", "binance", "kraken"]


def test_least_used_prefers_the_emptiest_budget():
    from providers import budget

    CapabilitySetting.objects.create(capability="markets", strategy="least_used")
    changed()
    for _ in range(10):
        budget.spend("coingecko", "coins/markets")
    assert strategy.ordered("markets") == ["coincap", "coingecko"]


def test_an_api_key_set_in_the_admin_overrides_the_environment(settings):
    settings.COINGECKO_API_KEY = "from-env"
    assert PROVIDERS["coingecko"].headers() == {"x-cg-demo-api-key": "from-env"}
    ProviderSetting.objects.create(name="coingecko", api_key="from-admin")
    changed()
    assert PROVIDERS["coingecko"].headers() == {"x-cg-demo-api-key": "from-admin"}


def test_an_admin_change_applies_without_a_restart(admin_client):
    response = admin_client.post(
        "/admin/providers/providersetting/add/",
        {"name": "coincap", "enabled": "", "priority": 100, "api_key": ""},
    )
    assert response.status_code == 302
    assert strategy.ordered("markets") == ["coingecko"]


def test_the_admin_lists_provider_and_capability_settings(admin_client):
    ProviderSetting.objects.create(name="coingecko")
    CapabilitySetting.objects.create(capability="prices")
    assert admin_client.get("/admin/providers/providersetting/").status_code == 200
    assert admin_client.get("/admin/providers/capabilitysetting/").status_code == 200


def test_the_admin_never_shows_a_stored_api_key_and_keeps_it_when_left_blank(admin_client):
    row = ProviderSetting.objects.create(name="coingecko", api_key="CG-secret-key")
    page = admin_client.get(f"/admin/providers/providersetting/{row.pk}/change/")
    assert b"CG-secret-key" not in page.content
    form = {"name": "coingecko", "enabled": "on", "priority": 5, "api_key": ""}
    assert admin_client.post(f"/admin/providers/providersetting/{row.pk}/change/", form).status_code == 302
    row.refresh_from_db()
    assert row.api_key == "CG-secret-key" and row.priority == 5
    form["clear_api_key"] = "on"
    admin_client.post(f"/admin/providers/providersetting/{row.pk}/change/", form)
    row.refresh_from_db()
    assert row.api_key == ""


def test_order_budget_and_api_key_changed_in_the_admin_apply_without_a_restart(admin_client):
    from providers import budget

    added = admin_client.post(
        "/admin/providers/providersetting/add/",
        {"name": "coingecko", "enabled": "on", "priority": 100, "budget_per_minute": 7, "api_key": "admin-key"},
    )
    assert added.status_code == 302
    ordered = admin_client.post(
        "/admin/providers/capabilitysetting/add/",
        {"capability": "markets", "strategy": "priority", "order": "coincap,coingecko"},
    )
    assert ordered.status_code == 302
    assert strategy.ordered("markets") == ["coincap", "coingecko"]
    assert budget.usage("coingecko")["per_minute"]["limit"] == 7
    assert PROVIDERS["coingecko"].headers() == {"x-cg-demo-api-key": "admin-key"}


def test_an_api_key_from_the_admin_is_stored_encrypted_and_read_back_plain(db):
    from django.db import connection

    row = ProviderSetting.objects.create(name="coingecko", api_key="CG-secret-key")
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM providers_providersetting WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert "CG-secret-key" not in stored
    assert ProviderSetting.objects.get(pk=row.pk).api_key == "CG-secret-key"


def test_a_key_sealed_under_another_secret_key_reads_as_unset(db, settings):
    row = ProviderSetting.objects.create(name="coingecko", api_key="CG-secret-key")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert ProviderSetting.objects.get(pk=row.pk).api_key == ""
