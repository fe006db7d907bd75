"""What the accounts layer costs per API request, in process (no network, no server).

Times a trivial DRF view through the full middleware stack four ways: with every
accounts default switched off (baseline), anonymous, with an API key and with a JWT.
The difference to the baseline is what authentication, the permission check, the
rate-limit counter, the headers and the audit record add.

    .venv/bin/python bench/accounts_overhead.py [--requests 3000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="cryptodt-bench-")
os.environ["RATE_ANON"] = os.environ["RATE_FREE"] = "100000000/m"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
os.environ.setdefault("SENTIMENT_MODEL", "lexicon")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class Baseline(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    rate_limited = False

    def get(self, request):
        return Response({"data": "ok"})


class Protected(APIView):
    def get(self, request):
        return Response({"data": "ok"})


urlpatterns = [path("api/bench/baseline", Baseline.as_view()), path("api/bench/read", Protected.as_view())]


def timed(client: APIClient, url: str, n: int, **headers) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1e6)
        assert response.status_code == 200, response.content
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    n = parser.parse_args().requests

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts import audit, services

    user = get_user_model().objects.create_user("bench")
    key = services.api_key_issue(user=user, name="bench").key
    jwt = str(AccessToken.for_user(user))
    client = APIClient()

    with override_settings(ROOT_URLCONF=__name__, AUDIT_BATCH=200):
        cases = {
            "baseline (accounts off)": ("/api/bench/baseline", {}),
            "anonymous": ("/api/bench/read", {}),
            "X-API-Key": ("/api/bench/read", {"HTTP_X_API_KEY": key}),
            "Bearer JWT": ("/api/bench/read", {"HTTP_AUTHORIZATION": f"Bearer {jwt}"}),
        }
        for url, headers in cases.values():
            timed(client, url, 200, **headers)  # warm-up
        results = {name: timed(client, url, n, **headers) for name, (url, headers) in cases.items()}
    audit.flush()

    base = statistics.median(results["baseline (accounts off)"])
    from django.conf import settings
    from django.db import connection

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"{n} requests each, in-process test client, {connection.vendor}, cache {backend}")
    print(f"{'case':26} {'median µs':>10} {'p95 µs':>10} {'added µs':>10}")
    for name, samples in results.items():
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{name:26} {median:10.0f} {p95:10.0f} {median - base:10.0f}")


if __name__ == "__main__":
    main()
