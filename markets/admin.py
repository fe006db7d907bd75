from django.contrib import admin

from markets.models import (
    Candle,
    Chain,
    Coin,
    GlobalSnapshot,
    HourlyPrice,
    LatestQuote,
    PriceSnapshot,
    Protocol,
    ProtocolTVLPoint,
    RollupState,
    TrendingSnapshot,
)


@admin.register(Coin)
class CoinAdmin(admin.ModelAdmin):
    list_display = ["symbol", "coin_id", "name", "market_cap_rank", "market_cap", "tracked", "binance_pair"]
    list_filter = ["tracked"]
    search_fields = ["coin_id", "symbol", "name"]
    ordering = ["market_cap_rank"]


class _SeriesAdmin(admin.ModelAdmin):
    """Time series: large tables, so no counting paginator and coins by raw id."""

    raw_id_fields = ["coin"]
    show_full_result_count = False
    date_hierarchy = "t"
    list_select_related = ["coin"]


@admin.register(PriceSnapshot)
class PriceSnapshotAdmin(_SeriesAdmin):
    list_display = ["coin", "vs", "t", "price", "market_cap", "source"]
    list_filter = ["vs", "source"]


@admin.register(LatestQuote)
class LatestQuoteAdmin(_SeriesAdmin):
    list_display = ["coin", "vs", "t", "price", "change_24h_pct", "source"]
    date_hierarchy = None


@admin.register(HourlyPrice)
class HourlyPriceAdmin(_SeriesAdmin):
    list_display = ["coin", "vs", "t", "open", "high", "low", "close", "samples", "source"]


@admin.register(Candle)
class CandleAdmin(_SeriesAdmin):
    list_display = ["coin", "interval", "t", "open", "high", "low", "close", "volume", "source"]
    list_filter = ["interval", "source"]


@admin.register(TrendingSnapshot)
class TrendingSnapshotAdmin(_SeriesAdmin):
    list_display = ["t", "rank", "coin", "score", "source"]


@admin.register(GlobalSnapshot)
class GlobalSnapshotAdmin(admin.ModelAdmin):
    list_display = ["t", "total_market_cap_usd", "total_volume_usd", "btc_dominance_pct", "source"]
    date_hierarchy = "t"


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "category", "tvl", "change_1d_pct", "as_of"]
    list_filter = ["category"]
    search_fields = ["slug", "name"]


@admin.register(ProtocolTVLPoint)
class ProtocolTVLPointAdmin(admin.ModelAdmin):
    list_display = ["protocol", "t", "tvl", "source"]
    raw_id_fields = ["protocol"]
    show_full_result_count = False


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ["name", "tvl", "token_symbol", "as_of", "source"]
    search_fields = ["name"]


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = ["name", "rolled_until"]
