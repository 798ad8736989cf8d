"""Production static files and the error page that renders without a request context."""

from django.core.management import call_command
from django.template.loader import render_to_string


def test_collectstatic_with_the_manifest_storage_resolves_vendored_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    names = {p.name for p in (tmp_path / "vendor" / "bootstrap").iterdir()}
    assert "bootstrap.min.css" in names and "LICENSE" in names
    assert any(n.startswith("bootstrap.min.") and n.endswith(".css") and n != "bootstrap.min.css" for n in names)
    assert (tmp_path / "staticfiles.json").exists()


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "系统繁忙，请稍后再试" in html
    assert "bootstrap.min.css" in html
