"""RSS/Atom news feeds (NEWS_RSS_FEEDS), parsed with feedparser.

One provider for every configured feed: a feed that fails is logged and skipped while the
others still count; the call fails only when no feed answered. A feed that is not well-formed
XML (truncated, an HTML error page) is rejected whole, as is one with an item lacking a title,
a link or a date.
"""

import calendar
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
from django.conf import settings

from providers.base import Provider
from providers.errors import NotSupported, ProviderError
from providers.news_records import NewsItem
from providers.payload import Checker
from providers.text import plain

logger = logging.getLogger("providers")
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"
SUMMARY_CHARS = 1_000
# feedparser notes these but still parses the document exactly; anything else means broken XML.
_HARMLESS = (feedparser.CharacterEncodingOverride,)


class RSSFeeds(Provider):
    name = "rss"
    base_url_setting = ""
    capabilities = ("news",)

    @property
    def base_url(self) -> str:
        return ""

    def news(self, *, timeout: float | None) -> list[NewsItem]:
        if not settings.NEWS_RSS_FEEDS:
            raise NotSupported(self.name, "feeds", "NEWS_RSS_FEEDS is empty")
        items: list[NewsItem] = []
        failures: list[ProviderError] = []
        for url in settings.NEWS_RSS_FEEDS:
            endpoint = f"feed:{feed_host(url)}"
            try:
                body = self.get_bytes(endpoint, url, accept=ACCEPT, timeout=timeout)
                items += self.parse(endpoint, parse_feed, body, url=url)
            except ProviderError as exc:
                logger.warning("rss feed %s skipped: %s", url, exc.reason)
                failures.append(exc)
        if failures and not items:
            raise failures[0]
        return items


def feed_host(url: str) -> str:
    host = urlsplit(url).hostname or "feed"
    return host.removeprefix("www.")


def parse_feed(body: bytes, *, url: str) -> list[NewsItem]:
    check = Checker("rss", f"feed:{feed_host(url)}")
    head = body[:200].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise check.fail("HTML instead of a feed")
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not isinstance(parsed.bozo_exception, _HARMLESS):
        raise check.fail(f"not well-formed XML: {str(parsed.bozo_exception)[:120]}")
    if not parsed.version:
        raise check.fail("not an RSS or Atom document")
    publisher = plain(parsed.feed.get("title", "")).split(":")[0].strip() or feed_host(url)
    items = []
    for entry in parsed.entries:
        title = plain(entry.get("title", ""))
        link = (entry.get("link") or "").strip()
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        if not title or not link.startswith(("https://", "http://")) or when is None:
            raise check.fail(f"an item lacks a title, an http(s) link or a date: {title[:60]!r}")
        items.append(
            NewsItem(
                title=title,
                url=link,
                source=publisher[:100],
                published_at=datetime.fromtimestamp(calendar.timegm(when), tz=UTC),
                summary=plain(entry.get("summary", ""), max_length=SUMMARY_CHARS),
                categories=tuple(dict.fromkeys(plain(t["term"]) for t in entry.get("tags", []) if t.get("term"))),
            )
        )
    return items
