"""CoinGecko's directories, stored whole on the schedule: coin categories (coins/categories)
and asset platforms (asset_platforms).

An entry CoinGecko no longer lists is removed, so /api/v3/ answers what CoinGecko answered
last; a batch that fails validation is rejected whole."""

from collections.abc import Sequence
from datetime import UTC, datetime

from cryptodt import data_cache as cache
from markets.models import AssetPlatform, CoinCategory, GlobalDefiSnapshot
from markets.services.directories import replace_directory
from providers import validation as v
from providers.records import AssetPlatform as AssetPlatformRecord
from providers.records import CoinCategory as CoinCategoryRecord
from providers.records import GlobalDefi


def ingest_categories(*, categories: Sequence[CoinCategoryRecord], source: str, now: datetime | None = None) -> int:
    if not categories:
        raise v.InvalidRecord("an empty category list would remove every category")
    t = v.moment(now or datetime.now(UTC), "categories time")
    rows = {}
    for item in categories:
        key = v.text(item.category_id, "category id", max_length=200)
        rows[key] = CoinCategory(
            category_id=key,
            name=v.text(item.name, f"{key} name", max_length=200),
            market_cap=v.money(item.market_cap, f"{key} market cap"),
            market_cap_change_24h=v.money(item.market_cap_change_24h, f"{key} change", signed=True),
            volume_24h=v.money(item.volume_24h, f"{key} volume"),
            content=item.content,
            top_3_coins_id=list(item.top_3_coins_id),
            top_3_coins=list(item.top_3_coins),
            updated_at=item.updated_at,
            t=t,
            source=source[:32],
        )
    return replace_directory(CoinCategory, rows=rows, key_field="category_id")


def ingest_asset_platforms(
    *, platforms: Sequence[AssetPlatformRecord], source: str, now: datetime | None = None
) -> int:
    if not platforms:
        raise v.InvalidRecord("an empty platform list would remove every platform")
    t = v.moment(now or datetime.now(UTC), "platforms time")
    rows = {}
    for item in platforms:
        key = v.text(item.platform_id, "platform id", max_length=100)
        rows[key] = AssetPlatform(
            platform_id=key,
            chain_identifier=item.chain_identifier,
            name=v.text(item.name, f"{key} name", max_length=200),
            shortname=v.text(item.shortname, f"{key} shortname", max_length=100, required=False),
            native_coin_id=item.native_coin_id,
            image=dict(item.image),
            t=t,
            source=source[:32],
        )
        if item.chain_identifier is not None and not -(2**63) < item.chain_identifier < 2**63:
            raise v.InvalidRecord(f"{key} chain identifier out of range")
    return replace_directory(AssetPlatform, rows=rows, key_field="platform_id")


def ingest_global_defi(*, defi: GlobalDefi, source: str, now: datetime | None = None) -> int:
    """One snapshot; older ones are kept (like GlobalSnapshot) and pruned with them."""
    t = v.moment(now or datetime.now(UTC), "defi time")
    GlobalDefiSnapshot.objects.update_or_create(
        t=t,
        defaults={
            "defi_market_cap": defi.defi_market_cap,
            "eth_market_cap": defi.eth_market_cap,
            "defi_to_eth_ratio": defi.defi_to_eth_ratio,
            "trading_volume_24h": defi.trading_volume_24h,
            "defi_dominance": defi.defi_dominance,
            "top_coin_name": v.text(defi.top_coin_name, "defi top coin", max_length=200),
            "top_coin_defi_dominance": v.money(defi.top_coin_defi_dominance, "defi top coin dominance"),
            "source": source[:32],
        },
    )
    cache.bump("market")
    return 1
