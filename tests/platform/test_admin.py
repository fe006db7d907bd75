import pytest


@pytest.mark.django_db
def test_admin_login_page_is_served(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


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
