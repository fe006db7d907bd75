"""Scale-out profile: separate processes share state through Redis (CI's second pass)."""

import os
import subprocess
import sys
import uuid

import pytest

from tests.platform.processes import ROOT

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL (scale-out profile; CI's second pass starts Redis)",
)


def django_process(code: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cryptodt.settings", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(code: str) -> str:
    proc = django_process(code)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = out.strip().splitlines()
    return lines[-1] if lines else ""


@pytest.mark.parametrize("alias", ["default", "shared"])
def test_a_value_cached_by_one_process_is_read_by_another(alias):
    key, value = f"scale-out:{uuid.uuid4().hex}", uuid.uuid4().hex
    run(f"from django.core.cache import caches; caches[{alias!r}].set({key!r}, {value!r}, 60)")
    assert run(f"from django.core.cache import caches; print(caches[{alias!r}].get({key!r}))") == value


def test_counters_incremented_by_two_processes_add_up():
    key = f"scale-out:counter:{uuid.uuid4().hex}"
    bump = f"from django.core.cache import cache\ncache.add({key!r}, 0, 60)\nfor _ in range(200): cache.incr({key!r})\n"
    workers = [django_process(bump) for _ in range(2)]
    for proc in workers:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert run(f"from django.core.cache import cache; print(cache.get({key!r}))") == "400"


def test_a_group_message_sent_by_one_process_reaches_a_member_in_another():
    group = f"scale_out_{uuid.uuid4().hex}"
    listener = django_process(
        "import asyncio\n"
        "from channels.layers import get_channel_layer\n"
        "async def main():\n"
        "    layer = get_channel_layer()\n"
        "    channel = await layer.new_channel()\n"
        f"    await layer.group_add({group!r}, channel)\n"
        "    print('ready', flush=True)\n"
        "    message = await asyncio.wait_for(layer.receive(channel), 30)\n"
        "    print(message['text'], flush=True)\n"
        "asyncio.run(main())\n"
    )
    try:
        assert listener.stdout.readline().strip().endswith("ready")
        run(
            "from asgiref.sync import async_to_sync\n"
            "from channels.layers import get_channel_layer\n"
            f"async_to_sync(get_channel_layer().group_send)({group!r}, {{'type': 'price.update', 'text': 'hello'}})\n"
        )
        out, err = listener.communicate(timeout=40)
        assert listener.returncode == 0, err
        assert out.strip().splitlines()[-1] == "hello"
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()


def test_the_redis_cache_reuses_one_client_per_connection_pool():
    from django.core.cache import cache

    # django-redis keeps one redis-py client per server (Django's own backend built one per call).
    client = cache.client.get_client(write=True)
    assert cache.client.get_client(write=True) is client
    cache.set("scale-out:reuse", 1, 10)
    assert cache.get("scale-out:reuse") == 1
