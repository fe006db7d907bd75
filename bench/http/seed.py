"""A data directory for the HTTP benchmark of real endpoints: 1,000 tracked coins with a
latest USD price each, one global snapshot, and an enterprise and a pro user with an API key
(the pro user also with a 12-hour Bearer JWT).

    .venv/bin/python bench/http/seed.py /tmp/cryptodt-bench-data
    .venv/bin/python bench/http/run.py --data-dir /tmp/cryptodt-bench-data \
        --url '/api/prices?symbols=BTC,ETH' --header "X-API-Key: <printed key>"

Prints the two keys and the JWT. Symbols are C0..C999 plus BTC and ETH for the first two coins.
"""

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def seed(data_dir: str, *, coins: int = 1000) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts import services as accounts
    from markets.models import Coin, GlobalSnapshot, LatestQuote

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    now = datetime.now(UTC).replace(microsecond=0)
    symbols = {0: "BTC", 1: "ETH"}
    Coin.objects.bulk_create(
        [
            Coin(
                coin_id=f"coin-{i:04d}",
                symbol=symbols.get(i, f"C{i}"),
                name=f"Coin {i}",
                market_cap_rank=i + 1,
                market_cap=10**12 // (i + 1),
                tracked=True,
            )
            for i in range(coins)
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    LatestQuote.objects.all().delete()
    LatestQuote.objects.bulk_create(
        [
            LatestQuote(
                coin_id=pk,
                vs="usd",
                t=now,
                price=f"{60000 / (1 + i) ** 1.7:.10g}",
                market_cap=str(10**12 // (i + 1)),
                volume_24h="123456789.12",
                change_24h_pct="-1.25",
                source="coingecko",
            )
            for i, pk in enumerate(Coin.objects.order_by("market_cap_rank").values_list("pk", flat=True))
        ],
        batch_size=500,
    )
    GlobalSnapshot.objects.update_or_create(
        t=now,
        defaults={
            "total_market_cap_usd": "2400000000000",
            "total_volume_usd": "98000000000",
            "btc_dominance_pct": "52.1",
            "eth_dominance_pct": "17.3",
            "market_cap_change_24h_pct": "-0.8",
            "active_cryptocurrencies": 12000,
            "source": "coingecko",
        },
    )
    keys = {}
    for tier in ("enterprise", "pro"):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-{tier}")
        accounts.tier_set(user=user, tier=tier)
        keys[tier] = accounts.api_key_issue(user=user, name="bench").key
    # A Bearer JWT for the pro user, valid long enough for a whole table run.
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(hours=12))
    keys["pro-jwt"] = str(token)
    return keys


if __name__ == "__main__":
    for tier, key in seed(sys.argv[1]).items():
        print(f"{tier}: {key}")
