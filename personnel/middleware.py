"""Per-request memo of the caller's reach (personnel.reach.request_cache)."""

from .reach import request_cache

#: Methods that change nothing: a grant read at the start of such a request holds to its end.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReachCacheMiddleware:
    """Read each user's reach at most once per safe-method request (`request_cache`).

    A list scopes its rows, checks its `within` node and builds its links from the same
    grants; without this each of them read the grants again. Requests that may change a
    grant (POST, PUT, PATCH, DELETE) read them afresh every time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with request_cache():
            return self.get_response(request)
