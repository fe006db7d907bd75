"""Deciding which rules fire on newly stored values, and recording the firings.

Called by the prices-stored and fear-greed-stored hooks after the values commit. The cost
is that of the rules that watch what changed: active rules of the changed coins only
(index alert_rule_coin_active), one query per change window for the reference prices,
and writes only for rules whose condition flipped. A rule fires when its condition
becomes true (it was false, or the rule has seen no value yet), outside its cool-down;
a one-shot rule is disabled by its firing. The firing and its delivery rows are written
in one transaction before anything is sent (see alerts.services.delivery).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.models import FEAR_GREED_CONDITIONS, WINDOWS, AlertRule, Condition, Delivery, Firing
from alerts.services import delivery
from markets import selectors as market_selectors
from markets.times import iso

logger = logging.getLogger(__name__)

FEED_VS = "usd"
_FIELDS = (
    "pk",
    "user_id",
    "coin_id",
    "condition",
    "window",
    "threshold",
    "cooldown_s",
    "repeat",
    "last_met",
    "last_fired_at",
    "notify_websocket",
    "webhook_url",
)
_CHANGE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Rule:
    pk: int
    user_id: int
    coin_id: int | None
    condition: str
    window: str
    threshold: Decimal
    cooldown_s: int
    repeat: bool
    last_met: bool | None
    last_fired_at: datetime | None
    notify_websocket: bool
    webhook_url: str


@dataclass(frozen=True)
class Observation:
    value: Decimal
    t: datetime
    extra: dict


def number(value: Decimal) -> str:
    """Every digit, no exponent, no trailing zeros: how decimals travel in alert payloads."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def is_met(condition: str, value: Decimal, threshold: Decimal) -> bool:
    if condition in (Condition.PRICE_ABOVE, Condition.FEAR_GREED_ABOVE):
        return value > threshold
    if condition in (Condition.PRICE_BELOW, Condition.FEAR_GREED_BELOW):
        return value < threshold
    # change_pct: a rise of at least a positive threshold, a fall of at least a negative one.
    return value >= threshold if threshold >= 0 else value <= threshold


def _rules(query) -> list[Rule]:
    return [Rule(*row) for row in query.values_list(*_FIELDS)]


def evaluate_prices(*, snapshots: Sequence, now: datetime | None = None) -> list[Firing]:
    """Rules of the coins in ``snapshots`` (PriceSnapshot rows, ``coin`` loaded)."""
    latest = {s.coin_id: s for s in snapshots if s.vs == FEED_VS}
    if not latest:
        return []
    rules = _rules(AlertRule.objects.filter(coin_id__in=list(latest), active=True))
    if not rules:
        return []
    references = _references(rules, latest)

    def observe(rule: Rule) -> Observation | None:
        snap = latest[rule.coin_id]
        price = Decimal(snap.price)
        extra = {"coin": {"id": snap.coin.coin_id, "symbol": snap.coin.symbol}, "price": number(price)}
        if rule.condition != Condition.CHANGE_PCT:
            return Observation(value=price, t=snap.t, extra=extra)
        reference = references.get((rule.window, rule.coin_id))
        if reference is None or reference[1] <= 0:
            return None  # no stored price a window ago yet: the rule waits, it does not guess
        change = ((price - reference[1]) / reference[1] * 100).quantize(_CHANGE_PLACES)
        extra["reference"] = {"price": number(reference[1]), "at": iso(reference[0])}
        return Observation(value=change, t=snap.t, extra=extra)

    return _decide(rules, observe, now=now)


def _references(rules: Iterable[Rule], latest: dict) -> dict[tuple[str, int], tuple[datetime, Decimal]]:
    wanted: dict[str, set[int]] = {}
    for rule in rules:
        if rule.condition == Condition.CHANGE_PCT:
            wanted.setdefault(rule.window, set()).add(rule.coin_id)
    found = {}
    for window, coin_pks in wanted.items():
        seconds = WINDOWS[window]
        newest = max(latest[pk].t for pk in coin_pks)
        # A reference within a quarter of the window: an older one would not measure this window.
        refs = market_selectors.prices_at(
            coin_pks=coin_pks, at=newest - timedelta(seconds=seconds), tolerance=timedelta(seconds=seconds / 4)
        )
        found.update({(window, pk): ref for pk, ref in refs.items()})
    return found


def evaluate_fear_greed(*, value: int, t: datetime, classification: str = "", now: datetime | None = None):
    rules = _rules(AlertRule.objects.filter(condition__in=list(FEAR_GREED_CONDITIONS), active=True))
    observation = Observation(value=Decimal(value), t=t, extra={"classification": classification})
    return _decide(rules, lambda rule: observation, now=now)


def _decide(rules: list[Rule], observe, *, now: datetime | None) -> list[Firing]:
    now = now or timezone.now()
    flips: dict[bool, list[int]] = {True: [], False: []}
    candidates: list[tuple[Rule, Observation]] = []
    for rule in rules:
        seen = observe(rule)
        if seen is None:
            continue
        met = is_met(rule.condition, seen.value, Decimal(rule.threshold))
        if not met:
            if rule.last_met is not False:
                flips[False].append(rule.pk)
            continue
        if rule.last_met is True:
            continue
        cooling = rule.last_fired_at is not None and now - rule.last_fired_at < timedelta(seconds=rule.cooldown_s)
        if cooling:
            flips[True].append(rule.pk)  # a crossing inside the cool-down is spent, not saved up
        else:
            candidates.append((rule, seen))
    if not candidates and not flips[True] and not flips[False]:
        return []
    with transaction.atomic():
        for met, pks in flips.items():
            for start in range(0, len(pks), 500):
                AlertRule.objects.filter(pk__in=pks[start : start + 500]).update(last_met=met)
        firings, deliveries = [], []
        for rule, seen in candidates:
            if not _claim_firing(rule, now):
                continue  # another evaluator fired (or changed) it first
            firing = Firing(rule_id=rule.pk, value=seen.value, observed_at=seen.t, fired_at=now)
            firing.payload = _payload(firing, rule, seen)
            firings.append(firing)
            if rule.webhook_url:
                deliveries.append(Delivery(firing=firing, channel=Delivery.WEBHOOK, next_attempt_at=now))
            if rule.notify_websocket:
                deliveries.append(Delivery(firing=firing, channel=Delivery.WEBSOCKET, next_attempt_at=now))
        Firing.objects.bulk_create(firings)
        Delivery.objects.bulk_create(deliveries)
        user_of = {rule.pk: rule.user_id for rule, _ in candidates}
        transaction.on_commit(lambda: delivery.dispatch(deliveries, user_of=user_of))
    return firings


def _claim_firing(rule: Rule, now: datetime) -> bool:
    """Compare-and-set on what this evaluation read, so a rule fires once per crossing
    even when the stream and the scheduled cycle evaluate it at the same moment."""
    query = AlertRule.objects.filter(pk=rule.pk, active=True)
    query = query.filter(last_met__isnull=True) if rule.last_met is None else query.filter(last_met=rule.last_met)
    if rule.last_fired_at is None:
        query = query.filter(last_fired_at__isnull=True)
    else:
        query = query.filter(last_fired_at=rule.last_fired_at)
    return bool(query.update(last_met=True, last_fired_at=now, fired_count=F("fired_count") + 1, active=rule.repeat))


def _payload(firing: Firing, rule: Rule, seen: Observation) -> dict:
    return {
        "firing_id": str(firing.id),
        "rule": {
            "id": rule.pk,
            "coin": seen.extra.get("coin"),
            "condition": rule.condition,
            "window": rule.window or None,
            "threshold": number(rule.threshold),
            "cooldown_s": rule.cooldown_s,
            "repeat": rule.repeat,
        },
        "value": number(seen.value),
        "observed_at": iso(seen.t),
        "fired_at": iso(firing.fired_at),
        **{k: v for k, v in seen.extra.items() if k != "coin"},
    }


def on_prices_stored(sender, *, snapshots, **kwargs) -> None:
    evaluate_prices(snapshots=snapshots)


def on_fear_greed_stored(sender, *, points, **kwargs) -> None:
    newest = max(points, key=lambda p: p.t)
    evaluate_fear_greed(value=newest.value, t=newest.t, classification=newest.classification)
