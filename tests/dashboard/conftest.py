import pytest

from tests.data.conftest import listing  # noqa: F401  (fixture)
from tests.providers.fake_upstream import refuse_every_provider


@pytest.fixture(autouse=True)
def _no_real_providers(settings):
    refuse_every_provider(settings)
