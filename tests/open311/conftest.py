from tests.events.conftest import _fast_passwords, clock, world  # noqa: F401  (shared fixtures)
