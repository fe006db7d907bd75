"""The default permission of every API view (REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES)."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission


class AuthenticatedOrAnonymousReads(BasePermission):
    """Authenticated callers may do anything a view allows; anonymous ones may only
    read, and only while ANON_READS is on. Views that need more (staff, owner) set
    their own permission_classes."""

    message = "Credentials are required."

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return self.allows_anonymous(request.method)

    @staticmethod
    def allows_anonymous(method: str) -> bool:
        """Also what the OpenAPI document declares (cryptodt.api.schema.AutoSchema)."""
        return method.upper() in SAFE_METHODS and settings.ANON_READS
