"""Query parameters of the CoinGecko-compatible surface, with CoinGecko's names and defaults."""

import re

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cryptodt.api.queries import NOT_BLANK
from markets.api.coingecko.selectors import MARKET_ORDERS, PRICE_CHANGE_WINDOWS
from markets.api.serializers import KNOWN_VS

COIN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
_SYMBOL = re.compile(r"^[A-Za-z0-9$._-]{1,40}$")
_CURRENCY = re.compile(r"^[a-z]{2,10}$")
# Contract addresses: hex (EVM), base58 (Solana), dotted or colon forms (NEAR, Hedera, Cardano).
_ADDRESS = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
MAX_DAYS = 3650
# The document's patterns for the rules below, so schema-valid input is accepted: 1..MAX_DAYS
# or max; a day-month-year date (days 29-31 are checked by the server only, so the pattern
# stops at 28 rather than admit 31-02); a list of CoinGecko's windows.
DAYS_PATTERN = r"^(max|[1-9][0-9]{0,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)$"
DATE_PATTERN = r"^(0[1-9]|1[0-9]|2[0-8])-(0[1-9]|1[0-2])-[1-9][0-9]{3}$"


class CommaList(serializers.CharField):
    """CoinGecko's comma-separated lists (``bitcoin,ethereum``); blanks around items are dropped."""

    def __init__(self, *, pattern: re.Pattern, max_items: int, lower: bool = False, **kwargs):
        self.pattern, self.max_items, self.lower = pattern, max_items, lower
        super().__init__(max_length=max_items * 125, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        items = [item.strip() for item in text.split(",") if item.strip()]
        items = [item.lower() for item in items] if self.lower else items
        if not items:
            raise serializers.ValidationError("empty", code="required")
        if len(items) > self.max_items:
            raise serializers.ValidationError(f"at most {self.max_items} values")
        for item in items:
            if not self.pattern.match(item):
                raise serializers.ValidationError(f"{item[:50]!r} is not valid")
        return list(dict.fromkeys(items))


class CommaListExtension(OpenApiSerializerFieldExtension):
    """The document's pattern of a CommaList: up to max_items of its item pattern, comma-separated
    (lower-case items where the server lower-cases them anyway), so a schema-valid list is accepted."""

    target_class = "markets.api.coingecko.serializers.CommaList"

    def map_serializer_field(self, auto_schema, direction):
        one = self.target.pattern.pattern.removeprefix("^").removesuffix("$")
        return {"type": "string", "pattern": f"^{one}(,{one}){{0,{self.target.max_items - 1}}}$"}


@extend_schema_field({"type": "string", "pattern": "^({0})(,({0})){{0,6}}$".format("|".join(PRICE_CHANGE_WINDOWS))})
class WindowList(CommaList):
    pass


@extend_schema_field({"type": "string", "pattern": DATE_PATTERN})
class Day(serializers.RegexField):
    pass


@extend_schema_field({"type": "string", "enum": ["usd"]})
class UsdOnly(serializers.ChoiceField):
    """OHLC: candles are stored in usd only (validate_vs_currency says so to other currencies)."""


@extend_schema_field({"type": "string", "pattern": NOT_BLANK})
class Text(serializers.CharField):
    """Free text: DRF trims it, refuses it blank and refuses a NUL character; the document
    says so (a blank search query is the pattern's other branch, added by drf-spectacular)."""


@extend_schema_field({"type": "string", "pattern": DAYS_PATTERN})
class Days(serializers.Field):
    """A whole number of days or ``max`` (everything stored, up to MAX_DAYS)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 10:
            raise serializers.ValidationError(f"days must be 1 to {MAX_DAYS} or max")
        text = data.strip().lower()
        if text == "max":
            return MAX_DAYS
        if not re.fullmatch(r"\d{1,5}", text) or not 1 <= int(text) <= MAX_DAYS:
            raise serializers.ValidationError(f"days must be 1 to {MAX_DAYS} or max")
        return int(text)


def _vs_currency():
    return serializers.ChoiceField(choices=KNOWN_VS)


class _Query(serializers.Serializer):
    def to_internal_value(self, data):
        data = data.copy() if hasattr(data, "copy") else dict(data)
        if isinstance(data.get("vs_currency"), str):
            data["vs_currency"] = data["vs_currency"].strip().lower()
        return super().to_internal_value(data)


class TokenPriceQuery(_Query):
    contract_addresses = CommaList(pattern=_ADDRESS, max_items=100)
    vs_currencies = CommaList(pattern=_CURRENCY, max_items=50, lower=True)
    include_market_cap = serializers.BooleanField(default=False)
    include_24hr_vol = serializers.BooleanField(default=False)
    include_24hr_change = serializers.BooleanField(default=False)
    include_last_updated_at = serializers.BooleanField(default=False)


class AssetPlatformsQuery(_Query):
    filter = serializers.ChoiceField(choices=["nft"], required=False)

    def validate_filter(self, value):
        raise serializers.ValidationError("filter=nft is not served: cryptodt keeps no NFT directory")


class SimplePriceQuery(_Query):
    ids = CommaList(pattern=COIN_ID, max_items=250, lower=True, required=False)
    symbols = CommaList(pattern=_SYMBOL, max_items=250, required=False)
    vs_currencies = CommaList(pattern=_CURRENCY, max_items=50, lower=True)
    include_market_cap = serializers.BooleanField(default=False)
    include_24hr_vol = serializers.BooleanField(default=False)
    include_24hr_change = serializers.BooleanField(default=False)
    include_last_updated_at = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if not attrs.get("ids") and not attrs.get("symbols"):
            raise serializers.ValidationError({"ids": serializers.ErrorDetail("missing", code="required")})
        return attrs


class CoinsListQuery(_Query):
    include_platform = serializers.BooleanField(default=False)


class MarketsQuery(_Query):
    vs_currency = _vs_currency()
    ids = CommaList(pattern=COIN_ID, max_items=250, lower=True, required=False)
    category = Text(required=False, max_length=100)
    order = serializers.ChoiceField(choices=list(MARKET_ORDERS), default="market_cap_desc")
    per_page = serializers.IntegerField(min_value=1, max_value=250, default=100)
    page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    sparkline = serializers.BooleanField(default=False)
    price_change_percentage = WindowList(
        pattern=re.compile(r"^[a-z0-9]{1,4}$"), max_items=7, lower=True, required=False
    )

    def validate_price_change_percentage(self, windows):
        unknown = [w for w in windows if w not in PRICE_CHANGE_WINDOWS]
        if unknown:
            raise serializers.ValidationError(f"use {','.join(PRICE_CHANGE_WINDOWS)}")
        return windows

    def validate_category(self, category):
        return category.strip() or None


class MarketChartQuery(_Query):
    vs_currency = _vs_currency()
    days = Days()
    interval = serializers.ChoiceField(choices=["daily", "hourly"], required=False)


class OHLCQuery(_Query):
    vs_currency = UsdOnly(choices=KNOWN_VS)
    days = Days()

    def validate_vs_currency(self, vs):
        if vs != "usd":
            raise serializers.ValidationError("candles are stored in usd only")
        return vs


def validated(serializer_class: type[serializers.Serializer], request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SearchQuery(_Query):
    query = Text(max_length=100, allow_blank=True)


class HistoryQuery(_Query):
    date = Day(r"^\d{2}-\d{2}-\d{4}$", max_length=10)
    localization = serializers.BooleanField(default=True)


class RangeQuery(_Query):
    vs_currency = _vs_currency()
    # CoinGecko's names; ``from`` is a Python keyword, so the fields are added below.

    def validate(self, attrs):
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": "from must not be after to"})
        return attrs


RangeQuery._declared_fields["from"] = serializers.IntegerField(min_value=0, max_value=4_102_444_800)
RangeQuery._declared_fields["to"] = serializers.IntegerField(min_value=0, max_value=4_102_444_800)


class CoinQuery(_Query):
    localization = serializers.BooleanField(default=True)
    tickers = serializers.BooleanField(default=True)
    market_data = serializers.BooleanField(default=True)
    community_data = serializers.BooleanField(default=True)
    developer_data = serializers.BooleanField(default=True)
    sparkline = serializers.BooleanField(default=False)
    include_categories_details = serializers.BooleanField(default=False)
    dex_pair_format = serializers.ChoiceField(choices=["contract_address", "symbol"], required=False)


class CategoriesQuery(_Query):
    order = serializers.ChoiceField(
        choices=[
            "market_cap_desc",
            "market_cap_asc",
            "name_desc",
            "name_asc",
            "market_cap_change_24h_desc",
            "market_cap_change_24h_asc",
        ],
        default="market_cap_desc",
    )


class TickersQuery(_Query):
    exchange_ids = Text(required=False, max_length=1000)
    include_exchange_logo = serializers.BooleanField(default=False)
    page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    order = serializers.ChoiceField(
        choices=["trust_score_desc", "trust_score_asc", "volume_desc", "volume_asc"], required=False
    )
    depth = serializers.BooleanField(default=False)
    dex_pair_format = serializers.ChoiceField(choices=["contract_address", "symbol"], required=False)


class ExchangesQuery(_Query):
    per_page = serializers.IntegerField(min_value=1, max_value=250, default=100)
    page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)


class ExchangesListQuery(_Query):
    status = serializers.ChoiceField(choices=["active", "inactive"], default="active")
