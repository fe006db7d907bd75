"""Reads of the DeFi records (protocols, their TVL history, chains): database only, as in
``markets.selectors``. A protocol's missing TVL history is fetched before the read by
markets.services.on_demand, which the views call."""

from datetime import UTC, datetime, timedelta

from django.db.models import F

from cryptodt.api.errors import NoDataAvailable, NotFoundError
from cryptodt.times import iso
from markets.models import Chain, Protocol, ProtocolTVLPoint


def tvl_points_since(*, protocol: Protocol, since: datetime) -> int:
    return ProtocolTVLPoint.objects.filter(protocol=protocol, t__gte=since).count()


def protocols(*, limit: int, chain: str | None, category: str | None) -> dict:
    query = Protocol.objects.all()
    if chain:
        query = query.filter(chain_index__contains=f"|{chain.lower()}|")
    if category:
        query = query.filter(category__iexact=category)
    rows = [
        {
            "slug": p.slug,
            "name": p.name,
            "tvl": p.tvl,
            "change_1d_pct": p.change_1d_pct,
            "chains": p.chains,
            "category": p.category or None,
            "as_of": iso(p.as_of),
            "source": p.source,
        }
        for p in query.order_by(F("tvl").desc(nulls_last=True), "slug")[:limit]
    ]
    if not rows and not Protocol.objects.exists():
        raise NoDataAvailable("No DeFi protocols have been collected yet.")
    return {"data": rows}


def protocol_tvl(*, slug: str, days: int, now: datetime | None = None) -> dict:
    protocol = Protocol.objects.filter(slug=slug).first()
    if protocol is None:
        raise NotFoundError(f"No protocol with slug '{slug}'.", code="unknown_protocol", details={"slug": slug})
    start = (now or datetime.now(UTC)) - timedelta(days=days)

    points = ProtocolTVLPoint.objects.filter(protocol=protocol, t__gte=start).order_by("t")
    rows = [{"t": iso(p.t), "tvl": p.tvl} for p in points]
    if not rows:
        raise NoDataAvailable(f"No TVL history is stored for {slug} and no provider could be reached.")
    return {"data": rows, "slug": protocol.slug, "name": protocol.name}


def chains() -> dict:
    rows = [
        {
            "name": c.name,
            "tvl": c.tvl,
            "token_symbol": c.token_symbol or None,
            "as_of": iso(c.as_of),
            "source": c.source,
        }
        for c in Chain.objects.order_by("-tvl", "name")
    ]
    if not rows:
        raise NoDataAvailable("No chain TVL has been collected yet.")
    return {"data": rows}
