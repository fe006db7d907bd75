import pytest

from accounts import services
from sentiment.api.serializers import MAX_TEXT_CHARS, MAX_TEXTS

pytestmark = pytest.mark.django_db
URL = "/api/sentiment/analyze"


@pytest.fixture
def client(api, django_user_model):
    user = django_user_model.objects.create_user(username="ada", password="correct-Horse-battery-9")
    api.force_authenticate(user)
    return api


def test_it_scores_one_text(client):
    response = client.post(URL, {"text": "Exchange hacked, millions stolen"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "lexicon:vader-crypto"
    [result] = body["data"]
    assert result["label"] == "negative"
    assert -1 <= result["score"] < 0
    assert 0 <= result["confidence"] <= 1


def test_it_scores_many_texts_in_order(client):
    texts = ["Bitcoin surges to a record high", "Exchange hacked", "Foundation publishes annual report"]
    response = client.post(URL, {"texts": texts}, format="json")
    assert response.status_code == 200
    assert [r["label"] for r in response.json()["data"]] == ["positive", "negative", "neutral"]


def test_it_names_the_transformer_model_in_use(client, settings, tiny_positive_model):
    settings.SENTIMENT_MODEL = str(tiny_positive_model)
    body = client.post(URL, {"texts": ["a", "b"]}, format="json").json()
    assert body["model"] == tiny_positive_model.name
    assert [r["label"] for r in body["data"]] == ["positive", "positive"]


def test_it_accepts_an_api_key(api, django_user_model):
    user = django_user_model.objects.create_user(username="grace", password="correct-Horse-battery-9")
    api.credentials(HTTP_X_API_KEY=services.api_key_issue(user=user, name="bot").key)
    response = api.post(URL, {"text": "Bitcoin rallies"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"][0]["label"] == "positive"


def test_a_bad_api_key_is_401(api):
    api.credentials(HTTP_X_API_KEY="cdt_not-a-real-key")
    response = api.post(URL, {"text": "x"}, format="json")
    assert response.status_code == 401


def test_it_requires_credentials(api):
    response = api.post(URL, {"text": "hello"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": None}, "text"),
        ({"text": 42}, "text"),
        ({"text": True}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": {"a": 1}}, "text"),
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "text"),
        ({"texts": []}, "texts"),
        ({"texts": "not a list"}, "texts"),
        ({"texts": ["ok", ""]}, "texts"),
        ({"texts": ["ok", 7]}, "texts"),
        ({"texts": ["ok", None]}, "texts"),
        ({"texts": [["nested"]]}, "texts"),
        ({"texts": ["x"] * (MAX_TEXTS + 1)}, "texts"),
        ({"texts": ["x" * (MAX_TEXT_CHARS + 1)]}, "texts"),
        ({"text": "a", "texts": ["b"]}, "text"),
        ([], "non_field_errors"),
        (["a", "b"], "non_field_errors"),
        ("just a string", "non_field_errors"),
    ],
)
def test_it_rejects_bad_bodies_naming_the_field(client, body, field):
    response = client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["details"]["parameter"] == field


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b'{"text": "trunc', "malformed_body"),
        (b"\xff\xfe\x00garbage", "malformed_body"),
        (b'{"text": NaN}', "malformed_body"),
        (b"", "invalid_parameter"),  # no body at all: the text is missing
    ],
)
def test_it_rejects_malformed_json_with_the_envelope(client, payload, code):
    response = client.generic("POST", URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_it_rejects_an_unsupported_media_type(client):
    response = client.generic("POST", URL, b"<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_get_is_not_allowed(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(("count", "cost"), [(1, 2), (7, 2), (8, 3), (64, 10)])
def test_it_costs_more_for_more_texts(client, count, cost):
    first = client.post(URL, {"texts": ["x"] * count}, format="json")
    second = client.post(URL, {"text": "x"}, format="json")
    assert first.status_code == second.status_code == 200
    spent = int(first["X-RateLimit-Remaining"]) - int(second["X-RateLimit-Remaining"])
    assert spent == 2  # one text
    assert int(first["X-RateLimit-Limit"]) - int(first["X-RateLimit-Remaining"]) == cost


def test_readiness_reports_the_backend_without_loading_it(api, client, settings, tiny_positive_model):
    settings.SENTIMENT_MODEL = str(tiny_positive_model)
    check = api.get("/api/health/ready").json()["checks"]["sentiment"]
    assert check["detail"] == "not loaded yet"
    assert check["configured"] == tiny_positive_model.name  # never the server's path

    client.post(URL, {"text": "x"}, format="json")

    check = api.get("/api/health/ready").json()["checks"]["sentiment"]
    assert check["backend"] == "transformer"
    assert check["model"] == tiny_positive_model.name
