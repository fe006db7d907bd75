"""Getting firings to their targets: webhooks through django-q2, alert frames to sockets.

A webhook delivery is sent by whoever wins a conditional UPDATE (the claim), so two
workers never send it at once; a sender that dies mid-send loses its lease and the
sweeper enqueues the delivery again. Receivers see the same firing id every time, so
they can drop a repeat (delivery is at least once, a firing is never made twice).
"""

import json
import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from alerts import outbound, secrets
from alerts.events import ALERT_EVENT, alert_group_for
from alerts.models import Delivery, DeliveryState

logger = logging.getLogger(__name__)

TASK = "alerts.tasks.deliver_webhook"
_DUE = (DeliveryState.PENDING, DeliveryState.RETRYING)


def dispatch(deliveries: Sequence[Delivery], *, user_of: dict[int, int]) -> None:
    """After the firing commits: queue the webhooks, push the frames. Never raises: what
    fails here is still recorded as pending, and the sweeper queues it again."""
    webhooks = [d.pk for d in deliveries if d.channel == Delivery.WEBHOOK]
    sockets = [d for d in deliveries if d.channel == Delivery.WEBSOCKET]
    enqueue(webhooks)
    if sockets:
        try:
            failed = async_to_sync(_push_all)(sockets, user_of)
        except Exception as exc:
            failed = {d.pk: f"{exc.__class__.__name__}: {exc}"[:500] for d in sockets}
        now = timezone.now()
        sent = [d.pk for d in sockets if d.pk not in failed]
        Delivery.objects.filter(pk__in=sent).update(state=DeliveryState.DELIVERED, attempts=1, delivered_at=now)
        for pk, error in failed.items():
            Delivery.objects.filter(pk=pk).update(state=DeliveryState.DEAD, attempts=1, last_error=error)


def enqueue(delivery_ids: Sequence[int]) -> int:
    from django_q.tasks import async_task

    sent = 0
    for pk in delivery_ids:
        try:
            async_task(TASK, pk, task_name=f"alert-delivery-{pk}", group="alerts")
            sent += 1
        except Exception as exc:  # the broker down: the sweeper queues it later
            logger.warning("could not queue alert delivery %s: %s: %s", pk, exc.__class__.__name__, exc)
    return sent


async def _push_all(sockets: Sequence[Delivery], user_of: dict[int, int]) -> dict[int, str]:
    """Alert frames to the owners' sockets (one event loop for the batch: channels_redis keeps
    connections per loop); returns the deliveries that failed, with why. A socket frame is
    not retried: it is for the sockets open now, and the firing stays listed for the owner."""
    layer = get_channel_layer()
    failed = {}
    for item in sockets:
        try:
            if layer is None:
                raise RuntimeError("no channel layer is configured")
            event = {"type": ALERT_EVENT, "alert": item.firing.payload}
            await layer.group_send(alert_group_for(user_of[item.firing.rule_id]), event)
        except Exception as exc:
            failed[item.pk] = f"{exc.__class__.__name__}: {exc}"[:500]
    return failed


# --- webhooks -------------------------------------------------------------------------------


def claim(pk: int, *, now: datetime) -> bool:
    """Take a due delivery (or one whose sender's lease ran out) for this worker."""
    due = Q(state__in=_DUE, next_attempt_at__lte=now) | Q(state=DeliveryState.SENDING, claimed_until__lt=now)
    lease = now + timedelta(seconds=settings.ALERT_DELIVERY_LEASE_S)
    taken = Delivery.objects.filter(Q(pk=pk, channel=Delivery.WEBHOOK) & due).update(
        state=DeliveryState.SENDING, claimed_until=lease, attempts=F("attempts") + 1
    )
    return taken == 1


def backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` + 1: exponential, capped, full jitter."""
    ceiling = min(settings.ALERT_WEBHOOK_BACKOFF_MAX_S, settings.ALERT_WEBHOOK_BACKOFF_S * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def body_for(delivery: Delivery, *, sent_at: int) -> bytes:
    """The firing's payload plus when (and which attempt) it was sent; the timestamp is in the
    signed body, so a replayed request is recognisably old."""
    payload = {**delivery.firing.payload, "attempt": delivery.attempts, "timestamp": sent_at}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def attempt(pk: int) -> str:
    """One delivery attempt (the django-q2 task); returns what happened, for the task log."""
    now = timezone.now()
    if not claim(pk, now=now):
        return f"delivery {pk}: not due or already taken"
    delivery = Delivery.objects.select_related("firing__rule").filter(pk=pk).first()
    if delivery is None:
        return f"delivery {pk}: its rule was deleted"
    rule = delivery.firing.rule
    secret = secrets.decrypt(rule.webhook_secret) if rule.webhook_secret else None
    if not rule.webhook_url or secret is None:
        return _settle(delivery, ok=False, final=True, error="the rule has no usable webhook URL or secret")
    sent_at = int(time.time())
    body = body_for(delivery, sent_at=sent_at)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "cryptodt-alerts/1",
        secrets.SIGNATURE_HEADER: secrets.signature(secret, body),
        secrets.TIMESTAMP_HEADER: str(sent_at),
        secrets.FIRING_HEADER: str(delivery.firing_id),
    }
    try:
        answer = outbound.post(rule.webhook_url, body=body, headers=headers, timeout=settings.ALERT_WEBHOOK_TIMEOUT_S)
    except outbound.UnsafeWebhook as exc:
        return _settle(delivery, ok=False, final=True, error=f"refused: {exc}")
    except Exception as exc:  # timeouts, refused connections, TLS errors: worth another try
        return _settle(delivery, ok=False, error=f"{exc.__class__.__name__}: {exc}")
    ok = 200 <= answer.status < 300
    error = "" if ok else f"HTTP {answer.status}"
    return _settle(delivery, ok=ok, status=answer.status, excerpt=answer.excerpt, error=error)


def _settle(delivery: Delivery, *, ok: bool, final: bool = False, status=None, excerpt="", error="") -> str:
    now = timezone.now()
    fields = {"last_status": status, "response_excerpt": excerpt[: outbound.EXCERPT_BYTES], "last_error": error[:500]}
    if ok:
        fields.update(state=DeliveryState.DELIVERED, delivered_at=now, claimed_until=None)
    elif final or delivery.attempts >= settings.ALERT_WEBHOOK_MAX_ATTEMPTS:
        fields.update(state=DeliveryState.DEAD, claimed_until=None)
    else:
        fields.update(
            state=DeliveryState.RETRYING,
            next_attempt_at=now + timedelta(seconds=backoff(delivery.attempts)),
            claimed_until=None,
        )
    # Only while it is still ours: a worker whose lease ran out must not overwrite a newer outcome.
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, attempts=delivery.attempts).update(**fields)
    return f"delivery {delivery.pk} attempt {delivery.attempts}: {fields['state']} {error}".strip()


def sweep(*, now: datetime | None = None) -> int:
    """Queue every webhook delivery that is due and has no live task: retries whose time has
    come, pending ones older than ALERT_SWEEP_AFTER_S (their task lost in a crash or never
    queued) and ones whose sender died mid-send (lease over)."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=settings.ALERT_SWEEP_AFTER_S)
    due = (
        Q(state=DeliveryState.RETRYING, next_attempt_at__lte=now)
        | Q(state=DeliveryState.PENDING, next_attempt_at__lte=lost)
        | Q(state=DeliveryState.SENDING, claimed_until__lt=now)
    )
    pks = list(Delivery.objects.filter(due, channel=Delivery.WEBHOOK).values_list("pk", flat=True)[:1000])
    return enqueue(pks)
