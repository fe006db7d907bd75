"""What the collector does not cover, fetched once before a read.

The read endpoints call these on a cache miss, before the selectors read: a coin,
currency or interval outside the schedule is asked of the providers once per cooldown
(a burst of requests makes one upstream call), with ON_DEMAND_TIMEOUT_S, and the answer
is stored like any collected data. Nothing here raises: each returns whether a provider
was asked, so the read can tell "not collected yet" from "no provider could be reached".
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings

from cryptodt.data_cache import first_attempt
from markets import selectors, selectors_defi
from markets.models import Coin, CoinCategory, CoinProfile, Protocol
from markets.services import category_members, collect

# Coins one request may have fetched: a 250-id simple/price of untracked coins costs a
# couple of provider calls, not a budget's worth.
MAX_ON_DEMAND_COINS = 50


def fill_quotes(*, coins: list[Coin], vs: str) -> bool:
    """Untracked coins (or a currency not collected) without a fresh price: one batched
    fetch. True when a provider was asked."""
    pending = [coin for coin in coins if not selectors.collected(coin, vs)]
    if not pending:  # the common case costs no query
        return False
    times = selectors.quote_times(coins=pending, vs=vs)
    wanted = []
    for coin in pending:
        t = times.get(coin.pk)
        if t and not selectors.is_stale(t):
            continue
        if len(wanted) < MAX_ON_DEMAND_COINS and first_attempt(f"price:{coin.pk}:{vs}"):
            wanted.append(coin)
    if wanted:
        collect.fetch_on_demand_quotes(coins=wanted, vs=vs)
    return bool(wanted)


def fill_history(*, coin: Coin, days: int, vs: str, now: datetime | None = None) -> bool:
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    if selectors.collected(coin, vs) or selectors.has_history(coin=coin, vs=vs, since=since):
        return False
    if not first_attempt(f"history:{coin.pk}:{vs}"):
        return False
    collect.fetch_on_demand_history(coin=coin, days=days, vs=vs)
    return True


def fill_candles(*, coin: Coin, interval: str, start: datetime | None, end: datetime | None) -> bool:
    if selectors.collects_candles(coin, interval):
        return False
    newest = selectors.newest_candle_time(coin=coin, interval=interval, start=start, end=end)
    fresh = newest is not None and (
        end is not None or datetime.now(UTC) - newest <= 2 * selectors.candle_step(interval)
    )
    if fresh or not first_attempt(f"candles:{coin.pk}:{interval}:{start}:{end}"):
        return False
    collect.fetch_on_demand_candles(coin=coin, interval=interval, start=start, end=end)
    return True


def fill_profile(*, coin_id: str) -> None:
    """CoinGecko's description of a coin (/api/v3/coins/{id}): only CoinGecko has it, so the
    first request fetches it once, within CoinGecko's budget; it is kept after that. A coin id
    the registry does not know yet (listed after the last daily coin list) is asked the same
    way, and added to the registry when CoinGecko describes it."""
    coin = Coin.objects.filter(coin_id=coin_id).first()
    if coin is not None and CoinProfile.objects.filter(coin=coin).exists():
        return
    if first_attempt(f"profile:{coin_id}", cooldown_s=300):
        collect.fetch_on_demand_profile(coin_id=coin_id)


def fill_protocol_tvl(*, slug: str, days: int, now: datetime | None = None) -> None:
    """Collection stores one point a day; the first request for a longer range fetches the history once."""
    protocol = Protocol.objects.filter(slug=slug).first()
    if protocol is None:
        return
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    if selectors_defi.tvl_points_since(protocol=protocol, since=since) < min(days, 7) and first_attempt(
        f"tvl:{protocol.pk}"
    ):
        collect.collect_protocol_tvl(protocol=protocol, timeout=settings.ON_DEMAND_TIMEOUT_S)


def fill_category(*, category_id: str) -> None:
    """A category's members (/api/v3/coins/markets?category=): fetched on its first request and
    once a day after that, one attempt per 5 minutes per category (markets.services.category_members)."""
    category = CoinCategory.objects.filter(category_id=category_id).first()
    if category is None or not category_members.is_due(category):
        return
    if first_attempt(f"category:{category_id}", cooldown_s=300):
        category_members.fetch_members(category=category)
