"""/api/alerts: a user's alert rules, their firings and deliveries (docs/alerts.md)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors
from alerts.api.serializers import RuleInput, delivery_output, firing_output, rule_output
from alerts.models import DeliveryState
from alerts.services import rules
from cryptodt.api.errors import InvalidParameter

# The answer that shows a webhook secret must not be kept by any cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _fields(payload: RuleInput) -> dict:
    fields = dict(payload.validated_data)
    if fields.get("coin"):
        fields["coin"] = selectors.coin_for(fields["coin"])
    return fields


def _saved(saved, status_code: int) -> Response:
    headers = NO_STORE if saved.secret else None
    return Response(rule_output(saved.rule, secret=saved.secret), status=status_code, headers=headers)


class AlertsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="alerts_list", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"data": [rule_output(rule) for rule in selectors.rules_of(user=request.user)]})

    @extend_schema(operation_id="alerts_create", request=RuleInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        payload = RuleInput(data=request.data)
        payload.is_valid(raise_exception=True)
        return _saved(rules.rule_create(user=request.user, fields=_fields(payload)), status.HTTP_201_CREATED)


class AlertView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="alerts_retrieve", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        return Response(rule_output(selectors.rule_of(user=request.user, pk=pk)))

    @extend_schema(operation_id="alerts_update", request=RuleInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        rule = selectors.rule_of(user=request.user, pk=pk)
        payload = RuleInput(rule, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        return _saved(rules.rule_update(rule=rule, fields=_fields(payload)), status.HTTP_200_OK)

    @extend_schema(operation_id="alerts_delete", responses={204: None})
    def delete(self, request, pk: int):
        rules.rule_delete(rule=selectors.rule_of(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FiringsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="alerts_firings", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        rule = selectors.rule_of(user=request.user, pk=pk)
        return Response({"data": [firing_output(f) for f in selectors.firings_of(rule=rule)]})


class DeliveriesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="alerts_deliveries", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        rule = selectors.rule_of(user=request.user, pk=pk)
        state = request.query_params.get("state") or None
        if state is not None and state not in DeliveryState.values:
            raise InvalidParameter("state", f"state is one of {', '.join(DeliveryState.values)}.")
        return Response({"data": [delivery_output(d) for d in selectors.deliveries_of(rule=rule, state=state)]})
