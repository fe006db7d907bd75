"""DefiLlama's keyless price API (https://api-docs.defillama.com, "coins" section).

``GET https://coins.llama.fi/prices/current/coingecko:bitcoin,coingecko:ethereum`` answers
``{"coins": {"coingecko:bitcoin": {"price": 65000.1, "symbol": "BTC", "timestamp": 1700000000,
"confidence": 0.99}}}``: keyed by CoinGecko ids, so no symbol is ever guessed. A coin it does
not know is simply absent; ``decimals`` is omitted for coingecko: assets.
"""

from providers.base import Provider, batched
from providers.errors import NotSupported
from providers.payload import Checker
from providers.records import CoinRef, Quote

BATCH = 100  # ids per call: keeps the path well under common URL limits
PREFIX = "coingecko:"


class DefiLlamaPrices(Provider):
    name = "defillama_prices"
    base_url_setting = "DEFILLAMA_PRICES_BASE_URL"
    capabilities = ("prices",)

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        if vs.lower() != "usd":
            raise NotSupported(self.name, "prices/current", f"vs {vs}")
        quotes: list[Quote] = []
        for batch in batched(coins, BATCH):
            path = "/prices/current/" + ",".join(PREFIX + coin.coin_id for coin in batch)
            payload = self.get_json("prices/current", path, timeout=timeout)
            quotes += self.parse("prices/current", parse_current, payload, batch)
        return quotes


def parse_current(payload, coins: list[CoinRef]) -> list[Quote]:
    check = Checker("defillama_prices", "prices/current")
    found = check.dict(check.field(check.dict(payload, "body"), "coins", "body"), "coins")
    quotes = []
    for coin in coins:
        row = found.get(PREFIX + coin.coin_id)
        if row is None:
            continue
        row = check.dict(row, coin.coin_id)
        quotes.append(
            Quote(
                coin_id=coin.coin_id,
                symbol=coin.symbol.upper(),
                price=check.price(check.field(row, "price", coin.coin_id), f"{coin.coin_id}.price"),
                as_of=check.unix(check.field(row, "timestamp", coin.coin_id), f"{coin.coin_id}.timestamp"),
                source="defillama_prices",
            )
        )
    return quotes
