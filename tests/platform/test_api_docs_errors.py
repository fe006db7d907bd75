"""The OpenAPI schema (YAML) and the Swagger page (HTML) still answer errors with the JSON envelope."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_a_wrong_method_on_the_api_docs_is_a_json_405(client, path):
    response = client.post(path, "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_an_unknown_format_on_the_api_docs_is_a_json_error(client, path):
    response = client.get(path, {"format": "klingon"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_options_on_the_swagger_page_is_json_not_a_crash(client):
    response = client.options("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_the_schema_and_the_swagger_page_still_render(client):
    assert client.get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    assert client.get("/api/docs/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_only_local_files(client, path):
    """Swagger UI and ReDoc come from drf-spectacular-sidecar's static files: no CDN, so the
    pages work offline, and every asset they name is served by this server."""
    import re

    html = client.get(path).content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls
    assert not [url for url in urls if url.startswith(("http:", "https:", "//"))]
    scripts = [url for url in urls if url.endswith(".js")]
    assert scripts and all("drf_spectacular_sidecar" in url for url in scripts)
    from django.conf import settings
    from django.contrib.staticfiles import finders

    for url in scripts:  # collected into the image by collectstatic, served by WhiteNoise
        assert url.startswith(settings.STATIC_URL) and finders.find(url.removeprefix(settings.STATIC_URL)), url
