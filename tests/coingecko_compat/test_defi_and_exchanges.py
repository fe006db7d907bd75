"""/api/v3/global/decentralized_finance_defi (collected hourly), and the tickers of a coin no
exchange cryptodt asks lists (CoinGecko's answer where it has none); the exchange directory is
tests/coingecko_compat/test_exchanges.py, stored tickers test_tickers.py."""

import json

import pytest

from markets.services import collect
from tests.coingecko_compat.conftest import digits15
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
DEFI = "coingecko/global_defi.json"  # CoinGecko's spec example, its 70-digit strings included


def test_defi_figures_come_back_digit_for_digit_as_coingecko_sent_them(api, upstream, own_fixture, db):
    upstream("coingecko").script("/global/decentralized_finance_defi", Reply(own_fixture(DEFI)))
    assert collect.collect_global_defi().ok
    body = api.get("/api/v3/global/decentralized_finance_defi").json()
    assert digits15(body) == digits15(json.loads(own_fixture(DEFI)))  # the strings exactly; the one number to 15 digits


def test_defi_before_any_collection_is_a_503(api, db):
    assert api.get("/api/v3/global/decentralized_finance_defi").status_code == 503


def test_defi_figures_that_are_not_numbers_are_rejected(upstream, db):
    body = b'{"data": {"defi_market_cap": "lots", "eth_market_cap": "1", "defi_to_eth_ratio": "1",'
    body += b' "trading_volume_24h": "1", "defi_dominance": "1", "top_coin_name": "X", "top_coin_defi_dominance": 1}}'
    upstream("coingecko").script("/global/decentralized_finance_defi", Reply(body))
    assert not collect.collect_global_defi().ok


def test_tickers_of_a_coin_no_exchange_quoted_are_coingeckos_empty_list(api, listing):
    assert api.get("/api/v3/coins/bitcoin/tickers").json() == {"name": "Bitcoin", "tickers": []}


def test_tickers_of_an_unknown_coin_are_a_404(api, db):
    assert api.get("/api/v3/coins/nope/tickers").status_code == 404
