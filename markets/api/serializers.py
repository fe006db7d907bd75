"""Input serializers: every query parameter is checked here, a bad one is a 400 naming it."""

from rest_framework import serializers

from cryptodt.api.queries import COIN_ID, SLUG, DaysQuery, Moment, Query, Symbol, SymbolList, validated
from markets.models import INTERVALS
from markets.selectors import COLLECTED_VS

KNOWN_VS = (
    "usd eur gbp jpy chf cad aud nzd cny hkd sgd krw inr brl mxn rub try zar sek nok dkk pln btc eth bnb"
).split()

__all__ = ["DaysQuery", "Moment", "Symbol", "validated"]


def _vs():
    return serializers.ChoiceField(choices=KNOWN_VS, default="usd")


class PricesQuery(Query):
    """symbols=, ids= or both (the coins of either); neither: the DEFAULT_COINS largest
    tracked coins. Every combination the document allows has an answer."""

    symbols = SymbolList(required=False, help_text="Tickers, e.g. BTC,ETH.")
    ids = SymbolList(required=False, pattern=COIN_ID, what="coin id", help_text="Coin ids, e.g. bitcoin,ethereum.")
    vs = _vs()


DEFAULT_COINS = 10


class MarketQuery(Query):
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)
    # The listing is collected in these currencies only; the document lists just them.
    vs = serializers.ChoiceField(choices=list(COLLECTED_VS), default="usd")


class OHLCVQuery(Query):
    symbol = Symbol()
    interval = serializers.ChoiceField(choices=INTERVALS, default="1h")
    start = Moment(required=False)
    end = Moment(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=500)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": "start must not be after end."})
        return attrs


class HistoryQuery(Query):
    symbol = Symbol()
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    resolution = serializers.ChoiceField(choices=["raw", "hourly", "daily", "auto"], default="auto")
    vs = _vs()


class ProtocolsQuery(Query):
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)
    chain = serializers.RegexField(SLUG, max_length=100, required=False)
    category = serializers.RegexField(SLUG, max_length=100, required=False)
