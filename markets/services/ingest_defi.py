"""Idempotent upserts of DeFi records: protocols with their daily TVL points, and chains.

Validated whole before the transaction, as in ``ingest``; the cache versions of the data
kinds written are bumped after it.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from cryptodt import data_cache as cache
from markets.models import Chain, Protocol, ProtocolTVLPoint
from markets.services.ingest import BATCH
from providers import validation as v
from providers.records import ChainTVL, ProtocolTVL, TVLPoint


def _day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def ingest_protocols(*, protocols: Sequence[ProtocolTVL], source: str) -> int:
    """Latest TVL per protocol, and today's point of its daily TVL history."""
    rows = {}
    for item in protocols:
        slug = v.text(item.slug, "protocol slug", max_length=200)
        chains = [str(c)[:100].replace("|", "/") for c in item.chains][:200]
        rows[slug] = Protocol(
            slug=slug,
            name=v.text(item.name, f"{slug} name", max_length=200, required=False) or slug,
            category=(item.category or "")[:100],
            chains=chains,
            chain_index="|" + "|".join(c.lower() for c in chains) + "|" if chains else "",
            symbol=(item.symbol or "")[:40],
            gecko_id=(item.gecko_id or "")[:120],
            tvl=v.money(item.tvl, f"{slug} tvl"),
            change_1d_pct=v.money(item.change_1d_pct, f"{slug} change", signed=True),
            as_of=v.moment(item.as_of, f"{slug} time"),
            source=source,
        )
    fields = [
        "name",
        "category",
        "chains",
        "chain_index",
        "symbol",
        "gecko_id",
        "tvl",
        "change_1d_pct",
        "as_of",
        "source",
    ]
    with transaction.atomic():
        Protocol.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=["slug"], update_fields=fields, batch_size=BATCH
        )
        ids = dict(Protocol.objects.filter(slug__in=list(rows)).values_list("slug", "id"))
        points = [
            ProtocolTVLPoint(protocol_id=ids[slug], t=_day(p.as_of), tvl=p.tvl, source=source)
            for slug, p in rows.items()
            if p.tvl is not None
        ]
        ProtocolTVLPoint.objects.bulk_create(
            points,
            update_conflicts=True,
            unique_fields=["protocol", "t"],
            update_fields=["tvl", "source"],
            batch_size=BATCH,
        )
    cache.bump("defi")
    return len(rows)


def ingest_protocol_tvl(*, protocol: Protocol, points: Sequence[TVLPoint], source: str) -> int:
    rows = {}
    for point in points:
        t = _day(v.moment(point.t, f"{protocol.slug} tvl time"))
        rows[t] = ProtocolTVLPoint(
            protocol=protocol, t=t, tvl=v.money(point.tvl, f"{protocol.slug} tvl"), source=source
        )
    with transaction.atomic():
        ProtocolTVLPoint.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["protocol", "t"],
            update_fields=["tvl", "source"],
            batch_size=BATCH,
        )
    cache.bump("defi")
    return len(rows)


def ingest_chains(*, chains: Sequence[ChainTVL], source: str) -> int:
    rows = {}
    for item in chains:
        name = v.text(item.name, "chain name", max_length=100)
        rows[name] = Chain(
            name=name,
            tvl=v.money(item.tvl, f"{name} tvl", positive=False) or 0,
            token_symbol=(item.token_symbol or "")[:40],
            gecko_id=(item.gecko_id or "")[:120],
            as_of=v.moment(item.as_of, f"{name} time"),
            source=source,
        )
    with transaction.atomic():
        Chain.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["tvl", "token_symbol", "gecko_id", "as_of", "source"],
            batch_size=BATCH,
        )
    cache.bump("defi")
    return len(rows)
