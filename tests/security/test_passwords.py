"""Password rules in Chinese, no reuse of recent passwords, and the forced change of an
administrator's initial password at the first sign-in."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from security import passwords
from security.models import PasswordHistory

from .conftest import sign_in


def _messages(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


def test_short_and_simple_passwords_are_refused_in_chinese(db):
    assert "密码太短，至少需要 10 个字符。" in _messages("Ab1!")
    assert "这个密码太常见了。" in _messages("password")
    assert any("四类中的至少 3 类" in m for m in _messages("abcdefghijkl"))
    assert _messages("Grid-demo-2026x") == []


def test_the_last_five_passwords_cannot_be_used_again(plain_user, settings):
    settings.PASSWORD_HISTORY_COUNT = 5
    used = [f"Used-pass-{n}x" for n in range(6)]
    for password in used:
        plain_user.set_password(password)
        plain_user.save()
    assert PasswordHistory.objects.filter(user=plain_user).count() == 5
    for password in used[1:]:
        assert any("最近 5 次" in m for m in _messages(password, plain_user)), password
    assert _messages(used[0], plain_user) == []  # the sixth-last is allowed again


def test_an_initial_password_must_be_changed_at_first_sign_in(client, plain_user):
    passwords.require_change(plain_user)
    response = sign_in(client, "plain")
    assert client.get("/").url.startswith("/security/password/")
    assert client.get("/api/v1/events/").json()["code"] == "password_change_required"
    page = client.get("/security/password/").content.decode()
    assert "初始密码" in page
    refused = client.post(
        "/security/password/",
        {"old_password": "pw-for-tests-1", "new_password1": "pw-for-tests-1", "new_password2": "pw-for-tests-1"},
    )
    assert "最近 5 次" in refused.content.decode()
    new = "My-own-pass-2026"
    response = client.post(
        "/security/password/", {"old_password": "pw-for-tests-1", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in, free to work
    assert not passwords.must_change(plain_user)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_password_help_follows_the_chosen_language(client, plain_user, language, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sign_in(client, "plain")
    html = client.get("/security/password/").content.decode()
    expected = "四类中的至少" if language == "zh-hans" else "at least 3 of"
    assert expected in html


def test_a_password_set_by_an_administrator_is_an_initial_one(client, django_user_model, plain_user):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(root)
    new = "Admin-given-2026"
    response = client.post(
        "/admin/auth/user/add/", {"username": "newbie", "password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302
    newbie = django_user_model.objects.get(username="newbie")
    assert passwords.must_change(newbie)
    reset = client.post(
        f"/admin/auth/user/{plain_user.pk}/password/", {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert reset.status_code == 302
    assert passwords.must_change(plain_user)
