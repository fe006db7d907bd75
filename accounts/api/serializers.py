from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import serializers as jwt_serializers

from cryptodt.api.queries import NOT_BLANK


class ApiKeyCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, trim_whitespace=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiKeyOutput(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used = serializers.DateTimeField(allow_null=True)
    revoked = serializers.SerializerMethodField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_revoked(self, api_key) -> bool:
        return api_key.revoked_at is not None


class IssuedKeyOutput(serializers.Serializer):
    prefix = serializers.CharField(source="api_key.prefix")
    name = serializers.CharField(source="api_key.name")
    key = serializers.CharField()
    created = serializers.DateTimeField(source="api_key.created")
    expires_at = serializers.DateTimeField(source="api_key.expires_at", allow_null=True)


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    tier = serializers.CharField()
    limit_per_minute = serializers.IntegerField(allow_null=True)
    used_this_minute = serializers.IntegerField()


class TokenRefreshInput(jwt_serializers.TokenRefreshSerializer):
    """SimpleJWT's refresh, where a token whose user has since been deleted (or whose
    user claim is garbage) is a 401 like any other unusable token, not a 500."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except (ObjectDoesNotExist, TypeError, ValueError):
            raise AuthenticationFailed("No active account found for the given token.", "no_active_account")


# SimpleJWT's fields are DRF CharFields (cryptodt.api.queries.NOT_BLANK); the document says
# so for the request bodies below.


@extend_schema_field({"type": "string", "minLength": 1, "pattern": NOT_BLANK})
class _JwtField(serializers.CharField):
    pass


class TokenObtainRequest(serializers.Serializer):
    """Documents SimpleJWT's TokenObtainPairSerializer's input (the view still uses it)."""

    username = _JwtField()
    password = _JwtField()


class RefreshRequest(serializers.Serializer):
    """Documents the input of SimpleJWT's refresh and blacklist serializers."""

    refresh = _JwtField()


class VerifyRequest(serializers.Serializer):
    """Documents the input of SimpleJWT's verify serializer."""

    token = _JwtField()
