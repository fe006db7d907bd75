"""Webhook delivery to a real receiver on 127.0.0.1 that verifies the signature: the body,
retries then success, retries then the dead letter, claims, redirects, excerpts."""

import json

import pytest

from alerts.models import DeliveryState
from alerts.services import delivery
from tests.alerts.conftest import firings, rule, webhook_of

pytestmark = pytest.mark.django_db(transaction=True)


def fired(api, prices, hook, **fields) -> tuple[dict, int]:
    created = rule(api, webhook_url=hook.url, **fields)
    hook.secret = created["webhook_secret"]
    prices.store("151")
    return created, webhook_of(created["id"]).pk


def test_the_receiver_verifies_the_signature_over_the_body_it_got(api, prices, receiver):
    hook = receiver()
    created, pk = fired(api, prices, hook)
    assert webhook_of(created["id"]).state == DeliveryState.PENDING  # recorded before any send
    assert delivery.attempt(pk).endswith("delivered")
    [request] = hook.requests
    assert request["verified"] is True
    assert request["path"] == "/hook?from=cryptodt"
    body = json.loads(request["raw"])
    [firing] = firings(created["id"])
    assert body["firing_id"] == str(firing.id) == request["headers"]["X-Cryptodt-Firing"]
    assert body["rule"] == {
        "id": created["id"],
        "coin": {"id": "bitcoin", "symbol": "BTC"},
        "condition": "price_above",
        "window": None,
        "threshold": "150",
        "cooldown_s": 0,
        "repeat": False,
    }
    assert (body["value"], body["observed_at"], body["attempt"]) == ("151", "2026-03-01T12:01:00Z", 1)
    assert request["headers"]["Content-Type"] == "application/json"
    assert webhook_of(created["id"]).state == DeliveryState.DELIVERED


def test_a_receiver_with_the_wrong_secret_rejects_the_request(api, prices, receiver):
    hook = receiver()
    created, pk = fired(api, prices, hook)
    hook.secret = "whsec_someone-else"
    delivery.attempt(pk)
    assert hook.requests[0]["verified"] is False
    assert webhook_of(created["id"]).last_status == 401


def test_failed_attempts_are_retried_until_one_succeeds(api, prices, receiver):
    hook = receiver([500, 503])
    created, pk = fired(api, prices, hook)
    delivery.attempt(pk)
    state = webhook_of(created["id"])
    assert (state.state, state.attempts, state.last_status) == (DeliveryState.RETRYING, 1, 500)
    delivery.attempt(pk)
    delivery.attempt(pk)
    state = webhook_of(created["id"])
    assert (state.state, state.attempts, state.last_status) == (DeliveryState.DELIVERED, 3, 200)
    assert {json.loads(r["raw"])["firing_id"] for r in hook.requests} == {str(firings(created["id"])[0].id)}
    assert [json.loads(r["raw"])["attempt"] for r in hook.requests] == [1, 2, 3]
    assert len(hook.accepted) == 1
    assert delivery.attempt(pk).endswith("not due or already taken")  # a late duplicate task
    assert len(hook.requests) == 3


def test_a_delivery_that_keeps_failing_becomes_a_dead_letter_the_owner_sees(api, prices, receiver):
    hook = receiver([500, 500, 502, 500])
    created, pk = fired(api, prices, hook)
    for _ in range(4):
        delivery.attempt(pk)
    assert len(hook.requests) == 3  # ALERT_WEBHOOK_MAX_ATTEMPTS
    [dead] = api.get(f"/api/alerts/{created['id']}/deliveries?state=dead").json()["data"]
    assert dead["channel"] == "webhook" and dead["attempts"] == 3 and dead["last_status"] == 502
    assert dead["last_error"] == "HTTP 502"
    assert len(dead["response_excerpt"]) == 512  # the receiver answered 5000 bytes
    [firing] = api.get(f"/api/alerts/{created['id']}/firings").json()["data"]
    assert firing["id"] == dead["firing_id"]
    assert {d["channel"]: d["state"] for d in firing["deliveries"]} == {"webhook": "dead", "websocket": "delivered"}


def test_an_unreachable_receiver_is_retried(api, prices, receiver):
    hook = receiver()
    created, pk = fired(api, prices, hook)
    hook.stop()
    delivery.attempt(pk)
    state = webhook_of(created["id"])
    assert state.state == DeliveryState.RETRYING and state.last_status is None and state.last_error


def test_redirects_are_not_followed(api, prices, receiver):
    hook = receiver([302])
    created, pk = fired(api, prices, hook)
    delivery.attempt(pk)
    assert len(hook.requests) == 1
    assert webhook_of(created["id"]).state == DeliveryState.RETRYING


def test_only_one_sender_can_claim_a_delivery(api, prices, receiver):
    _, pk = fired(api, prices, receiver())
    from django.utils import timezone

    now = timezone.now()
    assert delivery.claim(pk, now=now) is True
    assert delivery.claim(pk, now=now) is False


def test_backoff_doubles_with_jitter_up_to_the_cap(settings):
    settings.ALERT_WEBHOOK_BACKOFF_S = 10
    settings.ALERT_WEBHOOK_BACKOFF_MAX_S = 60
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        waits = {delivery.backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1  # jittered


def test_the_sweeper_queues_lost_and_due_deliveries_only(settings, api, prices, receiver):
    from datetime import timedelta

    from django.utils import timezone

    settings.ALERT_SWEEP_AFTER_S = 60
    _, pk = fired(api, prices, receiver())
    queued = []
    original = delivery.enqueue
    delivery.enqueue = lambda pks: queued.extend(pks) or len(pks)
    try:
        delivery.sweep()
        assert queued == []  # just fired: its own task is still on its way
        delivery.sweep(now=timezone.now() + timedelta(seconds=61))
        assert queued == [pk]
    finally:
        delivery.enqueue = original
