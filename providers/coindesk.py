"""CoinDesk Data API news (https://developers.coindesk.com/documentation/data-api/news_v1_article_list).

The successor of CryptoCompare's news API, whose keyless tier ended on 2026-05-21: a key
is needed (``authorization: Apikey <key>``), so without COINDESK_API_KEY it is skipped.
``GET /news/v1/article/list?lang=EN&limit=N`` answers ``{"Data": [article, ...], "Err": {}}``;
an article has upper-case fields ``ID, GUID, PUBLISHED_ON`` (unix s), ``TITLE, URL, BODY``,
``SOURCE_DATA.NAME`` and ``CATEGORY_DATA[].NAME``. A non-empty ``Err`` (``{"type", "message"}``)
is an error even on a 200.
"""

from providers.base import Provider
from providers.errors import UpstreamError
from providers.news_records import NewsItem
from providers.payload import Checker
from providers.text import plain

SUMMARY_CHARS = 1_000
LIMIT = 50


class CoinDesk(Provider):
    name = "coindesk"
    base_url_setting = "COINDESK_BASE_URL"
    capabilities = ("news",)
    key_setting = "COINDESK_API_KEY"
    key_required = True

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Apikey {self.api_key(self.key_setting)}"}

    def check_error_body(self, endpoint: str, payload) -> None:
        err = payload.get("Err") if isinstance(payload, dict) else None
        if err:
            message = err.get("message") if isinstance(err, dict) else err
            raise UpstreamError(self.name, endpoint, f"CoinDesk error: {str(message)[:200]}", retryable=False)

    def explain_error(self, endpoint: str, status: int, payload):
        err = payload.get("Err") if isinstance(payload, dict) else None
        if isinstance(err, dict) and err.get("message"):
            return UpstreamError(self.name, endpoint, f"HTTP {status}: {str(err['message'])[:200]}", retryable=False)
        return None

    def news(self, *, timeout: float | None) -> list[NewsItem]:
        payload = self.get_json(
            "article/list", "/news/v1/article/list", params={"lang": "EN", "limit": LIMIT}, timeout=timeout
        )
        return self.parse("article/list", parse_articles, payload)


def parse_articles(payload) -> list[NewsItem]:
    check = Checker("coindesk", "article/list")
    articles = check.list(check.field(check.dict(payload, "body"), "Data", "body"), "Data", allow_empty=True)
    items = []
    for article in articles:
        article = check.dict(article, "article")
        url = check.text(article, "URL", "article").strip()
        if not url.startswith(("https://", "http://")):
            raise check.fail(f"article URL is not http(s): {url[:60]!r}")
        source = article.get("SOURCE_DATA")
        name = source.get("NAME") if isinstance(source, dict) and isinstance(source.get("NAME"), str) else "CoinDesk"
        categories = article.get("CATEGORY_DATA") or []
        if not isinstance(categories, list):
            raise check.fail("article.CATEGORY_DATA is not a list")
        body = article.get("BODY") or ""
        if not isinstance(body, str):
            raise check.fail("article.BODY is not a string")
        items.append(
            NewsItem(
                title=plain(check.text(article, "TITLE", "article")),
                url=url,
                source=plain(name),
                published_at=check.unix(check.field(article, "PUBLISHED_ON", "article"), "PUBLISHED_ON"),
                summary=plain(body, max_length=SUMMARY_CHARS),
                categories=tuple(str(c["NAME"]).strip() for c in categories if isinstance(c, dict) and c.get("NAME")),
            )
        )
    return items
