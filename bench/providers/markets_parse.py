"""Parse and normalise a 1,000-coin CoinGecko coins/markets payload (4 pages of 250 rows, in
CoinGecko's exact format), from bytes to MarketRow records.

    .venv/bin/python bench/providers/markets_parse.py
"""

import json
import random
import time

from _setup import django_setup, summary

ROW = {
    "id": "bitcoin",
    "symbol": "btc",
    "name": "Bitcoin",
    "image": "https://coin-images.coingecko.com/coins/images/1/large/bitcoin.png?1696501400",
    "current_price": 43125.12,
    "market_cap": 845312345678,
    "market_cap_rank": 1,
    "fully_diluted_valuation": 905000000000,
    "total_volume": 21345678901,
    "high_24h": 43900,
    "low_24h": 42800,
    "price_change_24h": -540.2,
    "price_change_percentage_24h": -1.23716,
    "market_cap_change_24h": -10500000000,
    "market_cap_change_percentage_24h": -1.2271,
    "circulating_supply": 19560000.0,
    "total_supply": 21000000.0,
    "max_supply": 21000000.0,
    "ath": 69045,
    "ath_change_percentage": -37.5,
    "ath_date": "2021-11-10T14:24:11.849Z",
    "atl": 67.81,
    "atl_change_percentage": 63500.1,
    "atl_date": "2013-07-06T00:00:00.000Z",
    "roi": None,
    "last_updated": "2023-11-14T22:13:20.123Z",
}


def page(number: int) -> bytes:
    rng = random.Random(number)
    rows = []
    for i in range(250):
        rank = (number - 1) * 250 + i + 1
        price = round(rng.uniform(0.00000001, 50000), rng.randint(2, 12))
        rows.append(
            ROW
            | {
                "id": f"coin-{rank}",
                "symbol": f"c{rank}",
                "name": f"Coin {rank}",
                "current_price": price,
                "market_cap": None if rank % 50 == 0 else int(1e12 / rank),
                "market_cap_rank": rank,
                "total_volume": int(1e10 / rank),
            }
        )
    return json.dumps(rows, separators=(",", ":")).encode()


def main() -> None:
    django_setup()
    from providers.coingecko import parse_markets
    from providers.payload import decode_json

    pages = [page(n) for n in range(1, 5)]
    print(f"payload: 4 pages, {sum(map(len, pages)) / 1024:.0f} KiB, 1,000 rows")
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        rows = []
        for body in pages:
            rows += parse_markets(decode_json("coingecko", "coins/markets", body), vs="usd")
        samples.append((time.perf_counter() - started) * 1000)
    assert len(rows) == 1000
    print("parse + normalise 1,000 coins:", summary(samples))


if __name__ == "__main__":
    main()
