"""CoinGecko (https://docs.coingecko.com/v3.0.1/reference/introduction).

Keyless and demo keys share api.coingecko.com (demo key in ``x-cg-demo-api-key``); a pro
key goes to pro-api.coingecko.com in ``x-cg-pro-api-key``. ``precision=full`` asks for
every digit CoinGecko has.

The client and its price parsers (simple/price, coins/markets) live here; the other answers
are read by ``coingecko_coins`` (coin list, profile), ``coingecko_history`` (OHLC, market
chart), ``coingecko_overview`` (trending, global, exchange rates), ``coingecko_catalog``
(categories, platforms, DeFi) and ``coingecko_exchanges``.
"""

from dataclasses import replace
from datetime import timedelta

from django.conf import settings

from providers.base import Provider, batched
from providers.coingecko_catalog import parse_asset_platforms, parse_categories, parse_global_defi
from providers.coingecko_coins import parse_coin_list, parse_coin_profile
from providers.coingecko_exchanges import fetch_exchanges
from providers.coingecko_history import parse_market_chart, parse_ohlc
from providers.coingecko_overview import parse_exchange_rates, parse_global, parse_trending
from providers.errors import NotSupported, ProviderError, UpstreamError
from providers.payload import Checker, now
from providers.records import (
    AssetPlatform,
    Candle,
    CoinCategory,
    CoinListing,
    CoinProfile,
    CoinRef,
    Exchange,
    ExchangeRate,
    GlobalDefi,
    GlobalStats,
    MarketRow,
    PricePoint,
    Quote,
    TrendingEntry,
)

PAGE_SIZE = 250
PRICE_BATCH = 250  # ids per simple/price call; keeps the URL well under common limits
OHLC_DAYS = (1, 7, 14, 30, 90, 180, 365)  # the only `days` coins/{id}/ohlc accepts
FREE_HISTORY_DAYS = 365  # keyless and demo: error 10012 beyond this
# Error codes CoinGecko puts in {"status": {"error_code", "error_message"}} (docs: "Common Errors").
KEY_ON_WRONG_HOST = {
    10010: "COINGECKO_API_KEY is a Pro key used on the public host: set COINGECKO_API_PLAN=pro",
    10011: "COINGECKO_API_KEY is a Demo key used on pro-api.coingecko.com: set COINGECKO_API_PLAN=demo",
}


class CoinGecko(Provider):
    name = "coingecko"
    base_url_setting = "COINGECKO_BASE_URL"
    capabilities = (
        "prices",
        "markets",
        "coin_list",
        "candles",
        "price_history",
        "trending",
        "global",
        "coin_profile",
        "exchange_rates",
    )

    def headers(self) -> dict[str, str]:
        key = self.api_key("COINGECKO_API_KEY")
        if not key:
            return {}
        header = "x-cg-pro-api-key" if settings.COINGECKO_API_PLAN == "pro" else "x-cg-demo-api-key"
        return {header: key}

    def explain_error(self, endpoint: str, status: int, payload) -> ProviderError | None:
        code = _error_code(payload)
        if code in KEY_ON_WRONG_HOST:
            return UpstreamError(self.name, endpoint, f"error {code}: {KEY_ON_WRONG_HOST[code]}", retryable=False)
        if code == 10012:
            return NotSupported(
                self.name, endpoint, f"error 10012: history beyond {FREE_HISTORY_DAYS} days needs a paid plan"
            )
        return None

    def _free_tier(self) -> bool:
        return not (self.api_key("COINGECKO_API_KEY") and settings.COINGECKO_API_PLAN == "pro")

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        result = []
        for batch in batched(coins, PRICE_BATCH):
            params = {
                "ids": ",".join(coin.coin_id for coin in batch),
                "vs_currencies": vs,
                "include_market_cap": "true",
                "include_24hr_vol": "true",
                "include_24hr_change": "true",
                "include_last_updated_at": "true",
                "precision": "full",
            }
            payload = self.get_json("simple/price", "/simple/price", params=params, timeout=timeout)
            result += self.parse("simple/price", parse_simple_price, payload, batch, vs=vs)
        return result

    def markets(self, *, limit: int, vs: str, timeout: float | None) -> list[MarketRow]:
        rows: list[MarketRow] = []
        page = 1
        while len(rows) < limit:
            params = {
                "vs_currency": vs,
                "order": "market_cap_desc",
                "per_page": PAGE_SIZE,
                "page": page,
                "sparkline": "false",
                "price_change_percentage": "24h",
                "precision": "full",
            }
            payload = self.get_json("coins/markets", "/coins/markets", params=params, timeout=timeout)
            page_rows = self.parse("coins/markets", parse_markets, payload, vs=vs)
            rows += page_rows
            if len(page_rows) < PAGE_SIZE:
                break
            page += 1
        return rows[:limit]

    def category_markets(self, category_id: str, *, timeout: float | None) -> list[MarketRow]:
        """The first page (top 250 by market cap) of a category's coins, with their market rows."""
        params = {
            "vs_currency": "usd",
            "category": category_id,
            "order": "market_cap_desc",
            "per_page": PAGE_SIZE,
            "page": 1,
            "sparkline": "false",
            "price_change_percentage": "24h",
            "precision": "full",
        }
        payload = self.get_json("coins/markets", "/coins/markets", params=params, timeout=timeout)
        return self.parse("coins/markets", parse_markets, payload, vs="usd")

    def coin_list(self, *, timeout: float | None) -> list[CoinListing]:
        payload = self.get_json("coins/list", "/coins/list", params={"include_platform": "true"}, timeout=timeout)
        return self.parse("coins/list", parse_coin_list, payload)

    def coin_profile(self, coin_id: str, *, timeout: float | None) -> CoinProfile:
        params = {
            "localization": "false",
            "tickers": "false",
            "market_data": "false",
            "community_data": "false",
            "developer_data": "false",
            "sparkline": "false",
        }
        payload = self.get_json("coins/{id}", f"/coins/{coin_id}", params=params, timeout=timeout)
        return self.parse("coins/{id}", parse_coin_profile, payload)

    def categories(self, *, timeout: float | None) -> list[CoinCategory]:
        payload = self.get_json("coins/categories", "/coins/categories", timeout=timeout)
        return self.parse("coins/categories", parse_categories, payload)

    def asset_platforms(self, *, timeout: float | None) -> list[AssetPlatform]:
        payload = self.get_json("asset_platforms", "/asset_platforms", timeout=timeout)
        return self.parse("asset_platforms", parse_asset_platforms, payload)

    def exchanges(self, *, timeout: float | None) -> list[Exchange]:
        return fetch_exchanges(self, timeout=timeout)

    def global_defi(self, *, timeout: float | None) -> GlobalDefi:
        payload = self.get_json(
            "global/decentralized_finance_defi", "/global/decentralized_finance_defi", timeout=timeout
        )
        return self.parse("global/decentralized_finance_defi", parse_global_defi, payload)

    def exchange_rates(self, *, timeout: float | None) -> list[ExchangeRate]:
        payload = self.get_json("exchange_rates", "/exchange_rates", timeout=timeout)
        return self.parse("exchange_rates", parse_exchange_rates, payload)

    def candles(self, coin: CoinRef, *, interval: str, limit: int, timeout: float | None, **_) -> list[Candle]:
        # The free tier picks the granularity from `days`: 4-hour bars for 3..30 days.
        if interval != "4h":
            raise NotSupported(self.name, "coins/ohlc", f"interval {interval} (free tier serves 4h bars only)")
        days = next((d for d in OHLC_DAYS[1:4] if d * 6 >= limit), 30)
        payload = self.get_json(
            "coins/ohlc", f"/coins/{coin.coin_id}/ohlc", params={"vs_currency": "usd", "days": days}, timeout=timeout
        )
        # CoinGecko stamps a bar with its close time; a stored Candle's t is its open time.
        bars = self.parse("coins/ohlc", parse_ohlc, payload)[-limit:]
        return [replace(bar, t=bar.t - timedelta(hours=4)) for bar in bars]

    def price_history(self, coin: CoinRef, *, days: int, vs: str, timeout: float | None) -> list[PricePoint]:
        if days > FREE_HISTORY_DAYS and self._free_tier():
            # Asked anyway it answers 10012; exchanges' daily candles carry on from here.
            raise NotSupported(self.name, "coins/market_chart", f"history beyond {FREE_HISTORY_DAYS} days needs Pro")
        payload = self.get_json(
            "coins/market_chart",
            f"/coins/{coin.coin_id}/market_chart",
            params={"vs_currency": vs, "days": days, "precision": "full"},
            timeout=timeout,
        )
        return self.parse("coins/market_chart", parse_market_chart, payload, vs=vs)

    def trending(self, *, timeout: float | None) -> list[TrendingEntry]:
        payload = self.get_json("search/trending", "/search/trending", timeout=timeout)
        return self.parse("search/trending", parse_trending, payload)

    def global_stats(self, *, timeout: float | None) -> GlobalStats:
        payload = self.get_json("global", "/global", timeout=timeout)
        return self.parse("global", parse_global, payload)


def parse_simple_price(payload, coins: list[CoinRef], *, vs: str) -> list[Quote]:
    check = Checker("coingecko", "simple/price")
    body = check.dict(payload, "body")
    quotes = []
    for coin in coins:
        entry = body.get(coin.coin_id)
        if entry is None:
            continue  # CoinGecko leaves out ids it does not know
        entry = check.dict(entry, coin.coin_id)
        what = f"{coin.coin_id}.{vs}"
        updated = entry.get("last_updated_at")
        quotes.append(
            Quote(
                coin_id=coin.coin_id,
                symbol=coin.symbol.upper(),
                price=check.price(check.field(entry, vs, coin.coin_id), what, vs=vs),
                as_of=check.unix(updated, f"{coin.coin_id}.last_updated_at") if updated else now(),
                vs=vs,
                market_cap=check.amount(entry.get(f"{vs}_market_cap"), f"{what}_market_cap"),
                volume_24h=check.amount(entry.get(f"{vs}_24h_vol"), f"{what}_24h_vol"),
                change_24h_pct=check.decimal(entry.get(f"{vs}_24h_change"), f"{what}_24h_change", optional=True),
                source="coingecko",
            )
        )
    return quotes


def parse_markets(payload, *, vs: str) -> list[MarketRow]:
    check = Checker("coingecko", "coins/markets")
    rows = []
    fetched_at = now()
    for item in check.list(payload, "body", allow_empty=True):
        item = check.dict(item, "row")
        coin_id = check.text(item, "id", "row")
        rows.append(
            MarketRow(
                coin_id=coin_id,
                symbol=check.text(item, "symbol", coin_id).upper(),
                name=check.text(item, "name", coin_id),
                price=check.price(item.get("current_price"), f"{coin_id}.current_price", vs=vs),
                as_of=check.iso(item.get("last_updated"), f"{coin_id}.last_updated", optional=True) or fetched_at,
                vs=vs,
                rank=check.integer(item.get("market_cap_rank"), f"{coin_id}.market_cap_rank", optional=True),
                image=item.get("image") or None,
                market_cap=check.amount(item.get("market_cap"), f"{coin_id}.market_cap"),
                volume_24h=check.amount(item.get("total_volume"), f"{coin_id}.total_volume"),
                change_24h_pct=check.decimal(
                    item.get("price_change_percentage_24h"), f"{coin_id}.price_change_percentage_24h", optional=True
                ),
                circulating_supply=check.non_negative(item.get("circulating_supply"), f"{coin_id}.circulating_supply"),
                **_market_extras(check, item, coin_id),
            )
        )
    return rows


def _market_extras(check: Checker, item: dict, coin_id: str) -> dict:
    """The rest of a coins/markets row; null stays None (CoinGecko does not know it either)."""

    def number(key: str, *, signed: bool = False):
        value = item.get(key)
        what = f"{coin_id}.{key}"
        return check.decimal(value, what, optional=True) if signed else check.non_negative(value, what)

    return {
        "total_supply": number("total_supply"),
        "max_supply": number("max_supply"),
        "fully_diluted_valuation": number("fully_diluted_valuation"),
        "high_24h": number("high_24h"),
        "low_24h": number("low_24h"),
        "price_change_24h": number("price_change_24h", signed=True),
        "market_cap_change_24h": number("market_cap_change_24h", signed=True),
        "market_cap_change_24h_pct": number("market_cap_change_percentage_24h", signed=True),
        "ath": number("ath"),
        "ath_change_pct": number("ath_change_percentage", signed=True),
        "ath_date": check.iso(item.get("ath_date"), f"{coin_id}.ath_date", optional=True),
        "atl": number("atl"),
        "atl_change_pct": number("atl_change_percentage", signed=True),
        "atl_date": check.iso(item.get("atl_date"), f"{coin_id}.atl_date", optional=True),
    }


def _error_code(payload) -> int | None:
    """The code of ``{"status": {...}}`` or ``{"error": {"status": {...}}}`` (10012 nests it)."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        payload = payload["error"]
    status = payload.get("status") if isinstance(payload, dict) else None
    code = status.get("error_code") if isinstance(status, dict) else None
    return code if isinstance(code, int) else None
