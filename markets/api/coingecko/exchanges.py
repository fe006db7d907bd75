"""Reads behind /api/v3/exchanges, /exchanges/list, /search's exchanges (CoinGecko's spot
exchange directory, collected daily) and /coins/{id}/tickers (the tickers of the exchanges
cryptodt asks itself), in CoinGecko's shapes.

A ticker is answered only when every field CoinGecko's schema requires of it is known:
a pair quoted in a fiat currency has no ``target_coin_id`` (CoinGecko names coins only),
and a coin with no known market cap no ``coin_mcap_usd``; those are left out rather
than answered with a made-up value. Unknown optional values (the per-pair trust colour)
are null, as CoinGecko answers them."""

from decimal import Decimal

from django.db.models import F, Q

from markets.api.coingecko.conversion import times, usd_factors
from markets.models import Coin, Exchange, ExchangeTicker, LatestQuote
from markets.selectors import is_stale

TICKERS_PER_PAGE = 100  # CoinGecko pages tickers by 100
SEARCH_EXCHANGES = 25
# cryptodt's provider name -> CoinGecko's exchange id and name (Coinbase Exchange is "gdax" there).
MARKETS = {
    "binance": ("binance", "Binance"),
    "kraken": ("kraken", "Kraken"),
    "coinbase": ("gdax", "Coinbase Exchange"),
}
TRADE_URLS = {
    "binance": "https://www.binance.com/en/trade/{base}_{target}",
    "kraken": "https://pro.kraken.com/app/trade/{base_lower}-{target_lower}",
    "coinbase": "https://www.coinbase.com/advanced-trade/spot/{base}-{target}",
}
# Quote currencies that are coins, and CoinGecko's id of each (a fiat target has none).
TARGET_COINS = {"USDT": "tether", "USDC": "usd-coin", "BTC": "bitcoin", "ETH": "ethereum"}
_RANKED = (F("trust_score_rank").asc(nulls_last=True), "exchange_id")


def _row(e: Exchange) -> dict:
    row = {
        "id": e.exchange_id,
        "name": e.name,
        "year_established": e.year_established,
        "country": e.country,
        "description": e.description,
        "url": e.url,
        "image": e.image,
        "has_trading_incentive": bool(e.has_trading_incentive),
        "trust_score": e.trust_score,
        "trust_score_rank": e.trust_score_rank,
        "trade_volume_24h_btc": e.trade_volume_24h_btc,
    }
    if e.trade_volume_24h_btc_normalized is not None:  # only where CoinGecko still sent it
        row["trade_volume_24h_btc_normalized"] = e.trade_volume_24h_btc_normalized
    return row


def exchanges(*, per_page: int, page: int) -> list[dict] | None:
    """One page by trust score rank, as CoinGecko orders /exchanges; None before any collection."""
    if not Exchange.objects.exists():
        return None
    start = (page - 1) * per_page
    return [_row(e) for e in Exchange.objects.order_by(*_RANKED)[start : start + per_page]]


def exchanges_list(*, status: str) -> list[dict] | None:
    """Ids and names by id. Only active exchanges are collected, so ``inactive`` is empty."""
    if not Exchange.objects.exists():
        return None
    if status != "active":
        return []
    return [
        {"id": key, "name": name}
        for key, name in Exchange.objects.order_by("exchange_id").values_list("exchange_id", "name")
    ]


def _image(url: str, size: str) -> str:
    """CoinGecko keeps each logo at .../thumb/..., .../small/..., .../large/...; /exchanges gives the small one."""
    return url.replace("/small/", f"/{size}/", 1) if "/small/" in url else url


def search(*, query: str) -> list[dict]:
    text = query.strip()
    if not text:
        return []
    found = Exchange.objects.filter(Q(exchange_id__icontains=text) | Q(name__icontains=text)).order_by(*_RANKED)
    lowered = text.lower()
    ranked = sorted(found[:500], key=lambda e: e.name.lower() != lowered and e.exchange_id != lowered)
    return [
        {
            "id": e.exchange_id,
            "name": e.name,
            "market_type": "spot",  # /exchanges lists spot exchanges only (derivatives are apart)
            "thumb": _image(e.image, "thumb"),
            "large": _image(e.image, "large"),
        }
        for e in ranked[:SEARCH_EXCHANGES]
    ]


def tickers(*, coin: Coin, exchange_ids: list[str] | None, logo: bool, page: int, order: str) -> dict:
    directory = {e.exchange_id: e for e in Exchange.objects.filter(exchange_id__in=[m[0] for m in MARKETS.values()])}
    market_cap = _market_cap(coin)
    usd_per = _usd_per_target()
    factors = usd_factors()
    rows = []
    for ticker in ExchangeTicker.objects.filter(coin=coin, exchange__in=list(MARKETS)):
        identifier, name = MARKETS[ticker.exchange]
        target_coin = TARGET_COINS.get(ticker.target)
        if exchange_ids and identifier not in exchange_ids:
            continue
        if getattr(coin, f"{ticker.exchange}_pair") != ticker.pair:
            continue  # the registry no longer maps the coin to this pair: delisted or reassigned
        if target_coin is None or market_cap is None or ticker.volume is None:
            continue  # a field CoinGecko requires is unknown (module docstring)
        listed = directory.get(identifier)
        rows.append(_ticker(ticker, coin, identifier, name, listed, logo, target_coin, market_cap, usd_per, factors))
    _sort(rows, order, directory)
    start = (page - 1) * TICKERS_PER_PAGE
    return {"name": coin.name, "tickers": [row for row, _ in rows[start : start + TICKERS_PER_PAGE]]}


def _ticker(t, coin, identifier, name, listed, logo, target_coin, market_cap, usd_per, factors) -> tuple[dict, tuple]:
    market = {"name": listed.name if listed else name, "identifier": identifier}
    if listed is not None and listed.has_trading_incentive is not None:
        market["has_trading_incentive"] = listed.has_trading_incentive
    if logo and listed is not None and listed.image:
        market["logo"] = listed.image
    last_usd = times(t.last, usd_per[t.target]) if t.target in usd_per else None
    converted_last = _converted(last_usd, factors)
    converted_volume = {key: times(t.volume, value) for key, value in converted_last.items()}
    fill = {"base": t.base, "target": t.target, "base_lower": t.base.lower(), "target_lower": t.target.lower()}
    row = {
        "base": t.base,
        "target": t.target,
        "market": market,
        "last": t.last,
        "volume": t.volume,
        "converted_last": converted_last,
        "converted_volume": converted_volume,
        "trust_score": None,  # CoinGecko's per-pair colour; cryptodt has no such rating
        # From the exchange's best bid and ask when it was fetched (CoinGecko's own figure
        # comes from its order-book snapshots and can differ).
        "bid_ask_spread_percentage": times((t.ask - t.bid) / t.ask * 100, Decimal(1)),
        "timestamp": _iso(t.t),
        "last_traded_at": _iso(t.t),
        "last_fetch_at": _iso(t.fetched_at),
        "is_anomaly": False,  # implausible exchange prices are rejected before they are stored
        "is_stale": is_stale(t.fetched_at),
        "trade_url": TRADE_URLS[t.exchange].format(**fill),
        "token_info_url": None,
        "coin_id": coin.coin_id,
        "target_coin_id": target_coin,
        "coin_mcap_usd": market_cap,
    }
    trust = listed.trust_score if listed is not None and listed.trust_score is not None else -1
    return row, (trust, converted_volume.get("usd") or Decimal(0))


def _sort(rows: list, order: str, directory: dict) -> None:
    """trust_score_*: by the exchange's trust score (the per-pair one is unknown), then
    volume; volume_*: by converted_volume.usd, as CoinGecko sorts by volume."""
    if order.startswith("volume"):
        rows.sort(key=lambda r: r[1][1], reverse=order == "volume_desc")
    else:
        rows.sort(key=lambda r: r[1], reverse=order == "trust_score_desc")


def _converted(usd: Decimal | None, factors: dict[str, Decimal]) -> dict:
    if usd is None:
        return {}
    result = {key: times(usd, factors[key]) for key in ("btc", "eth") if key in factors}
    result["usd"] = usd
    return result


def _usd_per_target() -> dict[str, Decimal]:
    """USD per unit of each quote currency: 1 for USD, a stablecoin's own stored price."""
    prices = dict(
        LatestQuote.objects.filter(vs="usd", coin__coin_id__in=TARGET_COINS.values()).values_list(
            "coin__coin_id", "price"
        )
    )
    result = {"USD": Decimal(1)}
    for symbol, coin_id in TARGET_COINS.items():
        if coin_id in prices:
            result[symbol] = prices[coin_id]
    return result


def _market_cap(coin: Coin) -> Decimal | None:
    quote = LatestQuote.objects.filter(coin=coin, vs="usd").values_list("market_cap", flat=True).first()
    return quote if quote is not None else coin.market_cap


def _iso(t) -> str:
    """CoinGecko's ticker times: 2026-05-18T13:37:29+00:00."""
    return t.replace(microsecond=0).isoformat()
