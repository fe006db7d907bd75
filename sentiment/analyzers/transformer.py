"""A Hugging Face sequence-classification model through ``transformers.pipeline``.

Loaded from local files only (a directory; sentiment.model_store downloads a hub id
beforehand, in the background), so loading never touches the network. Labels are read from the
model's own ``id2label``: finbert-style names (positive/negative/neutral, bullish/bearish)
or ``LABEL_n`` in the usual orders (2 labels: negative, positive; 3 labels: negative,
neutral, positive).
"""

import threading
from collections.abc import Sequence
from pathlib import Path

from sentiment.analyzers.base import Analyzer, Sentiment, clamp

_NAMED = {
    "positive": "positive",
    "pos": "positive",
    "bullish": "positive",
    "negative": "negative",
    "neg": "negative",
    "bearish": "negative",
    "neutral": "neutral",
    "neu": "neutral",
}
_BY_POSITION = {2: ("negative", "positive"), 3: ("negative", "neutral", "positive")}


class UnusableModel(Exception):
    """The model cannot be loaded from local files or its labels mean nothing to us."""


def polarity_of_labels(id2label: dict) -> dict[str, str]:
    """Model label -> positive | negative | neutral, or UnusableModel."""
    names = {int(i): str(label) for i, label in id2label.items()}
    mapping: dict[str, str] = {}
    for label in names.values():
        polarity = _NAMED.get(label.strip().lower())
        if polarity:
            mapping[label] = polarity
    if len(mapping) == len(names) and "positive" in mapping.values() and "negative" in mapping.values():
        return mapping
    order = _BY_POSITION.get(len(names))
    if order and all(names[i].upper() == f"LABEL_{i}" for i in range(len(names))):
        return {names[i]: order[i] for i in range(len(names))}
    raise UnusableModel(f"cannot tell positive from negative in the labels {sorted(names.values())}")


def display_name(source: str) -> str:
    """A hub id as is; a local path by its last part, so the server's paths are not published."""
    path = Path(source)
    if path.is_absolute() or source.startswith((".", "~")) or path.exists():
        return path.name or source
    return source


class TransformerAnalyzer(Analyzer):
    backend = "transformer"

    def __init__(self, source: str, *, threads: int, batch_size: int, max_length: int, name: str | None = None):
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline
            from transformers.utils import logging as transformers_logging
        except ImportError as exc:
            raise UnusableModel(f"transformers/torch are not installed ({exc.name})")
        transformers_logging.disable_progress_bar()  # a progress bar in a server log is noise
        torch.set_num_threads(threads)
        try:
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(source, local_files_only=True)
        except OSError:
            raise UnusableModel(f"{display_name(source)!r} is neither in the Hugging Face cache nor a model directory")
        except (ValueError, KeyError) as exc:
            raise UnusableModel(f"{display_name(source)!r} is not a loadable model ({exc.__class__.__name__})")
        self.polarity = polarity_of_labels(model.config.id2label)
        model.eval()
        self.name = display_name(name or source)
        self.batch_size = batch_size
        self.max_length = max_length
        self._pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu", top_k=None)
        # A fast tokenizer refuses concurrent calls ("Already borrowed"), and two inferences
        # at once would only fight over the same CPU threads anyway.
        self._lock = threading.Lock()

    def analyze(self, texts: Sequence[str]) -> list[Sentiment]:
        if not texts:
            return []
        with self._lock:
            outputs = self._pipe(list(texts), batch_size=self.batch_size, truncation=True, max_length=self.max_length)
        return [self._sentiment(scores) for scores in outputs]

    def _sentiment(self, scores: list[dict]) -> Sentiment:
        probability = {"positive": 0.0, "negative": 0.0, "neutral": 0.0}
        for entry in scores:
            probability[self.polarity[entry["label"]]] += float(entry["score"])
        label = max(probability, key=probability.__getitem__)
        score = clamp(probability["positive"] - probability["negative"], -1.0, 1.0)
        return Sentiment(label=label, score=round(score, 4), confidence=round(clamp(probability[label], 0.0, 1.0), 4))
