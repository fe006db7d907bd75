"""A collector process for the crash test: commits one batch, then writes a second one
until the test kills it with SIGKILL (run as ``python -m tests.data.collector_child``)."""

import os
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
django.setup()

from markets.services import ingest  # noqa: E402
from providers.records import Quote  # noqa: E402

FIRST, SECOND = int(sys.argv[1]), int(sys.argv[2])
START = datetime.now(UTC) - timedelta(days=6)


def batch(offset: int, count: int) -> list[Quote]:
    return [
        Quote(coin_id="bitcoin", symbol="BTC", price=Decimal(1000 + i), as_of=START + timedelta(seconds=offset + i))
        for i in range(count)
    ]


ingest.ingest_quotes(quotes=batch(0, FIRST), source="coingecko")
sys.stdout.write("first batch committed\n")
sys.stdout.flush()
ingest.ingest_quotes(quotes=batch(FIRST, SECOND), source="coingecko")
sys.stdout.write("second batch committed\n")
sys.stdout.flush()
