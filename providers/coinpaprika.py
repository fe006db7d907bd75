"""CoinPaprika (https://docs.coinpaprika.com): keyless free plan, 20,000 calls a month.

``GET /v1/tickers`` answers every coin in one call: ``[{"id": "btc-bitcoin", "name",
"symbol", "rank", "circulating_supply", "total_supply", "max_supply", "last_updated",
"quotes": {"USD": {"price", "volume_24h", "market_cap", "percent_change_24h", ...}}}]``.
``GET /v1/global`` answers ``market_cap_usd``, ``volume_24h_usd``,
``bitcoin_dominance_percentage``, ``cryptocurrencies_number``, ``last_updated`` (unix s).
Its ids are "<symbol>-<name>"; the name part is CoinGecko's id for most coins, the rest
are mapped below or matched to a registered coin by symbol.
"""

from providers.base import Provider
from providers.errors import NotSupported
from providers.payload import Checker
from providers.records import CoinListing, CoinRef, GlobalStats, MarketRow, Quote

COINGECKO_IDS = {
    "bnb-binance-coin": "binancecoin",
    "xrp-xrp": "ripple",
    "avax-avalanche": "avalanche-2",
    "matic-polygon": "matic-network",
    "leo-leo-token": "leo-token",
    "cro-cryptocom-chain": "crypto-com-chain",
    "ton-toncoin": "the-open-network",
    "trx-tron": "tron",
}


def coingecko_id(paprika_id: str) -> str:
    if paprika_id in COINGECKO_IDS:
        return COINGECKO_IDS[paprika_id]
    _, _, rest = paprika_id.partition("-")
    return rest or paprika_id


class CoinPaprika(Provider):
    name = "coinpaprika"
    base_url_setting = "COINPAPRIKA_BASE_URL"
    capabilities = ("prices", "markets", "coin_list", "global")

    def _tickers(self, vs: str, timeout: float | None) -> list[MarketRow]:
        if vs.lower() != "usd":
            raise NotSupported(self.name, "tickers", f"vs {vs}")
        payload = self.get_json("tickers", "/tickers", params={"quotes": "USD"}, timeout=timeout)
        return self.parse("tickers", parse_tickers, payload)

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        wanted = {coin.coin_id: coin for coin in coins}
        return [
            Quote(
                coin_id=row.coin_id,
                symbol=row.symbol,
                price=row.price,
                as_of=row.as_of,
                market_cap=row.market_cap,
                volume_24h=row.volume_24h,
                change_24h_pct=row.change_24h_pct,
                source=self.name,
            )
            for row in self._tickers(vs, timeout)
            if row.coin_id in wanted
        ]

    def markets(self, *, limit: int, vs: str, timeout: float | None) -> list[MarketRow]:
        rows = [row for row in self._tickers(vs, timeout) if row.rank]
        return sorted(rows, key=lambda row: row.rank)[:limit]

    def coin_list(self, *, timeout: float | None) -> list[CoinListing]:
        return [CoinListing(row.coin_id, row.symbol.lower(), row.name) for row in self._tickers("usd", timeout)]

    def global_stats(self, *, timeout: float | None) -> GlobalStats:
        payload = self.get_json("global", "/global", timeout=timeout)
        return self.parse("global", parse_global, payload)


def parse_tickers(payload) -> list[MarketRow]:
    check = Checker("coinpaprika", "tickers")
    rows = []
    for item in check.list(payload, "body"):
        item = check.dict(item, "ticker")
        paprika_id = check.text(item, "id", "ticker")
        usd = check.dict(
            check.field(check.dict(check.field(item, "quotes", paprika_id), "quotes"), "USD", paprika_id), "USD"
        )
        rank = check.integer(item.get("rank"), f"{paprika_id}.rank", optional=True)
        rows.append(
            MarketRow(
                coin_id=coingecko_id(paprika_id),
                symbol=check.text(item, "symbol", paprika_id).upper(),
                name=check.text(item, "name", paprika_id),
                price=check.price(check.field(usd, "price", paprika_id), f"{paprika_id}.price"),
                as_of=check.iso(check.field(item, "last_updated", paprika_id), f"{paprika_id}.last_updated"),
                rank=rank or None,  # 0 means unranked
                market_cap=check.amount(usd.get("market_cap"), f"{paprika_id}.market_cap") or None,
                volume_24h=check.amount(usd.get("volume_24h"), f"{paprika_id}.volume_24h"),
                change_24h_pct=check.decimal(
                    usd.get("percent_change_24h"), f"{paprika_id}.percent_change_24h", optional=True
                ),
                circulating_supply=check.non_negative(item.get("circulating_supply"), f"{paprika_id}.supply"),
                foreign_id=paprika_id,
            )
        )
    return rows


def parse_global(payload) -> GlobalStats:
    check = Checker("coinpaprika", "global")
    body = check.dict(payload, "body")
    return GlobalStats(
        as_of=check.unix(check.field(body, "last_updated", "body"), "last_updated"),
        total_market_cap_usd=check.non_negative(
            check.field(body, "market_cap_usd", "body"), "market_cap_usd", optional=False
        ),
        total_volume_usd=check.non_negative(
            check.field(body, "volume_24h_usd", "body"), "volume_24h_usd", optional=False
        ),
        btc_dominance_pct=check.decimal(body.get("bitcoin_dominance_percentage"), "btc dominance", optional=True),
        active_cryptocurrencies=check.integer(body.get("cryptocurrencies_number"), "count", optional=True),
        market_cap_change_24h_pct=check.decimal(body.get("market_cap_change_24h"), "cap change", optional=True),
    )
