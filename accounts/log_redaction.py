"""A logging filter that keeps credentials out of every log line.

Attached to the handlers in settings.LOGGING, so it sees records from every logger
(Django's request log, the dev server's access log, uvicorn, the project's own),
including the text of exceptions logged with a traceback.
"""

import logging
import re

REDACTED = "[redacted]"

_PATTERNS = [
    # Authorization: Bearer xxx / Basic xxx, as a header line or a repr'd dict entry.
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?\s*(?:bearer|basic|token)?\s*)[^\s'\",}]+"),
    re.compile(r"(?i)(x-api-key['\"]?\s*[:=]\s*['\"]?\s*)[^\s'\",}]+"),
    re.compile(r"(?i)(HTTP_AUTHORIZATION['\"]?\s*[:=]\s*['\"]?\s*(?:bearer|basic|token)?\s*)[^\s'\",}]+"),
    re.compile(r"(?i)(HTTP_X_API_KEY['\"]?\s*[:=]\s*['\"]?\s*)[^\s'\",}]+"),
    # Query strings and form bodies: api_key=, token=, access=, refresh=, password=.
    re.compile(r"(?i)\b((?:api_key|token|access|refresh|password)=)[^&\s'\"]+"),
    # JSON bodies: "password": "...", "refresh": "...", "access": "...", "key": "...".
    re.compile(r"(?i)(['\"](?:password|refresh|access|token|key|api_key)['\"]\s*:\s*['\"])[^'\"]+"),
    # Anything that looks like one of our API keys or a JWT, wherever it appears.
    re.compile(r"()\bcdt_[0-9a-f]{12}_[A-Za-z0-9_\-]+"),
    re.compile(r"()\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not a leak
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
