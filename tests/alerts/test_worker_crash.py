"""kill -9 of the django-q2 worker between firing and delivery: a real qcluster process is
killed while it sends, another is started, and the firing arrives afterwards under the same
id, exactly once accepted, never as a second firing. Runs on SQLite (ORM broker) and, with
DATABASE_URL/REDIS_URL set, on PostgreSQL and Redis."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import DeliveryState, Firing
from alerts.services import delivery
from tests.alerts.conftest import rule, webhook_of
from tests.platform.processes import ROOT

pytestmark = pytest.mark.django_db(transaction=True)
LEASE_S = 3


def child_env() -> dict:
    env = dict(os.environ)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
        env["DATABASE_URL"] = f"postgres://{auth}{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env.update(
        ALERT_ALLOW_PRIVATE_WEBHOOKS="1",
        ALERT_DELIVERY_LEASE_S=str(LEASE_S),
        ALERT_WEBHOOK_TIMEOUT_S="2",
        Q_WORKERS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill reaches every worker process
    )


def kill_9(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def wait_for(check, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_delivery_delivers_after_restart_under_the_same_firing_id(
    settings, api, prices, receiver, tmp_path
):
    settings.ALERT_DELIVERY_LEASE_S = LEASE_S
    hook = receiver(hold_first=True)  # the first request is never answered
    created = rule(api, webhook_url=hook.url)
    hook.secret = created["webhook_secret"]
    prices.store("151")  # the firing and its pending delivery are committed; the task is queued
    [firing] = Firing.objects.filter(rule_id=created["id"])
    pk = webhook_of(created["id"]).pk

    log = open(tmp_path / "qcluster.log", "w")
    workers = [start_worker(log)]
    try:
        assert hook.arrived.wait(90), (tmp_path / "qcluster.log").read_text()[-3000:]
        kill_9(workers[0])  # dead in the middle of the send
        assert webhook_of(created["id"]).state == DeliveryState.SENDING
        hook.release.set()

        workers.append(start_worker(log))
        # The dead sender's lease runs out; the sweeper (run here as its schedule would) queues it.
        wait_for(lambda: webhook_of(created["id"]).claimed_until < timezone.now(), "the lease to lapse")
        assert delivery.sweep() == 1
        wait_for(lambda: webhook_of(created["id"]).state == DeliveryState.DELIVERED, "the delivery")
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_9(worker)
        log.close()

    assert list(Firing.objects.filter(rule_id=created["id"])) == [firing]  # no second firing
    ids = [json.loads(request["raw"])["firing_id"] for request in hook.requests]
    assert ids == [str(firing.id), str(firing.id)]
    assert [body["firing_id"] for body in hook.accepted] == [str(firing.id)]  # accepted exactly once
    assert hook.requests[1]["verified"] is True
    assert webhook_of(created["id"]).attempts == 2
    assert delivery.sweep() == 0 and delivery.attempt(pk).endswith("not due or already taken")
