"""CoinGecko's market-wide answers into records: search/trending
(https://docs.coingecko.com/v3.0.1/reference/trending-search), global
(https://docs.coingecko.com/v3.0.1/reference/crypto-global) and exchange_rates
(https://docs.coingecko.com/v3.0.1/reference/exchange-rates)."""

from datetime import UTC, datetime

from providers.payload import Checker, now
from providers.records import ExchangeRate, GlobalStats, TrendingEntry


def parse_trending(payload) -> list[TrendingEntry]:
    check = Checker("coingecko", "search/trending")
    body = check.dict(payload, "body")
    fetched_at = now()
    entries = []
    for position, wrapper in enumerate(check.list(check.field(body, "coins", "body"), "coins"), start=1):
        item = check.dict(check.field(check.dict(wrapper, "coin"), "item", "coin"), "item")
        coin_id = check.text(item, "id", "item")
        score = check.decimal(item.get("score"), f"{coin_id}.score", optional=True)
        entries.append(
            TrendingEntry(
                coin_id=coin_id,
                symbol=check.text(item, "symbol", coin_id).upper(),
                name=check.text(item, "name", coin_id),
                rank=position,
                score=score,
                market_cap_rank=check.integer(item.get("market_cap_rank"), f"{coin_id}.market_cap_rank", optional=True),
                as_of=fetched_at,
                **_trending_extras(check, item, coin_id),
            )
        )
    return entries


def _trending_extras(check: Checker, item: dict, coin_id: str) -> dict:
    data = check.dict(item.get("data") or {}, f"{coin_id}.data")
    changes = check.dict(data.get("price_change_percentage_24h") or {}, f"{coin_id}.data.price_change_percentage_24h")

    def text(obj: dict, key: str) -> str | None:
        value = obj.get(key)
        return value if isinstance(value, str) and value.strip() else None

    return {
        "number": check.integer(item.get("coin_id"), f"{coin_id}.coin_id", optional=True),
        "slug": text(item, "slug"),
        "thumb": text(item, "thumb"),
        "small": text(item, "small"),
        "large": text(item, "large"),
        "price_btc": check.non_negative(item.get("price_btc"), f"{coin_id}.price_btc"),
        "price_usd": check.non_negative(data.get("price"), f"{coin_id}.data.price"),
        "change_24h_pct_usd": check.decimal(changes.get("usd"), f"{coin_id}.change.usd", optional=True),
        "market_cap_usd_text": text(data, "market_cap"),
        "market_cap_btc_text": text(data, "market_cap_btc"),
        "total_volume_usd_text": text(data, "total_volume"),
        "total_volume_btc_text": text(data, "total_volume_btc"),
        "sparkline": text(data, "sparkline"),
    }


def parse_global(payload) -> GlobalStats:
    check = Checker("coingecko", "global")
    data = check.dict(check.field(check.dict(payload, "body"), "data", "body"), "data")
    caps = check.dict(check.field(data, "total_market_cap", "data"), "total_market_cap")
    volumes = check.dict(check.field(data, "total_volume", "data"), "total_volume")
    shares = check.dict(data.get("market_cap_percentage") or {}, "market_cap_percentage")
    total_cap = check.price(check.field(caps, "usd", "total_market_cap"), "total_market_cap.usd", vs="total")
    updated = data.get("updated_at")
    return GlobalStats(
        as_of=check.unix(updated, "updated_at") if updated else datetime.now(tz=UTC),
        total_market_cap_usd=total_cap,
        total_volume_usd=check.non_negative(check.field(volumes, "usd", "total_volume"), "total_volume.usd"),
        btc_dominance_pct=_percentage(check, shares.get("btc"), "btc dominance"),
        eth_dominance_pct=_percentage(check, shares.get("eth"), "eth dominance"),
        active_cryptocurrencies=check.integer(data.get("active_cryptocurrencies"), "active", optional=True),
        market_cap_change_24h_pct=check.decimal(
            data.get("market_cap_change_percentage_24h_usd"), "market_cap_change_24h", optional=True
        ),
        upcoming_icos=check.integer(data.get("upcoming_icos"), "upcoming_icos", optional=True),
        ongoing_icos=check.integer(data.get("ongoing_icos"), "ongoing_icos", optional=True),
        ended_icos=check.integer(data.get("ended_icos"), "ended_icos", optional=True),
        markets=check.integer(data.get("markets"), "markets", optional=True),
        volume_change_24h_pct=check.decimal(
            data.get("volume_change_percentage_24h_usd"), "volume_change_24h", optional=True
        ),
    )


def _percentage(check: Checker, value, what: str):
    number = check.non_negative(value, what)
    if number is not None and number > 100:
        raise check.fail(f"{what} is {number}%")
    return number


def parse_exchange_rates(payload) -> list[ExchangeRate]:
    check = Checker("coingecko", "exchange_rates")
    rates = check.dict(check.field(check.dict(payload, "body"), "rates", "body"), "rates")
    fetched_at = now()
    result = []
    for key, entry in rates.items():
        entry = check.dict(entry, key)
        kind = check.text(entry, "type", key)
        if kind not in ("fiat", "crypto", "commodity"):
            raise check.fail(f"{key}.type is {kind[:20]!r}")
        result.append(
            ExchangeRate(
                key=str(key).lower(),
                name=check.text(entry, "name", key),
                unit=check.text(entry, "unit", key),
                value=check.price(check.field(entry, "value", key), f"{key}.value", vs="rate"),
                type=kind,
                as_of=fetched_at,
            )
        )
    if "btc" not in {r.key for r in result} or "usd" not in {r.key for r in result}:
        raise check.fail("rates lack btc or usd")
    return result
