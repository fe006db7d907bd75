"""CryptoCompare news (https://min-api.cryptocompare.com/documentation?key=News&cat=latestNewsArticlesEndpoint).

``GET /data/v2/news/?lang=EN`` answers ``{"Type": 100, "Message": ..., "Data": [article, ...]}``;
an article has ``title``, ``url``, ``published_on`` (unix seconds), ``body`` (HTML entities
escaped), ``categories`` ("BTC|Market|Regulation") and ``source_info.name``. An error is a
200 with ``"Response": "Error"`` and a ``Message``.
"""

from providers.base import Provider
from providers.errors import UpstreamError
from providers.news_records import NewsItem
from providers.payload import Checker
from providers.text import plain

SUMMARY_CHARS = 1_000


class CryptoCompare(Provider):
    name = "cryptocompare"
    base_url_setting = "CRYPTOCOMPARE_BASE_URL"
    capabilities = ("news",)

    def headers(self) -> dict[str, str]:
        key = self.api_key("CRYPTOCOMPARE_API_KEY")
        return {"authorization": f"Apikey {key}"} if key else {}

    def check_error_body(self, endpoint: str, payload) -> None:
        if isinstance(payload, dict) and payload.get("Response") == "Error":
            raise UpstreamError(self.name, endpoint, f"CryptoCompare error: {str(payload.get('Message'))[:200]}")

    def news(self, *, timeout: float | None) -> list[NewsItem]:
        payload = self.get_json("news", "/data/v2/news/", params={"lang": "EN"}, timeout=timeout)
        return self.parse("news", parse_news, payload)


def parse_news(payload) -> list[NewsItem]:
    check = Checker("cryptocompare", "news")
    articles = check.list(check.field(check.dict(payload, "body"), "Data", "body"), "Data", allow_empty=True)
    items = []
    for article in articles:
        article = check.dict(article, "article")
        url = check.text(article, "url", "article").strip()
        if not url.startswith(("https://", "http://")):
            raise check.fail(f"article url is not http(s): {url[:60]!r}")
        info = article.get("source_info")
        source = info.get("name") if isinstance(info, dict) and isinstance(info.get("name"), str) else None
        categories = article.get("categories") or ""
        if not isinstance(categories, str):
            raise check.fail("article.categories is not a string")
        body = article.get("body") or ""
        if not isinstance(body, str):
            raise check.fail("article.body is not a string")
        items.append(
            NewsItem(
                title=plain(check.text(article, "title", "article")),
                url=url,
                source=plain(source or check.text(article, "source", "article")),
                published_at=check.unix(check.field(article, "published_on", "article"), "published_on"),
                summary=plain(body, max_length=SUMMARY_CHARS),
                categories=tuple(c.strip() for c in categories.split("|") if c.strip()),
            )
        )
    return items
