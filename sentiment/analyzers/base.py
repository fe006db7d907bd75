"""What every sentiment analyzer returns for a text, whichever backend computes it."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass

LABELS = ("positive", "negative", "neutral")


@dataclass(frozen=True)
class Sentiment:
    label: str  # positive | negative | neutral
    score: float  # -1 (most negative) .. 1 (most positive)
    confidence: float  # 0 .. 1: how sure the backend is of the label

    def as_dict(self) -> dict:
        return asdict(self)


class Analyzer(ABC):
    #: What the API reports as "model": a hub id, a local model's directory name, or the lexicon.
    name: str = ""
    #: "transformer" or "lexicon".
    backend: str = ""

    @abstractmethod
    def analyze(self, texts: Sequence[str]) -> list[Sentiment]:
        """One Sentiment per text, in order."""


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
