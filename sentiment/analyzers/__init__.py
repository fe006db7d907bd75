"""The process's one sentiment analyzer, loaded on first use.

``get_analyzer()`` loads SENTIMENT_MODEL once per process (thread-safe) from local files
(a directory, or the copy sentiment.model_store downloaded into $DATA_DIR/models), and
falls back to the lexicon with a logged reason when that is impossible. A fallback is
looked at again when the download state changes, so a process switches to the model
once the background download is done. Nothing is loaded at import time or in
AppConfig.ready(); ``status()`` reports without loading.
"""

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from sentiment import model_store
from sentiment.analyzers.base import LABELS, Analyzer, Sentiment

__all__ = ["LABELS", "Analyzer", "Sentiment", "get_analyzer", "status", "forget"]

logger = logging.getLogger("sentiment")
LEXICON = "lexicon"


@dataclass(frozen=True)
class _Loaded:
    configured: str
    analyzer: Analyzer
    fallback_reason: str | None
    stamp: int = 0  # the download state when a fallback was chosen

    def current(self, configured: str) -> bool:
        if self.configured != configured:
            return False
        return self.fallback_reason is None or self.stamp == model_store.state_stamp()


_lock = threading.Lock()
_loaded: _Loaded | None = None


def get_analyzer() -> Analyzer:
    global _loaded
    configured = settings.SENTIMENT_MODEL.strip() or LEXICON
    loaded = _loaded
    if loaded is not None and loaded.current(configured):
        return loaded.analyzer
    with _lock:
        if _loaded is None or not _loaded.current(configured):
            _loaded = _load(configured)
        return _loaded.analyzer


def _load(configured: str) -> _Loaded:
    from sentiment.analyzers.lexicon import LexiconAnalyzer

    if configured.lower() == LEXICON:
        logger.info("sentiment: lexicon analyzer (SENTIMENT_MODEL=lexicon)")
        return _Loaded(configured, LexiconAnalyzer(), None)
    from sentiment.analyzers.transformer import TransformerAnalyzer, UnusableModel

    stamp = model_store.state_stamp()
    path = model_store.local_path(configured)
    if path is None:
        reason = _missing_reason(configured)
        logger.warning("sentiment: lexicon analyzer for now: %s (SENTIMENT_MODEL=%s)", reason, configured)
        return _Loaded(configured, LexiconAnalyzer(), reason, stamp)
    try:
        analyzer = TransformerAnalyzer(
            path,
            name=configured,
            threads=settings.SENTIMENT_THREADS,
            batch_size=settings.SENTIMENT_BATCH_SIZE,
            max_length=settings.SENTIMENT_MAX_LENGTH,
        )
    except UnusableModel as exc:
        reason = str(exc)
        logger.warning("sentiment: falling back to the lexicon analyzer: %s (SENTIMENT_MODEL=%s)", reason, configured)
        return _Loaded(configured, LexiconAnalyzer(), reason, stamp)
    logger.info("sentiment: transformer model %s", analyzer.name)
    return _Loaded(configured, analyzer, None)


def _missing_reason(configured: str) -> str:
    refused = model_store.refusal(configured)
    if refused:
        return f"{configured!r} is not downloaded and {refused} forbids downloading it"
    state = model_store.read_state()
    if state and state.model == configured and state.state == "downloading":
        return f"downloading since {state.since}"
    if state and state.model == configured and state.state == "failed":
        return f"{state.reason} at {state.since}; retried at the next start or by manage.py fetch_model"
    return "not downloaded yet; the first start downloads it in the background"


def status() -> dict:
    """The readiness check: what is configured and what is in use, without loading anything."""
    from sentiment.analyzers.transformer import display_name

    configured = settings.SENTIMENT_MODEL.strip() or LEXICON
    loaded = _loaded
    shown = display_name(configured)
    if loaded is None or not loaded.current(configured):
        detail = "not loaded yet"
        if configured.lower() != LEXICON:
            if model_store.local_path(configured) is None:
                detail += f"; {_missing_reason(configured)}"
            else:  # downloaded (perhaps by the cluster just now): load it off the request path
                detail = "model on disk, loading" if _load_in_background() else detail
        return {"ok": True, "detail": detail, "configured": shown, "backend": None, "model": None}
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


_background: threading.Thread | None = None


def _load_in_background() -> bool:
    """Load SENTIMENT_MODEL in a daemon thread (once at a time); False when that is off."""
    global _background
    if not settings.SENTIMENT_PRELOAD:
        return False
    with _lock:
        if _background is None or not _background.is_alive():
            _background = threading.Thread(target=get_analyzer, name="sentiment-model-load", daemon=True)
            _background.start()
    return True


def forget() -> None:
    """Drop the loaded analyzer (tests, and a settings change in a long-lived process)."""
    global _loaded
    with _lock:
        _loaded = None
