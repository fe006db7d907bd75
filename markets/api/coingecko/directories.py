"""Reads behind /api/v3/coins/categories, /coins/categories/list and /asset_platforms: the
stored directories (CoinGecko's coins/categories and asset_platforms, collected on the
schedule) in CoinGecko's shapes."""

from django.db.models import F

from markets.api.coingecko.selectors import _iso_ms
from markets.models import AssetPlatform, CoinCategory, GlobalDefiSnapshot

# CoinGecko's `order` values; a category without the figure sorts last either way.
ORDERS = {
    "market_cap_desc": F("market_cap").desc(nulls_last=True),
    "market_cap_asc": F("market_cap").asc(nulls_last=True),
    "name_desc": F("name").desc(),
    "name_asc": F("name").asc(),
    "market_cap_change_24h_desc": F("market_cap_change_24h").desc(nulls_last=True),
    "market_cap_change_24h_asc": F("market_cap_change_24h").asc(nulls_last=True),
}


def categories_list() -> list[dict] | None:
    """Every category's id and name, by name as CoinGecko lists them; None before any collection."""
    rows = list(CoinCategory.objects.order_by("name", "category_id").values_list("category_id", "name"))
    return [{"category_id": key, "name": name} for key, name in rows] or None


def categories(*, order: str) -> list[dict] | None:
    rows = list(CoinCategory.objects.order_by(ORDERS[order], "category_id"))
    if not rows:
        return None
    return [
        {
            "id": c.category_id,
            "name": c.name,
            "market_cap": c.market_cap,
            "market_cap_change_24h": c.market_cap_change_24h,
            "content": c.content,
            "top_3_coins_id": c.top_3_coins_id,
            "top_3_coins": c.top_3_coins,
            "volume_24h": c.volume_24h,
            "updated_at": _iso_ms(c.updated_at or c.t),
        }
        for c in rows
    ]


def asset_platforms() -> list[dict] | None:
    rows = list(AssetPlatform.objects.order_by("platform_id"))
    if not rows:
        return None
    return [
        {
            "id": p.platform_id,
            "chain_identifier": p.chain_identifier,
            "name": p.name,
            "shortname": p.shortname,
            "native_coin_id": p.native_coin_id,
            "image": p.image,
        }
        for p in rows
    ]


def global_defi() -> dict | None:
    """The newest stored DeFi figures, the strings as CoinGecko sent them."""
    row = GlobalDefiSnapshot.objects.order_by("-t").first()
    if row is None:
        return None
    data = {
        key: getattr(row, key)
        for key in ("defi_market_cap", "eth_market_cap", "defi_to_eth_ratio", "trading_volume_24h", "defi_dominance")
    }
    data["top_coin_name"] = row.top_coin_name
    data["top_coin_defi_dominance"] = row.top_coin_defi_dominance
    return {"data": data}
