import pytest


@pytest.mark.django_db
def test_admin_login_page_is_served(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"cryptodt administration" in response.content  # templates/admin/base_site.html


@pytest.mark.django_db
def test_admin_sends_anonymous_visitors_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_staff_can_log_in_and_see_the_admin_index(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "A-long-enough-pass-42")
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "A-long-enough-pass-42"})
    assert response.status_code == 302
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"Site administration" in index.content


@pytest.mark.django_db
def test_every_model_of_the_project_has_a_working_admin_page(admin_client):
    from datetime import UTC, datetime
    from decimal import Decimal

    from django.contrib import admin
    from django.urls import reverse

    from markets.services import ingest
    from providers.records import MarketRow

    now = datetime.now(UTC).replace(microsecond=0)
    row = MarketRow(coin_id="bitcoin", symbol="btc", name="Bitcoin", price=Decimal("65000.5"), as_of=now, rank=1)
    ingest.ingest_market_rows(rows=[row], source="coingecko", track=True)
    project_apps = {"markets", "sentiment", "accounts", "auth", "django_q", "token_blacklist"}
    registered = [m for m in admin.site._registry if m._meta.app_label in project_apps]
    assert {m._meta.app_label for m in registered} == project_apps
    for model in registered:
        opts = model._meta
        changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200, opts.label
        first = model._default_manager.first()
        if first is not None:
            change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
            assert change.status_code == 200, opts.label
