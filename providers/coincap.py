"""CoinCap v3 (https://pro.coincap.io/api-docs): every number is a string, prices in USD only.

v2 (api.coincap.io/v2, keyless) was retired on 2025-03-31. v3 lives at rest.coincap.io/v3,
answers the same ``{"data": [...], "timestamp": ms}`` shape and needs a key
(``Authorization: Bearer <key>``); without COINCAP_API_KEY the provider is skipped.
"""

from providers.base import Provider
from providers.errors import NotSupported
from providers.payload import Checker
from providers.records import CoinRef, MarketRow, Quote

MAX_LIMIT = 2000
# CoinCap ids that differ from CoinGecko's for the largest coins; the rest agree or are
# matched by the coin registry's coincap_id.
COINGECKO_IDS = {
    "binance-coin": "binancecoin",
    "xrp": "ripple",
    "polygon": "matic-network",
    "multi-collateral-dai": "dai",
    "avalanche": "avalanche-2",
    "unus-sed-leo": "leo-token",
    "crypto-com-coin": "crypto-com-chain",
    "bitcoin-sv": "bitcoin-cash-sv",
}


class CoinCap(Provider):
    name = "coincap"
    base_url_setting = "COINCAP_BASE_URL"
    capabilities = ("prices", "markets")
    key_setting = "COINCAP_API_KEY"
    key_required = True

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key(self.key_setting)}"}

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        if vs.lower() != "usd":
            raise NotSupported(self.name, "assets", f"vs {vs}")
        ids = {(coin.coincap_id or coin.coin_id): coin for coin in coins}
        payload = self.get_json("assets", "/assets", params={"ids": ",".join(ids), "limit": MAX_LIMIT}, timeout=timeout)
        rows = self.parse("assets", parse_assets, payload)
        return [
            Quote(
                coin_id=ids[row.coincap_id].coin_id,
                symbol=ids[row.coincap_id].symbol.upper(),
                price=row.price,
                as_of=row.as_of,
                market_cap=row.market_cap,
                volume_24h=row.volume_24h,
                change_24h_pct=row.change_24h_pct,
                source="coincap",
            )
            for row in rows
            if row.coincap_id in ids
        ]

    def markets(self, *, limit: int, vs: str, timeout: float | None) -> list[MarketRow]:
        if vs.lower() != "usd":
            raise NotSupported(self.name, "assets", f"vs {vs}")
        payload = self.get_json("assets", "/assets", params={"limit": min(limit, MAX_LIMIT)}, timeout=timeout)
        return self.parse("assets", parse_assets, payload)[:limit]


def parse_assets(payload) -> list[MarketRow]:
    check = Checker("coincap", "assets")
    body = check.dict(payload, "body")
    as_of = check.unix(check.field(body, "timestamp", "body"), "timestamp", millis=True)
    rows = []
    for item in check.list(check.field(body, "data", "body"), "data", allow_empty=True):
        item = check.dict(item, "asset")
        coincap_id = check.text(item, "id", "asset")
        rows.append(
            MarketRow(
                coin_id=COINGECKO_IDS.get(coincap_id, coincap_id),
                coincap_id=coincap_id,
                symbol=check.text(item, "symbol", coincap_id).upper(),
                name=check.text(item, "name", coincap_id),
                price=check.price(item.get("priceUsd"), f"{coincap_id}.priceUsd"),
                as_of=as_of,
                rank=check.integer(item.get("rank"), f"{coincap_id}.rank", optional=True),
                market_cap=check.amount(item.get("marketCapUsd"), f"{coincap_id}.marketCapUsd"),
                volume_24h=check.amount(item.get("volumeUsd24Hr"), f"{coincap_id}.volumeUsd24Hr"),
                change_24h_pct=check.decimal(
                    item.get("changePercent24Hr"), f"{coincap_id}.changePercent24Hr", optional=True
                ),
                circulating_supply=check.non_negative(item.get("supply"), f"{coincap_id}.supply"),
            )
        )
    return rows
