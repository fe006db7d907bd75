"""What each dashboard panel shows, read through the markets and sentiment selectors.

A panel whose data has not been collected yet is ``None`` (the template says so) rather
than an error page: a fresh install shows its layout with "not collected yet" in each box.
"""

import logging
from collections.abc import Callable
from typing import Any

from cryptodt.api.errors import NoDataAvailable, NotFoundError
from markets import selectors as markets
from markets import selectors_defi as defi
from providers.status import provider_rows
from sentiment import selectors as sentiment

logger = logging.getLogger(__name__)

TOP_COINS = 50
MAX_SYMBOL_CHARS = 40
NEWS_ITEMS = 12
DEFI_ROWS = 10
CANDLES = 200
HISTORY_DAYS = 30


def _read(name: str, read: Callable[[], Any]) -> Any:
    try:
        return read()
    except NoDataAvailable:
        return None
    except Exception:  # one broken panel must not take the page down
        logger.exception("dashboard panel %s failed", name)
        return None


def overview() -> dict:
    market = _read("market", lambda: markets.market(limit=TOP_COINS, vs="usd"))
    coins = market["data"] if market else []
    week = _read("sparklines", lambda: markets.sparklines(coin_ids=[r["coin_id"] for r in coins], vs="usd")) or {}
    uncapped = [r["coin_id"] for r in coins if r["market_cap"] is None]
    caps = _read("caps", lambda: markets.registry_market_caps(coin_ids=uncapped)) if uncapped else {}
    for row in coins:
        row["sparkline"] = week.get(row["coin_id"], [])
        if row["market_cap"] is None:
            row["market_cap"] = (caps or {}).get(row["coin_id"])
    fear_greed = _read("fear_greed", lambda: sentiment.fear_greed(days=30))
    chains = _read("chains", defi.chains)
    return {
        "market": market,
        "coins": coins,
        "global": market["global"] if market else None,
        "fear_greed": fear_greed["data"] if fear_greed else None,
        "trending": _read("trending", markets.trending),
        "protocols": _read("protocols", lambda: defi.protocols(limit=DEFI_ROWS, chain=None, category=None)),
        "chains": chains["data"][:DEFI_ROWS] if chains else None,
        "news": _read("news", lambda: sentiment.news(symbol=None, since=None, limit=NEWS_ITEMS)),
        "providers": _read("providers", provider_rows),
    }


def coin(symbol: str) -> dict | None:
    """None when no coin has this symbol."""
    # isprintable refuses NUL (PostgreSQL cannot compare it), control characters and lone surrogates.
    if not 0 < len(symbol) <= MAX_SYMBOL_CHARS or not symbol.isprintable():
        return None
    try:
        found = markets.resolve_symbol(symbol=symbol)
    except (NotFoundError, NoDataAvailable):  # NoDataAvailable: no coin list collected yet
        return None
    quote = _read("quote", lambda: markets.latest_prices(coins=[found], vs="usd"))
    return {
        "coin": found,
        "quote": quote["data"][0] if quote else None,
        "candles": _read(
            "candles", lambda: markets.candles(coin=found, interval="1h", start=None, end=None, limit=CANDLES)
        ),
        "history": _read(
            "history", lambda: markets.price_history(coin=found, days=HISTORY_DAYS, resolution="auto", vs="usd")
        ),
        "news": _read("news", lambda: sentiment.news(symbol=found.symbol, since=None, limit=NEWS_ITEMS)),
    }
