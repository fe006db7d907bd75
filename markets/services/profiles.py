"""Coin profiles (CoinGecko's coins/{id} description, asked on the first /api/v3/coins/{id}
request by markets.services.on_demand.fill_profile): stored, and a coin the registry did not
know yet added from them."""

from datetime import UTC, datetime

from django.db import transaction

from cryptodt import data_cache as cache
from markets.models import Coin, CoinProfile
from markets.services import registry
from providers import stats
from providers.records import CoinListing
from providers.records import CoinProfile as CoinProfileRecord


def ingest_profile(*, coin_id: str, profile: CoinProfileRecord, source: str) -> bool:
    """A coin's description, stored when it is the coin asked for (a provider answering
    another coin's page is rejected, never stored under this one). A coin the registry did
    not know is added with the profile's symbol and name, untracked."""
    if profile.coin_id != coin_id:
        reason = f"profile for {coin_id} answered {profile.coin_id}"
        stats.record_error(source, "coin profile", reason[:300], invalid_payload=True)
        return False
    with transaction.atomic():
        coin = Coin.objects.filter(coin_id=coin_id).first()
        if coin is None:
            registry.upsert_listings(listings=[CoinListing(coin_id=coin_id, symbol=profile.symbol, name=profile.name)])
            coin = Coin.objects.get(coin_id=coin_id)
        _store_profile(coin, profile, source)
    cache.bump("market", "prices")
    return True


def _store_profile(coin: Coin, profile: CoinProfileRecord, source: str) -> None:
    CoinProfile.objects.update_or_create(
        coin=coin, defaults={"fields": profile.fields, "fetched_at": datetime.now(UTC), "source": source}
    )
