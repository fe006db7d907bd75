from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from accounts import ratelimit, selectors, services
from accounts.api.serializers import (
    ApiKeyCreateInput,
    ApiKeyOutput,
    IssuedKeyOutput,
    MeOutput,
    RefreshRequest,
    TokenObtainRequest,
    TokenRefreshInput,
    VerifyRequest,
)

# Responses that carry a secret must not be kept by any cache between here and the client.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _NoStore:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in NO_STORE.items():
            response[name] = value
        return response


@extend_schema_view(post=extend_schema(request=TokenObtainRequest))
class TokenObtainView(_NoStore, jwt_views.TokenObtainPairView):
    # A budget of its own (per client IP and per username), not the anonymous read budget:
    # reads must not lock a caller out of logging in.
    throttle_classes = [ratelimit.TokenGuessingThrottle]


@extend_schema_view(post=extend_schema(request=RefreshRequest))
class TokenRefreshView(_NoStore, jwt_views.TokenRefreshView):
    serializer_class = TokenRefreshInput


@extend_schema_view(post=extend_schema(request=VerifyRequest))
class TokenVerifyView(jwt_views.TokenVerifyView):
    pass


@extend_schema_view(post=extend_schema(request=RefreshRequest))
class TokenBlacklistView(jwt_views.TokenBlacklistView):
    pass


class ApiKeysView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: inline_serializer("ApiKeyList", {"data": ApiKeyOutput(many=True)})})
    def get(self, request):
        api_keys = selectors.api_keys_of(user=request.user)
        return Response({"data": ApiKeyOutput(api_keys, many=True).data})

    @extend_schema(request=ApiKeyCreateInput, responses={201: IssuedKeyOutput})
    def post(self, request):
        payload = ApiKeyCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = services.api_key_issue(user=request.user, **payload.validated_data)
        return Response(IssuedKeyOutput(issued).data, status=status.HTTP_201_CREATED, headers=NO_STORE)


class ApiKeyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, prefix: str):
        services.api_key_revoke(user=request.user, prefix=prefix)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeOutput})
    def get(self, request):
        tier = selectors.tier_of(user=request.user)
        usage = ratelimit.recorded_usage(request) or ratelimit.peek(request, user=request.user)
        me = {
            "username": request.user.get_username(),
            "tier": tier.value,
            "limit_per_minute": selectors.limit_per_minute(tier=tier),
            "used_this_minute": usage.count,
        }
        return Response(MeOutput(me).data)
