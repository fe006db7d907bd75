"""The sentiment model: which one, where it is kept, how it runs (docs/sentiment.md)."""

from pathlib import Path

from cryptodt.env import envbool, envint, envstr
from cryptodt.settings.base import DATA_DIR

SENTIMENT_MODEL = envstr("SENTIMENT_MODEL", "ProsusAI/finbert")
# A hub id is downloaded once into SENTIMENT_MODEL_DIR, in the background (docs/sentiment.md);
# HF_HUB_OFFLINE=1 forbids any download, HF_ENDPOINT points at a hub mirror.
SENTIMENT_MODEL_DIR = Path(envstr("SENTIMENT_MODEL_DIR", str(DATA_DIR / "models")))
HF_ENDPOINT = envstr("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
HF_HUB_OFFLINE = envbool("HF_HUB_OFFLINE", False)
# Readiness loads a downloaded model in a background thread, so the switch is reported
# without waiting for the first text to score (off in unit tests: status() must not load).
SENTIMENT_PRELOAD = envbool("SENTIMENT_PRELOAD", True)
# CPU threads torch may use for inference, texts per forward pass, tokens kept per text.
SENTIMENT_THREADS = envint("SENTIMENT_THREADS", 2, minimum=1)
SENTIMENT_BATCH_SIZE = envint("SENTIMENT_BATCH_SIZE", 16, minimum=1)
SENTIMENT_MAX_LENGTH = envint("SENTIMENT_MAX_LENGTH", 256, minimum=8)
