"""What the stand-in provider servers answer in the collection tests, in each provider's own
JSON format: a CoinGecko listing page, global figures, trending, market chart, Binance klines."""

import json
import time
from datetime import UTC, datetime


def iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def markets_page(count: int = 3, *, price_of_first=67123.45) -> bytes:
    rows = [
        {
            "id": coin_id,
            "symbol": symbol,
            "name": name,
            "image": f"https://assets.coingecko.com/coins/images/{i}/large/{coin_id}.png",
            "current_price": price_of_first if i == 0 else 0.00001234 if coin_id == "pepe" else 3456.7,
            "market_cap": 1327000000000 // (i + 1),
            "market_cap_rank": i + 1,
            "total_volume": 28000000000,
            "price_change_percentage_24h": -1.2345,
            "circulating_supply": 19700000.0,
            "last_updated": iso_now(),
        }
        for i, (coin_id, symbol, name) in enumerate(
            [("bitcoin", "btc", "Bitcoin"), ("ethereum", "eth", "Ethereum"), ("pepe", "pepe", "Pepe")][:count]
        )
    ]
    return json.dumps(rows).encode()


GLOBAL = {
    "data": {
        "active_cryptocurrencies": 12000,
        "total_market_cap": {"usd": 2.45e12, "eur": 2.2e12},
        "total_volume": {"usd": 9.1e10},
        "market_cap_percentage": {"btc": 54.1, "eth": 12.3},
        "market_cap_change_percentage_24h_usd": 0.8,
        "updated_at": 0,
    }
}
TRENDING = {
    "coins": [
        {"item": {"id": "pepe", "coin_id": 29850, "name": "Pepe", "symbol": "PEPE", "market_cap_rank": 3, "score": 0}},
        {"item": {"id": "bitcoin", "coin_id": 1, "name": "Bitcoin", "symbol": "BTC", "market_cap_rank": 1, "score": 1}},
    ],
    "exchanges": [],
}


# What a cycle also asks CoinGecko for (the /api/v3/ directories and rates), as its docs write them.
DIRECTORIES = {
    "/exchange_rates": "coingecko/exchange_rates.json",
    "/coins/categories": "coingecko/coins_categories.json",
    "/global/decentralized_finance_defi": "coingecko/global_defi.json",
    "/asset_platforms": "coingecko/asset_platforms.json",
}


def market_chart(hours: int) -> bytes:
    now_ms = int(time.time() // 3600 * 3600 * 1000)
    stamps = [now_ms - h * 3_600_000 - 60_000 for h in range(hours, 0, -1)]
    return json.dumps(
        {
            "prices": [[t, 60000 + i] for i, t in enumerate(stamps)],
            "market_caps": [[t, 1.2e12 + i] for i, t in enumerate(stamps)],
            "total_volumes": [[t, 3e10] for t in stamps],
        }
    ).encode()


def klines(count: int) -> bytes:
    start = int(time.time() // 3600 * 3600 - count * 3600) * 1000
    rows = [
        [
            start + i * 3_600_000,
            "100.5",
            "110.25",
            "99.0",
            "105.125",
            "12.5",
            start + (i + 1) * 3_600_000 - 1,
            "1300.0",
            42,
            "6.0",
            "650.0",
            "0",
        ]
        for i in range(count)
    ]
    return json.dumps(rows).encode()
