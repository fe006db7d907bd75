"""The one place that talks HTTP to market-data providers.

A provider module subclasses ``Provider``: it names its base-URL setting, builds requests
with ``get_json`` and turns the answer into records. Everything else lives here: one
requests session per provider and thread, timeouts, bounded retries, budgets, latency and
the conversion of every way a call can go wrong into a typed ``ProviderError``.

Retry policy, chosen so that failover answers fast:
- a timeout is never retried on the same provider in the same request (the next provider
  is the better bet);
- 429 with a Retry-After of at most PROVIDER_MAX_RETRY_AFTER_S is waited out once; a
  longer one blocks the provider until then (``budget.cool_down``) and the router moves on;
- 418 is a ban (Binance bans an IP that kept going after 429s): never waited out inline,
  the provider rests for its whole Retry-After;
- 451/403 means "not from this address" (Binance from US and most cloud IPs): ``Blocked``,
  no breaker failure, and the provider is left alone for PROVIDER_BLOCKED_BACKOFF_S;
- connection errors and 5xx are retried PROVIDER_RETRIES times with exponential backoff
  and full jitter.
"""

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from django.conf import settings

from providers import budget, config, stats
from providers.errors import (
    Blocked,
    InvalidPayload,
    NotConfigured,
    ProviderError,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
)
from providers.payload import decode_json

T = TypeVar("T")
USER_AGENT = "cryptodt/1.0 (+self-hosted market data)"


class Provider:
    name: str = ""
    base_url_setting: str = ""
    capabilities: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._local = threading.local()

    # Set when the provider answers nothing without a key (CoinCap v3, CoinDesk).
    key_setting: str = ""
    key_required: bool = False

    # -- hooks a provider may override ------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {}

    def unavailable(self) -> str | None:
        """Why the provider must not be asked at all (a missing key), else None."""
        if self.key_required and not self.api_key(self.key_setting):
            return f"skipped: needs {self.key_setting} (no key set)"
        return None

    def check_error_body(self, endpoint: str, payload: Any) -> None:
        """Raise UpstreamError when a 200 body reports an error (Kraken does this)."""

    def explain_error(self, endpoint: str, status: int, payload: Any) -> ProviderError | None:
        """Turn a 4xx body the provider documents (CoinGecko's error codes) into a plain error."""
        return None

    def observe_response(self, response: requests.Response) -> None:
        """Learn from response headers (Binance reports the weight used this minute)."""

    # -- plumbing -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return getattr(settings, self.base_url_setting).rstrip("/")

    def api_key(self, env_setting: str) -> str:
        return config.provider(self.name).api_key or getattr(settings, env_setting, "") or ""

    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
            self._local.session = session
        return session

    def get_json(
        self,
        endpoint: str,
        path: str,
        *,
        params: dict | None = None,
        weight: int = 1,
        timeout: float | None = None,
    ) -> Any:
        """GET base_url + path and return the decoded JSON, or raise a ProviderError."""

        def once(timeout: float) -> Any:
            response = self._fetch(endpoint, f"{self.base_url}{path}", params=params, timeout=timeout)
            payload = decode_json(self.name, endpoint, response.content, response.headers.get("Content-Type", ""))
            self.check_error_body(endpoint, payload)
            return payload

        return self._with_retries(endpoint, once, weight=weight, timeout=timeout)

    def get_bytes(
        self,
        endpoint: str,
        url: str,
        *,
        params: dict | None = None,
        accept: str = "*/*",
        max_bytes: int = 5_000_000,
        weight: int = 1,
        timeout: float | None = None,
    ) -> bytes:
        """GET an absolute URL (RSS/XML and other non-JSON bodies) with the same retries,
        budget, breaker statistics and error typing as ``get_json``."""

        def once(timeout: float) -> bytes:
            response = self._fetch(endpoint, url, params=params, timeout=timeout, accept=accept)
            if not response.content.strip():
                raise InvalidPayload(self.name, endpoint, "empty body")
            if len(response.content) > max_bytes:
                raise InvalidPayload(self.name, endpoint, f"body larger than {max_bytes} bytes")
            return response.content

        return self._with_retries(endpoint, once, weight=weight, timeout=timeout)

    def _with_retries(self, endpoint: str, once: Callable[[float], T], *, weight: int, timeout: float | None) -> T:
        timeout = timeout or settings.PROVIDER_TIMEOUT_S
        deadline = time.monotonic() + timeout * 2
        attempt = 0
        waited = False
        refusal = self.unavailable()
        if refusal:
            raise NotConfigured(self.name, endpoint, refusal)
        while True:
            budget.spend(self.name, endpoint, weight)
            try:
                return once(timeout)
            except Blocked as exc:
                budget.block(self.name, exc.reason, settings.PROVIDER_BLOCKED_BACKOFF_S)
                raise
            except RateLimited as exc:
                if waited or exc.banned or exc.retry_after > settings.PROVIDER_MAX_RETRY_AFTER_S:
                    budget.cool_down(self.name, exc.retry_after)
                    raise
                waited = True
                time.sleep(exc.retry_after)
            except UpstreamError as exc:
                if not exc.retryable or attempt >= settings.PROVIDER_RETRIES:
                    raise
                pause = random.uniform(0, settings.PROVIDER_BACKOFF_S * 2**attempt)
                if time.monotonic() + pause + timeout > deadline:
                    raise
                time.sleep(pause)
            attempt += 1

    def _fetch(
        self, endpoint: str, url: str, *, params: dict | None, timeout: float, accept: str | None = None
    ) -> requests.Response:
        """One GET: a response with a 2xx/3xx status, or the ProviderError it amounts to."""
        headers = self.headers()
        if accept:
            headers = {**headers, "Accept": accept}
        started = time.perf_counter()
        try:
            response = self.session().get(url, params=params, headers=headers, timeout=timeout)
        except requests.Timeout:
            raise UpstreamTimeout(self.name, endpoint, f"no answer within {timeout:g}s")
        except requests.RequestException as exc:
            raise UpstreamError(self.name, endpoint, f"connection failed: {exc.__class__.__name__}")
        stats.record_latency(self.name, (time.perf_counter() - started) * 1000)
        self.observe_response(response)
        if response.status_code in (429, 418):
            banned = response.status_code == 418
            raise RateLimited(
                self.name,
                endpoint,
                "HTTP 418: this address is banned for a while" if banned else "HTTP 429",
                retry_after=_retry_after(response.headers.get("Retry-After")),
                banned=banned,
            )
        if 400 <= response.status_code < 500:
            try:
                explained = self.explain_error(endpoint, response.status_code, response.json())
            except ValueError:
                explained = None
            if explained is not None:
                raise explained
        if response.status_code in (451, 403):
            raise Blocked(
                self.name, endpoint, f"HTTP {response.status_code}: refused from this address ({self.base_url})"
            )
        if response.status_code >= 500:
            raise UpstreamError(self.name, endpoint, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            # 4xx other than rate limits is our request being wrong for this provider
            # (unknown symbol, bad id): not worth a retry, still worth a failover.
            raise UpstreamError(
                self.name, endpoint, f"HTTP {response.status_code}: {response.text[:120]}", retryable=False
            )
        return response

    def parse(self, endpoint: str, parser: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a parser; any shape surprise it trips over becomes InvalidPayload."""
        try:
            return parser(*args, **kwargs)
        except ProviderError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
            raise InvalidPayload(self.name, endpoint, f"wrong shape: {exc.__class__.__name__} {str(exc)[:80]}")


def _retry_after(header: str | None) -> float:
    """Seconds to wait: Retry-After is either seconds or an HTTP date; absent means a minute."""
    if not header:
        return 60.0
    try:
        return max(float(header), 0.0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(header) - datetime.now(tz=UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return 60.0


def batched(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
