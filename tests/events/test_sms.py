"""The SMS gateways (events.sms): Alibaba Cloud's SendSms over a real socket, and the log."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.sms import AliyunSmsBackend, LogSmsBackend, SmsError, aliyun_signature, percent_encode

KEY_ID, SECRET = "testKeyId", "testSecret-not-real"


def test_the_signature_matches_alibaba_clouds_published_example():
    """The worked example of Alibaba Cloud's SMS signature documentation (GET, secret testSecret)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert percent_encode("a b*c~/") == "a%20b%2Ac~%2F"


class FakeAliyun(BaseHTTPRequestHandler):
    """A local stand-in for dysmsapi.aliyuncs.com: checks the signature as the real one does
    (recomputed with the secret it shares with the test) and answers in its JSON shape."""

    received: list[dict] = []
    answer: dict | None = None

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        self.received.append(params)
        signature = params.pop("Signature", "")
        canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
        to_sign = f"POST&%2F&{percent_encode(canonical)}"
        expected = base64.b64encode(hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
        if signature != expected:
            status, body = 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        else:
            status, body = (
                200,
                self.answer or {"Code": "OK", "Message": "OK", "BizId": "9006197469364984", "RequestId": "F655A8D5"},
            )
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_aliyun(settings):
    """A real HTTP server on a local port (this helper's range when PORT_BASE is set);
    `settings.SMS_ALIYUN` and the AccessKey point at it."""
    port = int(os.environ["PORT_BASE"]) + 7 if os.environ.get("PORT_BASE") else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), FakeAliyun)
    FakeAliyun.received, FakeAliyun.answer = [], None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_ALIYUN = {
        "endpoint": f"http://127.0.0.1:{server.server_port}/",
        "region": "cn-hangzhou",
        "sign_name": "宁波网格",
        "template_code": "SMS_000001",
        "param": "content",
        "timeout": 5,
    }
    settings.ALIYUN_SMS_ACCESS_KEY_ID, settings.ALIYUN_SMS_ACCESS_KEY_SECRET = KEY_ID, SECRET
    yield FakeAliyun
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_message_is_posted_signed_in_sendsms_form(fake_aliyun):
    AliyunSmsBackend().send("13912345678", "您的诉求已受理。")
    (params,) = fake_aliyun.received  # the server checked the signature (or answered 400)
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == "13912345678" and params["AccessKeyId"] == KEY_ID
    assert (params["SignName"], params["TemplateCode"]) == ("宁波网格", "SMS_000001")
    assert json.loads(params["TemplateParam"]) == {"content": "您的诉求已受理。"}
    assert SECRET not in json.dumps(params, ensure_ascii=False)


def test_a_wrong_secret_and_a_refusal_raise_with_the_gateways_code(fake_aliyun):
    with pytest.raises(SmsError, match="SignatureDoesNotMatch"):
        AliyunSmsBackend(secret="wrong").send("13912345678", "x")
    fake_aliyun.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}
    with pytest.raises(SmsError, match=r"isv\.BUSINESS_LIMIT_CONTROL"):
        AliyunSmsBackend().send("13912345678", "x")


def test_an_unreachable_gateway_raises(fake_aliyun, settings):
    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "endpoint": "http://127.0.0.1:9/"}  # discard: nothing listens
    with pytest.raises(SmsError):
        AliyunSmsBackend().send("13912345678", "x")


def test_without_an_access_key_the_backend_refuses_to_start(settings):
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ""
    with pytest.raises(SmsError, match="ALIYUN_SMS_ACCESS_KEY_ID"):
        AliyunSmsBackend()


def test_the_timestamp_is_utc_in_alibaba_clouds_format(settings):
    settings.ALIYUN_SMS_ACCESS_KEY_ID, settings.ALIYUN_SMS_ACCESS_KEY_SECRET = KEY_ID, SECRET
    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "sign_name": "s", "template_code": "t"}
    beijing = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert AliyunSmsBackend().params("1", "x", at=beijing)["Timestamp"] == "2026-11-30T02:00:00Z"


def test_the_log_backend_masks_the_number(caplog):
    with caplog.at_level("INFO", logger="events.sms"):
        LogSmsBackend().send("13912345678", "您的诉求已受理。")
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text


@pytest.mark.django_db
def test_the_outbox_delivers_a_citizens_message_through_the_gateway(world, fake_aliyun, settings):
    from events import services
    from events.choices import MessageStatus, Source
    from events.messaging import OutboxMessage
    from events.models import Event
    from events.tasks import outbox_deliver

    settings.SMS_BACKEND = "events.sms.AliyunSmsBackend"
    event = world.report(contact_phone="13912345678")
    Event.objects.filter(pk=event.pk).update(source=Source.COMPLAINT)
    services.event_accept(actor=world.dispatcher, event=event.pk)
    outbox_deliver()
    (row,) = OutboxMessage.objects.filter(citizen_event=event)
    assert row.status == MessageStatus.SENT
    (params,) = [p for p in fake_aliyun.received if p["PhoneNumbers"] == "13912345678"]
    assert event.tracking_code in json.loads(params["TemplateParam"])["content"]
