from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/token", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/token/verify", views.TokenVerifyView.as_view(), name="auth-token-verify"),
    path("auth/token/blacklist", views.TokenBlacklistView.as_view(), name="auth-token-blacklist"),
    path("auth/keys", views.ApiKeysView.as_view(), name="auth-keys"),
    path("auth/keys/<str:prefix>", views.ApiKeyView.as_view(), name="auth-key"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
]
