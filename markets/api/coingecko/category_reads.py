"""Categories in /search (CoinGecko's ``categories`` list: ``id`` and ``name``)."""

from django.db.models import Q

from markets.models import CoinCategory

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
