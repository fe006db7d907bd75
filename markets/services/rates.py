"""Exchange rates (CoinGecko's /exchange_rates, every rate relative to BTC): stored whole.

Collected on the schedule (``collect.collect_exchange_rates``, hourly by the provider plan),
one CoinGecko call each time; a batch that fails validation is rejected whole.
"""

from collections.abc import Sequence

from django.db import transaction

from cryptodt import data_cache as cache
from markets.models import ExchangeRate
from providers import validation as v
from providers.records import ExchangeRate as ExchangeRateRecord


def ingest_exchange_rates(*, rates: Sequence[ExchangeRateRecord], source: str) -> int:
    rows = {}
    for rate in rates:
        key = v.text(rate.key, "rate key", max_length=10).lower()
        rows[key] = ExchangeRate(
            key=key,
            name=v.text(rate.name, f"{key} name", max_length=100),
            unit=v.text(rate.unit, f"{key} unit", max_length=20),
            value=v.money(rate.value, f"{key} rate", positive=True),
            type=v.text(rate.type, f"{key} type", max_length=10),
            t=v.moment(rate.as_of, f"{key} time"),
            source=source[:32],
        )
    if "usd" not in rows or "btc" not in rows:
        raise v.InvalidRecord("exchange rates lack usd or btc")
    fields = ["name", "unit", "value", "type", "t", "source"]
    with transaction.atomic():
        ExchangeRate.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=["key"], update_fields=fields
        )
    cache.bump("prices", "market", "history")
    return len(rows)
