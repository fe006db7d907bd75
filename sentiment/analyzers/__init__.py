"""The process's one sentiment analyzer, loaded on first use.

``get_analyzer()`` loads SENTIMENT_MODEL once per process (thread-safe) from local files,
and falls back to the lexicon with a logged reason when that is impossible. Nothing is
loaded at import time or in AppConfig.ready(); ``status()`` reports without loading.
"""

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from sentiment.analyzers.base import LABELS, Analyzer, Sentiment

__all__ = ["LABELS", "Analyzer", "Sentiment", "get_analyzer", "status", "forget"]

logger = logging.getLogger("sentiment")
LEXICON = "lexicon"


@dataclass(frozen=True)
class _Loaded:
    configured: str
    analyzer: Analyzer
    fallback_reason: str | None


_lock = threading.Lock()
_loaded: _Loaded | None = None


def get_analyzer() -> Analyzer:
    global _loaded
    configured = settings.SENTIMENT_MODEL.strip() or LEXICON
    loaded = _loaded
    if loaded is not None and loaded.configured == configured:
        return loaded.analyzer
    with _lock:
        if _loaded is None or _loaded.configured != configured:
            _loaded = _load(configured)
        return _loaded.analyzer


def _load(configured: str) -> _Loaded:
    from sentiment.analyzers.lexicon import LexiconAnalyzer

    if configured.lower() == LEXICON:
        logger.info("sentiment: lexicon analyzer (SENTIMENT_MODEL=lexicon)")
        return _Loaded(configured, LexiconAnalyzer(), None)
    from sentiment.analyzers.transformer import TransformerAnalyzer, UnusableModel

    try:
        analyzer = TransformerAnalyzer(
            configured,
            threads=settings.SENTIMENT_THREADS,
            batch_size=settings.SENTIMENT_BATCH_SIZE,
            max_length=settings.SENTIMENT_MAX_LENGTH,
        )
    except UnusableModel as exc:
        reason = str(exc)
        logger.warning("sentiment: falling back to the lexicon analyzer: %s (SENTIMENT_MODEL=%s)", reason, configured)
        return _Loaded(configured, LexiconAnalyzer(), reason)
    logger.info("sentiment: transformer model %s", analyzer.name)
    return _Loaded(configured, analyzer, None)


def status() -> dict:
    """The readiness check: what is configured and what is in use, without loading anything."""
    from sentiment.analyzers.transformer import display_name

    configured = settings.SENTIMENT_MODEL.strip() or LEXICON
    loaded = _loaded
    shown = display_name(configured)
    if loaded is None or loaded.configured != configured:
        return {"ok": True, "detail": "not loaded yet", "configured": shown, "backend": None, "model": None}
    analyzer = loaded.analyzer
    detail = f"{analyzer.backend} {analyzer.name}"
    if loaded.fallback_reason:
        detail += f" (fallback: {loaded.fallback_reason})"
    return {
        "ok": True,
        "detail": detail,
        "configured": shown,
        "backend": analyzer.backend,
        "model": analyzer.name,
        "fallback_reason": loaded.fallback_reason,
    }


def forget() -> None:
    """Drop the loaded analyzer (tests, and a settings change in a long-lived process)."""
    global _loaded
    with _lock:
        _loaded = None
