"""CoinGecko's coins/categories body (every category with its market figures) into records.

https://docs.coingecko.com/v3.0.1/reference/coins-categories. One call answers both
/coins/categories and /coins/categories/list (its ids and names)."""

from providers.payload import Checker
from providers.records import CoinCategory

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
