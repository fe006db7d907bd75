"""Deciding which rules fire on newly stored values, and recording the firings.

Called by the prices-stored and fear-greed-stored hooks after the values commit. The cost
is that of the rules that watch what changed: active rules of the changed coins only
(index alert_rule_evaluate, which also holds what the test reads), tested against the new values in SQL, so only rules
whose condition flipped are written or read back; one query per change window fetches
the reference prices. Above/below are strict; a change of at least the threshold
(a fall, for a negative one) meets a change_pct rule. A rule fires when its condition
becomes true (it was false, or the rule has seen no value yet), outside its cool-down;
a one-shot rule is disabled by its firing. The firing and its delivery rows are written
in one transaction before anything is sent (see alerts.services.delivery).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from alerts.models import FEAR_GREED_CONDITIONS, WINDOWS, AlertRule, Condition, Delivery, Firing
from alerts.services import delivery
from cryptodt.times import iso
from markets import selectors as market_selectors

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
_COINS_PER_QUERY = 25


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


def _rules(query) -> list[Rule]:
    return [Rule(*row) for row in query.order_by().values_list(*_FIELDS)]


def _tests(seen: dict[tuple[str, str], Observation], *, met: bool) -> tuple[str, list]:
    """SQL true for the rules (of one coin, or of the market) that ``seen`` now meets (or
    misses): the database skips the rules that did not flip without handing them to Python.
    Written out rather than built from Q objects, whose compilation cost more than the
    query with thousands of rules."""
    qn = connection.ops.quote_name
    condition, window, threshold = qn("condition"), qn("window"), qn("threshold")
    parts, params = [], []
    for (kind, span), observation in seen.items():
        value = observation.value
        if kind in (Condition.PRICE_ABOVE, Condition.FEAR_GREED_ABOVE):
            parts.append(f"({condition} = %s AND {threshold} {'<' if met else '>='} %s)")
            params += [kind, value]
        elif kind in (Condition.PRICE_BELOW, Condition.FEAR_GREED_BELOW):
            parts.append(f"({condition} = %s AND {threshold} {'>' if met else '<='} %s)")
            params += [kind, value]
        else:  # a rise of at least a positive threshold, a fall of at least a negative one
            rise, fall = ("<=", ">=") if met else (">", "<")
            parts.append(
                f"({condition} = %s AND {window} = %s AND "
                f"(({threshold} >= 0 AND {threshold} {rise} %s) OR ({threshold} < 0 AND {threshold} {fall} %s)))"
            )
            params += [kind, span, value, value]
    return " OR ".join(parts) or "1 = 0", params


def _where(groups: dict, *, met: bool) -> RawSQL:
    """``_tests`` per coin (``groups``: coin pk → observations), OR-ed."""
    parts, params = [], []
    for pk, seen in groups.items():
        sql, more = _tests(seen, met=met)
        parts.append(f"({connection.ops.quote_name('coin_id')} = %s AND ({sql}))")
        params += [pk, *more]
    # Only quoted column names and fixed operators are spliced in; every value is a parameter.
    return RawSQL(" OR ".join(parts) or "1 = 0", params, output_field=BooleanField())  # noqa: S611


def evaluate_prices(*, snapshots: Sequence, now: datetime | None = None) -> list[Firing]:
    """Rules of the coins in ``snapshots`` (PriceSnapshot rows, ``coin`` loaded)."""
    latest = {s.coin_id: s for s in snapshots if s.vs == FEED_VS}
    if not latest:
        return []
    seen = _observations(latest)
    firings = []
    # Some coins per statement: each rule row is tested against its own coin's clause only.
    coin_pks = list(latest)
    for start in range(0, len(coin_pks), _COINS_PER_QUERY):
        chunk = {pk: seen[pk] for pk in coin_pks[start : start + _COINS_PER_QUERY]}
        rules = AlertRule.objects.filter(coin_id__in=list(chunk), active=True)
        firings += _decide(
            rules,
            met=_where(chunk, met=True),
            missed=_where(chunk, met=False),
            observe=lambda rule: seen[rule.coin_id][(rule.condition, rule.window)],
            now=now,
        )
    return firings


def _observations(latest: dict) -> dict[int, dict[tuple[str, str], Observation]]:
    """Per coin, the value each kind of rule compares: the price, and the change over each
    window that has a stored reference price (a change rule without one waits, never guesses)."""
    seen: dict[int, dict[tuple[str, str], Observation]] = {}
    for pk, snap in latest.items():
        price = Decimal(snap.price)
        extra = {"coin": {"id": snap.coin.coin_id, "symbol": snap.coin.symbol}, "price": number(price)}
        observation = Observation(value=price, t=snap.t, extra=extra)
        seen[pk] = {(Condition.PRICE_ABOVE, ""): observation, (Condition.PRICE_BELOW, ""): observation}
    newest = max(snap.t for snap in latest.values())
    for window, seconds in WINDOWS.items():
        # A reference within a quarter of the window: an older one would not measure this window.
        references = market_selectors.prices_at(
            coin_pks=list(latest), at=newest - timedelta(seconds=seconds), tolerance=timedelta(seconds=seconds / 4)
        )
        for pk, (t, reference) in references.items():
            if reference <= 0:
                continue
            price = seen[pk][(Condition.PRICE_ABOVE, "")]
            change = ((price.value - reference) / reference * 100).quantize(_CHANGE_PLACES)
            extra = {**price.extra, "reference": {"price": number(reference), "at": iso(t)}}
            seen[pk][(Condition.CHANGE_PCT, window)] = Observation(value=change, t=price.t, extra=extra)
    return seen


def evaluate_fear_greed(*, value: int, t: datetime, classification: str = "", now: datetime | None = None):
    observation = Observation(value=Decimal(value), t=t, extra={"classification": classification})
    seen = {(condition, ""): observation for condition in FEAR_GREED_CONDITIONS}
    rules = AlertRule.objects.filter(condition__in=list(FEAR_GREED_CONDITIONS), active=True)
    met, missed = (RawSQL(*_tests(seen, met=m), output_field=BooleanField()) for m in (True, False))  # noqa: S611
    return _decide(rules, met=met, missed=missed, observe=lambda rule: observation, now=now)


def _decide(rules, *, met, missed, observe, now: datetime | None) -> list[Firing]:
    """``rules``: those the new values apply to; ``met``/``missed``: which of them now hold or not."""
    now = now or timezone.now()
    with transaction.atomic():
        # No longer met: one UPDATE, nothing read.
        rules.filter(missed).exclude(last_met=False).update(last_met=False)
        # Newly met: the only rows that reach Python, locked so that a concurrent evaluator
        # (stream_prices and the scheduled cycle at the same moment) waits, then sees them
        # met and skips them: one crossing, one firing. (SQLite: the IMMEDIATE transaction
        # already serialises writers.)
        newly = _rules(rules.filter(met).exclude(last_met=True).select_for_update())
        cooling, candidates = [], []
        for rule in newly:
            if rule.last_fired_at is not None and now - rule.last_fired_at < timedelta(seconds=rule.cooldown_s):
                cooling.append(rule.pk)  # a crossing inside the cool-down is spent, not saved up
            else:
                candidates.append(rule)
        _update(cooling, last_met=True)
        fired = {"last_met": True, "last_fired_at": now, "fired_count": F("fired_count") + 1}
        _update([r.pk for r in candidates if r.repeat], **fired)
        _update([r.pk for r in candidates if not r.repeat], active=False, **fired)  # one-shot: done
        firings, deliveries = [], []
        for rule in candidates:
            seen = observe(rule)
            firing = Firing(rule_id=rule.pk, value=seen.value, observed_at=seen.t, fired_at=now)
            firing.payload = _payload(firing, rule, seen)
            firings.append(firing)
            if rule.webhook_url:
                deliveries.append(Delivery(firing=firing, channel=Delivery.WEBHOOK, next_attempt_at=now))
            if rule.notify_websocket:
                deliveries.append(Delivery(firing=firing, channel=Delivery.WEBSOCKET, next_attempt_at=now))
        if firings:
            Firing.objects.bulk_create(firings)
            Delivery.objects.bulk_create(deliveries)
            user_of = {rule.pk: rule.user_id for rule in candidates}
            transaction.on_commit(lambda: delivery.dispatch(deliveries, user_of=user_of))
    return firings


def _update(pks: list[int], **fields) -> None:
    for start in range(0, len(pks), 500):
        AlertRule.objects.filter(pk__in=pks[start : start + 500]).update(**fields)


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
