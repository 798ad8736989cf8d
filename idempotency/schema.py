"""OpenAPI: every POST of the API documents the optional `Idempotency-Key` header and its
422 answer (registered in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""

PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "A one-time key of this request (e.g. a UUID; 1-255 printable ASCII). Sent again with the same "
        "request, the first successful answer is replayed (header `Idempotent-Replayed: true`) and nothing "
        "is done twice; with another request it is 422 `idempotency_key_reused`. Kept 24 hours."
    ),
}
REUSED = {"description": "code `idempotency_key_reused`: the key was used for another request"}


def add_idempotency_key(result, generator, request, public):
    """drf-spectacular postprocessing hook: add `PARAMETER` and the 422 to each POST."""
    for path in result.get("paths", {}).values():
        operation = path.get("post")
        if operation is None:
            continue
        operation.setdefault("parameters", []).append(PARAMETER)
        operation.setdefault("responses", {}).setdefault("422", REUSED)
    return result
