import pytest
from django.core.management import CommandError, call_command

from accounts import audit, keys, selectors, services
from accounts.models import ApiKey, AuditEntry, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(admin_client):
    return admin_client


def test_an_operator_creates_a_key_and_sees_the_secret_once(operator, user, api):
    response = operator.post(
        "/admin/accounts/apikey/add/", {"user": user.pk, "name": "from admin", "expires_at": ""}, follow=True
    )
    assert response.status_code == 200

    shown = [str(m) for m in response.context["messages"]]
    secret = next(word for text in shown for word in text.split() if word.startswith("cdt_"))
    stored = ApiKey.objects.get(name="from admin")
    assert stored.user == user and stored.key_hash == keys.digest(secret)
    assert api.get("/api/auth/me", HTTP_X_API_KEY=secret).status_code == 200

    detail = operator.get(f"/admin/accounts/apikey/{stored.pk}/change/").content.decode()
    assert stored.prefix in detail and secret not in detail


def test_the_admin_refuses_an_expiry_in_the_past(operator, user):
    form = {"user": user.pk, "name": "late", "expires_at_0": "2001-01-01", "expires_at_1": "00:00:00"}
    response = operator.post("/admin/accounts/apikey/add/", form)
    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_an_operator_revokes_keys(operator, user, api_key):
    api_key_row = ApiKey.objects.get()
    response = operator.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [api_key_row.pk]}, follow=True
    )
    assert response.status_code == 200
    api_key_row.refresh_from_db()
    assert api_key_row.revoked_at is not None


def test_an_operator_sets_a_users_tier(operator, user):
    form = {
        "username": user.username,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "is_active": "on",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-tier": "pro",
    }
    response = operator.post(f"/admin/auth/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    user.refresh_from_db()
    assert selectors.tier_of(user=user) == Tier.PRO


def test_operators_browse_the_audit_log(operator, user, api_key, api):
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    audit.flush()
    page = operator.get("/admin/accounts/auditentry/").content.decode()
    assert "/api/auth/me" in page
    assert operator.get("/admin/accounts/auditentry/add/").status_code == 403
    assert AuditEntry.objects.count() == 1


def test_the_user_list_shows_tiers(operator, make_user):
    make_user("bigco", tier="enterprise")
    assert "enterprise" in operator.get("/admin/auth/user/").content.decode()


def test_create_api_user_prints_a_working_key_once(api, capsys):
    call_command("create_api_user", "bot", "--tier", "pro")
    key = capsys.readouterr().out.strip()

    response = api.get("/api/auth/me", HTTP_X_API_KEY=key)
    assert response.json()["tier"] == "pro"
    assert response.json()["username"] == "bot"


def test_create_api_user_refuses_an_existing_user_unless_told(user, capsys):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_user", user.username)
    call_command("create_api_user", user.username, "--existing", "--tier", "enterprise")
    assert capsys.readouterr().out.strip().startswith("cdt_")
    user.refresh_from_db()
    assert selectors.tier_of(user=user) == Tier.ENTERPRISE


def test_a_user_without_a_profile_is_on_free(user):
    assert not hasattr(user, "profile")
    assert selectors.tier_of(user=user) == Tier.FREE


def test_an_unknown_tier_is_rejected(user):
    from cryptodt.api.errors import InvalidParameter

    with pytest.raises(InvalidParameter):
        services.tier_set(user=user, tier="platinum")
