"""OpenAPI description of the Api-Key and session schemes (drf-spectacular extensions)."""

from drf_spectacular.authentication import SessionScheme as DrfSessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A department system's key, issued by the grid authority on /integrations/clients/: "
                "send `Authorization: Api-Key <key>` (or `X-Api-Key: <key>`)."
            ),
        }


class SessionScheme(DrfSessionScheme):
    """The session cookie, as drf-spectacular describes DRF's own session class."""

    target_class = "integrations.authentication.SessionAuthentication"
