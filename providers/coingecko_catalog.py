"""CoinGecko's directory calls into records: coins/categories (every category with its market
figures; https://docs.coingecko.com/v3.0.1/reference/coins-categories, one call answers both
/coins/categories and /coins/categories/list) and asset_platforms
(https://docs.coingecko.com/v3.0.1/reference/asset-platforms-list) and
global/decentralized_finance_defi (https://docs.coingecko.com/v3.0.1/reference/global-defi)."""

from providers.payload import Checker
from providers.records import AssetPlatform, CoinCategory, GlobalDefi

MAX_TEXT = 5000  # descriptions are a paragraph; a megabyte of "content" is not one


def parse_categories(payload) -> list[CoinCategory]:
    check = Checker("coingecko", "coins/categories")
    result = []
    for item in check.list(payload, "body"):
        item = check.dict(item, "category")
        category_id = check.text(item, "id", "category")
        if len(category_id) > 200:
            raise check.fail("category id too long")
        what = f"category {category_id[:40]}"
        content = item.get("content") or ""
        if not isinstance(content, str) or len(content) > MAX_TEXT:
            raise check.fail(f"{what}.content is not a short text")
        result.append(
            CoinCategory(
                category_id=category_id,
                name=check.text(item, "name", what)[:200],
                market_cap=check.non_negative(item.get("market_cap"), f"{what}.market_cap"),
                market_cap_change_24h=check.decimal(
                    item.get("market_cap_change_24h"), f"{what}.market_cap_change_24h", optional=True
                ),
                volume_24h=check.non_negative(item.get("volume_24h"), f"{what}.volume_24h"),
                content=content,
                top_3_coins_id=_texts(check, item.get("top_3_coins_id"), f"{what}.top_3_coins_id"),
                top_3_coins=_texts(check, item.get("top_3_coins"), f"{what}.top_3_coins"),
                updated_at=check.iso(item.get("updated_at"), f"{what}.updated_at", optional=True),
            )
        )
    if len({c.category_id for c in result}) != len(result):
        raise check.fail("a category id appears twice")
    return result


def _texts(check: Checker, value, what: str) -> list[str]:
    if value is None:
        return []
    items = check.list(value, what, allow_empty=True)
    if len(items) > 10 or any(not isinstance(i, str) or len(i) > 500 for i in items):
        raise check.fail(f"{what} is not a short list of texts")
    return list(items)


def parse_asset_platforms(payload) -> list[AssetPlatform]:
    check = Checker("coingecko", "asset_platforms")
    result = []
    for item in check.list(payload, "body"):
        item = check.dict(item, "platform")
        platform_id = check.text(item, "id", "platform")
        what = f"platform {platform_id[:40]}"
        if len(platform_id) > 100:
            raise check.fail("platform id too long")
        native = item.get("native_coin_id")
        if native is not None and (not isinstance(native, str) or len(native) > 120):
            raise check.fail(f"{what}.native_coin_id is not an id")
        shortname = item.get("shortname") or ""
        if not isinstance(shortname, str):
            raise check.fail(f"{what}.shortname is not text")
        image = item.get("image") or {}
        image = check.dict(image, f"{what}.image")
        if any(
            not isinstance(k, str) or not (v is None or isinstance(v, str) and len(v) <= 500) for k, v in image.items()
        ):
            raise check.fail(f"{what}.image holds a non-URL")
        result.append(
            AssetPlatform(
                platform_id=platform_id,
                chain_identifier=check.integer(item.get("chain_identifier"), f"{what}.chain_identifier", optional=True),
                name=check.text(item, "name", what)[:200],
                shortname=shortname[:100],
                native_coin_id=native,
                image={k: v for k, v in image.items() if k in ("thumb", "small", "large")},
            )
        )
    if len({p.platform_id for p in result}) != len(result):
        raise check.fail("a platform id appears twice")
    return result


DEFI_FIGURES = ("defi_market_cap", "eth_market_cap", "defi_to_eth_ratio", "trading_volume_24h", "defi_dominance")


def parse_global_defi(payload) -> GlobalDefi:
    check = Checker("coingecko", "global/decentralized_finance_defi")
    data = check.dict(check.field(check.dict(payload, "body"), "data", "body"), "data")
    figures = {}
    for key in DEFI_FIGURES:
        text = check.field(data, key, "data")
        # A decimal string; checked as a finite non-negative number, kept as sent.
        if not isinstance(text, str) or len(text) > 100:
            raise check.fail(f"data.{key} is not a decimal string")
        check.non_negative(text, f"data.{key}", optional=False)
        figures[key] = text.strip()
    return GlobalDefi(
        **figures,
        top_coin_name=check.text(data, "top_coin_name", "data")[:200],
        top_coin_defi_dominance=check.non_negative(data.get("top_coin_defi_dominance"), "data.top_coin_defi_dominance"),
    )
