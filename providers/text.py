"""Turning the HTML fragments feeds put in titles and summaries into plain text."""

import html
import re

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain(fragment: str, *, max_length: int | None = None) -> str:
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment or ""))).strip()
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text
