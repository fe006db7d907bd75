"""Typed failures of the provider layer; the router decides what each one means.

Counted against the provider (and its circuit breaker): ``UpstreamError``,
``UpstreamTimeout``, ``InvalidPayload``. Not counted: ``RateLimited`` (the provider asked
us to wait, so we wait), ``Blocked`` (451/403: refused from this address, left alone for
long), ``NotConfigured`` (a key is missing), ``BudgetExhausted`` (our own plan said stop) and
``NotSupported`` (the provider cannot serve this coin or interval at all).
"""


class ProviderError(Exception):
    counts_as_failure = True

    def __init__(self, provider: str, endpoint: str, reason: str):
        super().__init__(f"{provider} {endpoint}: {reason}")
        self.provider = provider
        self.endpoint = endpoint
        self.reason = reason


class UpstreamError(ProviderError):
    """Connection refused, 5xx or an error the provider reported in its body."""

    def __init__(self, provider: str, endpoint: str, reason: str, *, retryable: bool = True):
        super().__init__(provider, endpoint, reason)
        self.retryable = retryable


class UpstreamTimeout(ProviderError):
    """No answer within the timeout; never retried on the same provider in one request."""


class InvalidPayload(ProviderError):
    """The answer is HTML, truncated, of the wrong shape or carries impossible values."""


class RateLimited(ProviderError):
    counts_as_failure = False

    def __init__(self, provider: str, endpoint: str, reason: str, *, retry_after: float, banned: bool = False):
        super().__init__(provider, endpoint, reason)
        self.retry_after = retry_after
        self.banned = banned  # HTTP 418: never waited out inline


class Blocked(ProviderError):
    """HTTP 451/403: the provider refuses this address (Binance and US or cloud IPs). Not a
    flapping upstream: no breaker failure, and the provider is left alone for
    PROVIDER_BLOCKED_BACKOFF_S instead of being asked again every cycle."""

    counts_as_failure = False


class NotConfigured(ProviderError):
    """The provider needs a key that is not set (CoinCap v3, CoinDesk): skipped, never asked."""

    counts_as_failure = False


class BudgetExhausted(ProviderError):
    counts_as_failure = False


class NotSupported(ProviderError):
    counts_as_failure = False
