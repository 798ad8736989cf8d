from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)
