"""One collection step against the provider layer, and what became of it.

A step asks the router and stores what it answers; a failing provider or an impossible
payload makes a failed step (reported, nothing stored), never an exception that stops
the other steps of a cycle.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from providers import router
from providers.observe import observed_step
from providers.validation import InvalidRecord

logger = logging.getLogger(__name__)


class NothingToCollect(Exception):
    pass


@dataclass
class StepResult:
    name: str
    stored: int = 0
    provider: str | None = None
    error: str | None = None
    housekeeping: bool = False  # a local step (roll-up): its success does not make a cycle a success
    reasons: dict[str, str] = field(default_factory=dict)  # provider -> why it did not answer
    rejected: bool = False  # the payload was refused whole by validation

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        if self.error:
            return f"{self.name}: failed ({self.error})"
        via = f" from {self.provider}" if self.provider else ""
        return f"{self.name}: stored {self.stored}{via}"


def run_step(name: str, step: Callable[[], tuple[int, str | None]]) -> StepResult:
    with observed_step(name) as observe:
        return observe(_run_step(name, step))


def _run_step(name: str, step: Callable[[], tuple[int, str | None]]) -> StepResult:
    try:
        stored, provider = step()
    except router.AllProvidersFailed as exc:
        reasons = "; ".join(f"{k}: {v}" for k, v in exc.reasons.items()) or "no provider configured"
        return StepResult(name, error=f"all providers failed — {reasons}"[:500], reasons=dict(exc.reasons))
    except NothingToCollect as exc:
        return StepResult(name, error=str(exc))
    except NotImplementedError:
        return StepResult(name, error="the provider layer does not implement this capability")
    except InvalidRecord as exc:
        logger.warning("%s rejected an impossible payload: %s", name, exc)
        return StepResult(name, error=f"rejected impossible data: {exc}"[:500], rejected=True)
    return StepResult(name, stored=stored, provider=provider)
