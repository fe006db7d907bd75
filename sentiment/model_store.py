"""Where SENTIMENT_MODEL lives on disk, and its one download from the Hugging Face hub.

A hub id is downloaded once into SENTIMENT_MODEL_DIR (``$DATA_DIR/models``, the hub's own
cache layout) by ``fetch()``: the cluster runs it in the background at first start, and
``manage.py fetch_model`` and the Dockerfile run it on demand. Loading never downloads.
``SENTIMENT_MODEL=lexicon``, a local directory or ``HF_HUB_OFFLINE=1`` means no download.

Download state is a small JSON file next to the models, so the web process (which serves
readiness) sees what the cluster process is doing.
"""

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.timezone import now

from cryptodt.times import iso

logger = logging.getLogger("sentiment")
LEXICON = "lexicon"
# Enough to load a sequence classifier with its tokenizer; other formats (onnx, flax,
# tf, duplicate weights) are skipped, which is most of a model repository's weight.
WANTED = ["*.json", "*.txt", "*.model", "tokenizer*", "*.safetensors"]
WEIGHTS_FALLBACK = ["pytorch_model.bin"]


class Refused(Exception):
    """No download is allowed or needed for this SENTIMENT_MODEL."""


@dataclass(frozen=True)
class State:
    model: str
    state: str  # downloading | ready | failed
    since: str
    reason: str = ""


def configured() -> str:
    return settings.SENTIMENT_MODEL.strip() or LEXICON


def is_local(source: str) -> bool:
    path = Path(source)
    return path.is_absolute() or source.startswith((".", "~")) or path.exists()


def offline() -> bool:
    return bool(settings.HF_HUB_OFFLINE)


def refusal(source: str) -> str | None:
    """Why ``source`` is never downloaded, or None when it may be."""
    if source.lower() == LEXICON:
        return "SENTIMENT_MODEL=lexicon"
    if is_local(source):
        return "SENTIMENT_MODEL is a local directory"
    if offline():
        return "HF_HUB_OFFLINE=1"
    return None


def store_dir() -> Path:
    return Path(settings.SENTIMENT_MODEL_DIR)


def local_path(source: str) -> str | None:
    """The directory to load ``source`` from without the network, or None if absent."""
    if is_local(source):
        return source
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return snapshot_download(source, cache_dir=store_dir(), local_files_only=True)
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None


def _state_file() -> Path:
    return store_dir() / "download-state.json"


def read_state() -> State | None:
    try:
        data = json.loads(_state_file().read_text())
        return State(**data)
    except (OSError, ValueError, TypeError):
        return None


def state_stamp() -> float:
    """Changes whenever the download state does (the web process reloads on a change)."""
    try:
        return _state_file().stat().st_mtime_ns
    except OSError:
        return 0


def _write_state(state: State) -> None:
    store_dir().mkdir(parents=True, exist_ok=True)
    partial = _state_file().with_suffix(".tmp")
    partial.write_text(json.dumps(state.__dict__))
    os.replace(partial, _state_file())


def needs_fetch() -> bool:
    source = configured()
    return refusal(source) is None and local_path(source) is None


def fetch(source: str | None = None) -> str:
    """Download ``source`` (default SENTIMENT_MODEL) unless it is already here; its directory."""
    source = source or configured()
    reason = refusal(source)
    if reason:
        raise Refused(f"no download: {reason}")
    found = local_path(source)
    if found:
        return found
    from huggingface_hub import snapshot_download

    started = time.monotonic()
    _write_state(State(source, "downloading", iso(now())))
    logger.info("sentiment: downloading %s from %s into %s", source, settings.HF_ENDPOINT, store_dir())
    try:
        path = snapshot_download(
            source,
            cache_dir=store_dir(),
            endpoint=settings.HF_ENDPOINT,
            allow_patterns=WANTED,
            tqdm_class=_progress_logger(source),
        )
        if not any(Path(path).glob("*.safetensors")):
            path = snapshot_download(
                source, cache_dir=store_dir(), endpoint=settings.HF_ENDPOINT, allow_patterns=WEIGHTS_FALLBACK
            )
    except Exception as exc:
        reason = f"download failed: {exc.__class__.__name__}: {str(exc)[:200]}"
        _write_state(State(source, "failed", iso(now()), reason))
        logger.warning("sentiment: %s (%s); the lexicon analyzer goes on serving", reason, source)
        raise
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    _write_state(State(source, "ready", iso(now())))
    logger.info("sentiment: downloaded %s (%.1f MB) in %.0f s", source, size / 1e6, time.monotonic() - started)
    return path


def _progress_logger(source: str):
    """A tqdm that writes a log line at most every 10 s instead of drawing a bar."""
    from tqdm.auto import tqdm

    class LoggedProgress(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = False
            kwargs["file"] = open(os.devnull, "w")  # noqa: SIM115 - tqdm owns it for the bar's life
            super().__init__(*args, **kwargs)
            self._logged_at = 0.0

        def update(self, n=1):
            result = super().update(n)
            moment = time.monotonic()
            if self.total and (moment - self._logged_at >= 10 or self.n >= self.total):
                self._logged_at = moment
                logger.info("sentiment: %s %.0f%% of %.1f MB", source, 100 * self.n / self.total, self.total / 1e6)
            return result

    return LoggedProgress
