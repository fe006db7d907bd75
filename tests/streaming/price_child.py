"""Another process storing one price through the ingest service, as the collector does
(run as ``python -m tests.streaming.price_child <coin_id> <symbol> <price> <iso time>``)."""

import os
import sys
from datetime import datetime
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
django.setup()

from markets.services import ingest  # noqa: E402
from providers.records import Quote  # noqa: E402

coin_id, symbol, price, at = sys.argv[1:5]
quote = Quote(coin_id=coin_id, symbol=symbol, price=Decimal(price), as_of=datetime.fromisoformat(at))
ingest.ingest_quotes(quotes=[quote], source="binance")
