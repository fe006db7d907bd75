"""Input serializers: every query parameter is checked here, a bad one is a 400 naming it."""

from rest_framework import serializers

from cryptodt.api.queries import COIN_ID, SLUG, DaysQuery, Moment, Query, Symbol, SymbolList, validated
from markets.models import INTERVALS

KNOWN_VS = (
    "usd eur gbp jpy chf cad aud nzd cny hkd sgd krw inr brl mxn rub try zar sek nok dkk pln btc eth bnb"
).split()

__all__ = ["DaysQuery", "Moment", "Symbol", "validated"]


def _vs():
    return serializers.ChoiceField(choices=KNOWN_VS, default="usd")


class PricesQuery(Query):
    symbols = SymbolList(required=False)
    ids = SymbolList(required=False, pattern=COIN_ID, what="coin id")
    vs = _vs()

    def validate(self, attrs):
        if bool(attrs.get("symbols")) == bool(attrs.get("ids")):
            raise serializers.ValidationError({"symbols": "Give either symbols=BTC,ETH or ids=bitcoin,ethereum."})
        return attrs


class MarketQuery(Query):
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)
    vs = _vs()


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
