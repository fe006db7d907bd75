import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.providers.fake_upstream import refuse_every_provider


@pytest.fixture(autouse=True)
def _no_real_providers(settings):
    refuse_every_provider(settings)


def samples(body: bytes | str) -> list:
    text = body.decode() if isinstance(body, bytes) else body
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def value(body, name: str, **labels) -> float | None:
    """The sample ``name`` whose labels include ``labels``; None when there is none."""
    found = [s.value for s in samples(body) if s.name == name and labels.items() <= s.labels.items()]
    return sum(found) if found else None


@pytest.fixture
def scrape(client):
    def get(**headers) -> bytes:
        response = client.get("/metrics", **headers)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        return response.content

    return get
