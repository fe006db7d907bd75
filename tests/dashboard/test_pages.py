"""The dashboard's pages through Django's test client (the browser test drives the rest)."""

import pytest

from accounts import services as accounts_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user(username="ada", password="correct-Horse-battery-9")
    return accounts_services.api_key_issue(user=user, name="dashboard").key


def test_a_fresh_install_shows_every_panel_as_not_collected_yet(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Not collected yet") >= 8
    assert "<table" not in html.split('id="providers-title"')[0]  # no coin table without coins
    assert client.get("/coins/btc").status_code == 404


def test_the_overview_renders_the_stored_market(client, listing):
    html = client.get("/").content.decode()
    assert '<tr data-symbol="BTC">' in html
    assert "$65,000.12" in html
    assert "$1.28T" in html
    assert '<th scope="col" class="num">Price</th>' in html
    assert '<a href="/coins/eth">' in html


def test_the_coin_page_carries_its_first_chart_data(client, listing):
    response = client.get("/coins/BTC")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-data"' in html
    assert "lightweight-charts.standalone.production.js" in html
    assert "Not collected yet — no candles stored" in html  # no candles yet: the note shows
    assert response.context["chart"]["symbol"] == "BTC"


def test_without_anonymous_reads_the_page_asks_for_a_key_and_shows_nothing(client, listing, settings, api_key):
    settings.ANON_READS = False
    locked = client.get("/")
    assert locked.status_code == 401
    html = locked.content.decode()
    assert 'id="key-form"' in html
    assert "65,000" not in html
    assert client.get("/", HTTP_X_API_KEY="cdt_000000000000_wrong").status_code == 401
    opened = client.get("/", HTTP_X_API_KEY=api_key)
    assert opened.status_code == 200
    assert "$65,000.12" in opened.content.decode()


def test_a_page_load_is_one_request_of_the_limit(client, settings, rate_clock):
    settings.RATE_ANON = "2/m"
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    limited = client.get("/")
    assert "Too many requests" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0


def test_the_charting_library_ships_with_its_licence():
    from django.contrib.staticfiles import finders

    vendored = "dashboard/vendor/lightweight-charts-5.2.1/"
    assert finders.find(vendored + "lightweight-charts.standalone.production.js")
    licence = open(finders.find(vendored + "LICENSE")).read()
    assert "Apache License" in licence


@pytest.mark.parametrize("symbol", ["%00", "x" * 5000, "%C3%9F", "..%2F..%2Fetc", "%ED%A0%80", "BTC%0A"])
def test_a_hostile_coin_symbol_is_a_404_page_not_an_error(client, listing, symbol):
    response = client.get(f"/coins/{symbol}")
    assert response.status_code == 404
    if "%2F" not in symbol:  # a slash leaves the coin page's pattern: Django's own 404
        assert "No such coin" in response.content.decode()


def test_after_an_exchange_tick_without_market_cap_the_table_keeps_the_listings(client, listing):
    from datetime import UTC, datetime
    from decimal import Decimal

    from markets.services import ingest
    from providers.records import Quote

    tick = Quote(coin_id="bitcoin", symbol="BTC", price=Decimal("65100"), as_of=datetime.now(UTC), source="binance")
    ingest.ingest_quotes(quotes=[tick], source="binance")
    html = client.get("/").content.decode()
    assert "$65,100.00" in html
    assert "$1.28T" in html
