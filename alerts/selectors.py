"""Reads of alerts: a user's rules, their firings and deliveries, and coin look-up."""

import re

from django.db.models import Prefetch, QuerySet

from alerts.models import AlertRule, Delivery, Firing
from cryptodt.api.errors import InvalidParameter, NotFoundError
from markets import selectors as market_selectors
from markets.models import Coin

_COIN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
_SYMBOL = re.compile(r"^[A-Za-z0-9$._-]{1,40}$")
MAX_LISTED = 200


def rules_of(*, user) -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(user=user).select_related("coin").order_by("-created", "-pk")


def rule_of(*, user, pk: int) -> AlertRule:
    rule = rules_of(user=user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if rule is None:
        raise NotFoundError(f"No alert rule {pk}.", code="unknown_alert", details={"id": pk})
    return rule


def firings_of(*, rule: AlertRule) -> QuerySet[Firing]:
    deliveries = Prefetch("deliveries", queryset=Delivery.objects.order_by("channel"))
    return rule.firings.order_by("-fired_at").prefetch_related(deliveries)[:MAX_LISTED]


def deliveries_of(*, rule: AlertRule, state: str | None = None) -> QuerySet[Delivery]:
    query = Delivery.objects.filter(firing__rule=rule).order_by("-created", "-pk")
    return (query.filter(state=state) if state else query)[:MAX_LISTED]


def coin_for(text: str) -> Coin:
    """A coin by its id (``bitcoin``) or, failing that, its symbol (``BTC``, the largest coin)."""
    text = text.strip()
    if _COIN_ID.match(text.lower()):
        coin = Coin.objects.filter(coin_id=text.lower()).first()
        if coin is not None:
            return coin
    if _SYMBOL.match(text):
        try:
            return market_selectors.resolve_symbol(symbol=text)
        except NotFoundError:
            pass
    raise InvalidParameter("coin", f"No coin with id or symbol {text[:50]!r}.")
