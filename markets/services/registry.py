"""The coin registry: identity, symbol resolution data and exchange pairs."""

from collections.abc import Sequence

from django.db import transaction

from markets.models import Coin
from markets.models.coins import largest_coin_per_symbol
from providers import validation as v
from providers.records import CoinListing, CoinRef, MarketRow


def coin_ref(coin: Coin) -> CoinRef:
    return CoinRef(
        coin_id=coin.coin_id,
        symbol=coin.symbol,
        coincap_id=coin.coincap_id or None,
        binance_pair=coin.binance_pair or None,
        kraken_pair=coin.kraken_pair or None,
        coinbase_pair=coin.coinbase_pair or None,
    )


def upsert_listings(*, listings: Sequence[CoinListing]) -> int:
    """Add every coin a provider lists; names and symbols follow the provider, nothing else changes."""
    coins = {}
    for item in listings:
        coin_id = v.text(item.coin_id, "coin id", max_length=120)
        coins[coin_id] = Coin(
            coin_id=coin_id,
            symbol=v.text(item.symbol, f"{coin_id} symbol", max_length=40).upper(),
            name=v.text(item.name, f"{coin_id} name", max_length=200, required=False) or coin_id,
            platforms=item.platforms,
        )
    # A list without platforms (another provider's) leaves the stored ones alone.
    with_platforms = any(item.platforms is not None for item in listings)
    with transaction.atomic():
        Coin.objects.bulk_create(
            coins.values(),
            update_conflicts=True,
            unique_fields=["coin_id"],
            update_fields=["symbol", "name", "platforms"] if with_platforms else ["symbol", "name"],
            batch_size=500,
        )
    return len(coins)


def upsert_market_rows(*, rows: Sequence[MarketRow], track: bool) -> dict[str, Coin]:
    """Ranks, market caps, images of listed coins; with ``track`` they become the tracked set.

    Runs inside the caller's transaction. Returns each row's coin_id → its Coin (saved).
    """
    incoming = {}
    for row in rows:
        coin_id = v.text(row.coin_id, "coin id", max_length=120)
        incoming[coin_id] = row
    existing = Coin.objects.in_bulk(list(incoming), field_name="coin_id")
    existing.update(_same_coins_by_other_ids(incoming, existing))
    coins: dict[str, Coin] = {}
    for coin_id, row in incoming.items():
        coin = existing.get(coin_id) or Coin(coin_id=coin_id)
        if coin.coin_id == coin_id:  # a coin matched by another provider's id keeps its own name
            coin.symbol = v.text(row.symbol, f"{coin_id} symbol", max_length=40).upper()
            coin.name = v.text(row.name, f"{coin_id} name", max_length=200, required=False) or coin_id
        coin.market_cap_rank = row.rank if row.rank and row.rank > 0 else coin.market_cap_rank
        coin.market_cap = v.money(row.market_cap, f"{coin_id} market cap") or coin.market_cap
        coin.image = (row.image or coin.image or "")[:500]
        coin.coincap_id = row.coincap_id or coin.coincap_id
        for supply in ("circulating_supply", "total_supply", "max_supply"):
            value = v.money(getattr(row, supply, None), f"{coin_id} {supply}")
            setattr(coin, supply, value if value is not None else getattr(coin, supply))
        coin.tracked = coin.tracked or track
        coins[coin.coin_id] = coin
    Coin.objects.bulk_create(
        coins.values(),
        update_conflicts=True,
        unique_fields=["coin_id"],
        update_fields=[
            "symbol",
            "name",
            "market_cap_rank",
            "market_cap",
            "image",
            "coincap_id",
            "tracked",
            "circulating_supply",
            "total_supply",
            "max_supply",
        ],
        batch_size=500,
    )
    if track:
        Coin.objects.filter(tracked=True).exclude(coin_id__in=list(coins)).update(tracked=False)
    saved = Coin.objects.in_bulk(list(coins), field_name="coin_id")
    return {coin_id: saved[(existing.get(coin_id) or Coin(coin_id=coin_id)).coin_id] for coin_id in incoming}


def _same_coins_by_other_ids(incoming: dict[str, MarketRow], known: dict[str, Coin]) -> dict[str, Coin]:
    """A fallback listing (CoinCap) may name a registered coin by its own id: match it by
    CoinCap id, else by symbol (largest market cap), instead of registering a duplicate."""
    unknown = {
        coin_id: row for coin_id, row in incoming.items() if coin_id not in known and (row.coincap_id or row.foreign_id)
    }
    if not unknown:
        return {}
    coincap_ids = [r.coincap_id for r in unknown.values() if r.coincap_id]
    by_coincap = {c.coincap_id: c for c in Coin.objects.filter(coincap_id__in=coincap_ids)}
    by_symbol = largest_coin_per_symbol(Coin.objects.filter(symbol__in={r.symbol.upper() for r in unknown.values()}))
    matches = {}
    for coin_id, row in unknown.items():
        match = (by_coincap.get(row.coincap_id) if row.coincap_id else None) or by_symbol.get(row.symbol.upper())
        if match is not None and match.coin_id not in incoming:
            matches[coin_id] = match
    return matches


def assign_exchange_pairs(*, pairs: dict[str, dict[str, str]]) -> int:
    """Give each exchange's symbol pair to the largest-market-cap coin with that symbol."""
    field_for = {"binance": "binance_pair", "kraken": "kraken_pair", "coinbase": "coinbase_pair"}
    assigned = 0
    with transaction.atomic():
        for exchange, by_symbol in pairs.items():
            field = field_for.get(exchange)
            if field is None or not by_symbol:
                continue
            symbols = {str(s).upper() for s in by_symbol}
            owners = largest_coin_per_symbol(Coin.objects.filter(symbol__in=symbols))
            Coin.objects.exclude(**{field: ""}).update(**{field: ""})
            for symbol, coin in owners.items():
                pair = next((p for s, p in by_symbol.items() if s.upper() == symbol), "")
                setattr(coin, field, str(pair)[:40])
            Coin.objects.bulk_update(list(owners.values()), [field], batch_size=500)
            assigned += len(owners)
    return assigned


def ensure_coin(*, coin_id: str, symbol: str, name: str) -> Coin:
    coin, _ = Coin.objects.get_or_create(
        coin_id=coin_id[:120], defaults={"symbol": symbol.upper()[:40], "name": (name or coin_id)[:200]}
    )
    return coin
