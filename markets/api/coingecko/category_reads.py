"""Categories in /search (CoinGecko's ``categories`` list: ``id`` and ``name``) and the coins
of a category for /coins/markets?category=."""

from django.db.models import Q

from cryptodt.api.errors import ApiError, NoDataAvailable
from markets.models import CategoryMembers, CoinCategory

SEARCH_LIMIT = 25


def search_categories(*, query: str) -> list[dict]:
    """Stored categories whose id or name contains the query: an exact id or name first, then
    names that start with it, then by name (CoinGecko lists the best match first)."""
    text = query.strip()
    if not text:
        return []
    found = CoinCategory.objects.filter(Q(category_id__icontains=text) | Q(name__icontains=text))
    low = text.lower()
    ranked = sorted(
        found.values_list("category_id", "name")[:500],
        key=lambda row: (
            row[0] != low and row[1].lower() != low,
            not row[1].lower().startswith(low),
            row[1].lower(),
            row[0],
        ),
    )
    return [{"id": key, "name": name} for key, name in ranked[:SEARCH_LIMIT]]


def member_ids(*, category_id: str, ids: list[str] | None) -> list[str]:
    """The ids ``coins_markets`` is limited to: the category's stored members (intersected with
    ``ids`` when both are asked, as CoinGecko applies both). A category CoinGecko does not list
    is a 400; one whose members could not be fetched yet a 503 (not an empty list: unknown)."""
    category = CoinCategory.objects.filter(category_id=category_id).first()
    if category is None:
        raise ApiError("invalid category", code="invalid_parameter", status=400)
    members = CategoryMembers.objects.filter(category=category).values_list("coin_ids", flat=True).first()
    if members is None:
        raise NoDataAvailable("this category's coins have not been fetched yet; try again shortly")
    if ids is None:
        return list(members)
    held = set(members)
    return [i for i in ids if i in held]
