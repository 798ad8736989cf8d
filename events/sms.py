"""Text-message gateways for the outbox (Art. 10, 17, 19): pluggable by `settings.SMS_BACKEND`.

A backend is a class with `send(phone: str, text: str) -> None` that raises on failure
(any exception: `events.notify.deliver_due` retries the row with `OUTBOX_BACKOFF`).
It is only ever called by the outbox's delivery task, never inline in a request.

- `LogSmsBackend` (the default, and the demo's): writes the message to the log, the number
  masked.
- `AliyunSmsBackend`: Alibaba Cloud SMS (阿里云短信服务, Dysmsapi `SendSms`, API version
  2017-05-25) over HTTPS with the RPC-style HMAC-SHA1 signature (signature version 1.0).
  Configured by `settings.SMS_ALIYUN` (endpoint, region, sign name, template code and the
  template variable the text goes into); the AccessKey id and secret come from the
  environment only (`ALIYUN_SMS_ACCESS_KEY_ID`, `ALIYUN_SMS_ACCESS_KEY_SECRET`) and are
  never logged.
"""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or could not take the message (the outbox retries it)."""


class LogSmsBackend:
    """Writes each message to the log instead of sending it (demo, development).

    The number is logged masked (`138****5678`): logs are not a place for personal data.
    """

    def send(self, phone: str, text: str) -> None:
        from personnel.masking import mask_mobile

        logger.info("SMS to %s: %s", mask_mobile(phone), text)


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as Alibaba Cloud's signature wants it (UTF-8; space → %20,
    `*` → %2A, `~` kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The `Signature` of an Alibaba Cloud RPC request (signature version 1.0, HMAC-SHA1).

    `params`: every request parameter except `Signature`. The canonical query string is the
    parameters sorted by name, each `enc(name)=enc(value)`, joined by `&`; the string to
    sign is `METHOD&%2F&enc(canonical)`; the key is `secret + "&"`. Returns base64 text.
    """
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(str(params[k]))}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsBackend:
    """Alibaba Cloud SMS (`SendSms`): one POST per message to `SMS_ALIYUN["endpoint"]`.

    The text goes into the template variable `SMS_ALIYUN["param"]` of the approved template
    `SMS_ALIYUN["template_code"]`, signed `SMS_ALIYUN["sign_name"]`. Raises `SmsError` when
    the gateway answers other than `{"Code": "OK"}` (with its code, never the secret) or
    cannot be reached within `SMS_ALIYUN["timeout"]` seconds.
    """

    version = "2017-05-25"

    def __init__(self, config: Mapping | None = None, key_id: str | None = None, secret: str | None = None):
        self.config = dict(config if config is not None else settings.SMS_ALIYUN)
        self.key_id = key_id if key_id is not None else settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.secret = secret if secret is not None else settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        if not (self.key_id and self.secret):
            raise SmsError("ALIYUN_SMS_ACCESS_KEY_ID / ALIYUN_SMS_ACCESS_KEY_SECRET are not set")

    def params(self, phone: str, text: str, *, nonce: str | None = None, at: datetime.datetime | None = None) -> dict:
        """The signed request parameters for one message (`nonce`/`at` fixed only by tests)."""
        at = at or datetime.datetime.now(datetime.UTC)
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.config.get("region", "cn-hangzhou"),
            "SignName": self.config["sign_name"],
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.config["template_code"],
            "TemplateParam": json.dumps({self.config.get("param", "content"): text}, ensure_ascii=False),
            "Timestamp": at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.version,
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        return params

    def send(self, phone: str, text: str) -> None:
        body = urllib.parse.urlencode(self.params(phone, text), quote_via=urllib.parse.quote).encode()
        request = urllib.request.Request(  # noqa: S310 (the endpoint is the operator's setting)
            self.config.get("endpoint", "https://dysmsapi.aliyuncs.com/"),
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.get("timeout", 10)) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            answer = _json(exc.read())
            raise SmsError(f"HTTP {exc.code} {answer.get('Code', '')}".strip()) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SmsError(str(getattr(exc, "reason", exc))[:200]) from None
        if answer.get("Code") != "OK":
            raise SmsError(f"{answer.get('Code', 'no code')}: {answer.get('Message', '')}"[:300])


def _json(raw: bytes) -> dict:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def sms_backend():
    """An instance of `settings.SMS_BACKEND` (a dotted path)."""
    return import_string(settings.SMS_BACKEND)()
