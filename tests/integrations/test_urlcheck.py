"""The webhook SSRF guard (integrations.urlcheck): private targets only when listed."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from integrations.urlcheck import check_webhook_url


def refused(url: str) -> str | None:
    try:
        check_webhook_url(url)
    except ValidationError as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/h",
        "http://localhost:8000/h",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/h",
        "http://[::ffff:10.0.0.1]/h",
        "http://192.168.1.1/h",
        "http://0.0.0.0/h",
    ],
)
def test_private_targets_are_refused_with_nothing_listed_even_in_debug(settings, url):
    settings.DEBUG = True
    settings.WEBHOOK_PRIVATE_HOSTS = []
    assert refused(url) == "private"


def test_listed_names_addresses_and_networks_are_allowed_and_nothing_else(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["localhost", "127.0.0.1", "10.20.0.0/16", "[::1]"]
    for url in ("http://LOCALHOST:8080/h", "http://127.0.0.1:9/h", "http://10.20.255.1/h", "http://[::1]:8/h"):
        assert refused(url) is None, url
    for url in ("http://127.0.0.2/h", "http://10.21.0.1/h", "http://169.254.169.254/"):
        assert refused(url) == "private", url


def test_public_addresses_and_schemes(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = []
    assert refused("https://93.184.216.34/hook") is None
    assert refused("ftp://93.184.216.34/hook") == "scheme"
    assert refused("http:///hook") == "scheme"


@pytest.mark.parametrize("value", ["127.0.0.1", ["10.0.0.1/99"], ["bad:host"]])
def test_a_malformed_list_is_a_configuration_error_not_an_open_door(settings, value):
    settings.WEBHOOK_PRIVATE_HOSTS = value
    with pytest.raises(ImproperlyConfigured):
        check_webhook_url("http://10.0.0.1/hook")
