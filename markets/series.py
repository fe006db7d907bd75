"""Fast reads of long time series (history endpoints read hundreds of rows per request).

Going through model instances and Django's per-value converters costs most of a history
request on SQLite. There a DECIMAL column holds a float anyway, so it is read as REAL and
turned into a Decimal from its shortest repr (the same digits that were stored) and the
time as text; PostgreSQL hands back Decimals and datetimes natively.
"""

from decimal import Decimal

from django.db import connection
from django.db.models import CharField, FloatField, QuerySet
from django.db.models.functions import Cast

from cryptodt.times import iso


def rows(queryset: QuerySet, *, money: list[str]) -> list[tuple]:
    """``(t as "YYYY-MM-DDTHH:MM:SSZ", *money as Decimal | None)`` in the queryset's order."""
    if connection.vendor != "sqlite":
        return [(iso(t), *values) for t, *values in queryset.values_list("t", *money)]
    casts = {f"_{name}": Cast(name, FloatField()) for name in money}
    query = queryset.annotate(_t=Cast("t", CharField()), **casts).values_list("_t", *casts)
    return [
        (f"{t[:10]}T{t[11:19]}Z", *(None if v is None else Decimal(repr(v)) for v in values)) for t, *values in query
    ]
