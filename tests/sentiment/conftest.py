import pytest

from sentiment import analyzers
from tests.sentiment import tiny_model


@pytest.fixture(autouse=True)
def _fresh_analyzer():
    """Every test chooses its own SENTIMENT_MODEL and loads it afresh."""
    analyzers.forget()
    yield
    analyzers.forget()


@pytest.fixture(autouse=True)
def _lexicon_by_default(settings):
    settings.SENTIMENT_MODEL = "lexicon"


@pytest.fixture(scope="session")
def tiny_positive_model(tmp_path_factory):
    """A finbert-style tiny model (negative/neutral/positive) that answers positive."""
    return tiny_model.build(tmp_path_factory.mktemp("tiny-finbert"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern; these tests create users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
