"""OpenAPI description of the Api-Key scheme (drf-spectacular extension)."""

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
