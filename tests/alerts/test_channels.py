"""Every channel against a real receiver: SMTP server, HTTP endpoint, file, stream."""

from __future__ import annotations

import io
import json
import logging
from email import message_from_bytes, policy
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alerts.channels import (
    CHANNELS,
    AppriseChannel,
    ConsoleChannel,
    EmailChannel,
    FileChannel,
    WebhookChannel,
    build_channels,
    register_channel,
)
from alerts.channels.base import ChannelContext
from alerts.render import RenderedAlert
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings, SmtpSettings
from tests.alerts.conftest import LOOPBACK

# The receivers listen on loopback, which outbound safety refuses unless allow-listed.

if TYPE_CHECKING:
    from .conftest import HttpReceiver, SmtpServer

MESSAGE = RenderedAlert(
    subject="【新发布 New】深圳市新一代人工智能发展行动计划（2019-2023年）",
    text="摘要 Summary：新发布\n本版本 This version：https://pw.example/documents/7/versions/12\n",
    html='<p>新发布 <a href="https://pw.example/documents/7/versions/12">本版本</a></p>',
    payload={"kind": "new", "document": {"id": 7, "title": "深圳市新一代人工智能发展行动计划（2019-2023年）"}},
    idempotency_key="policywatch-alert-42",
)


def email_channel(server: SmtpServer) -> EmailChannel:
    return EmailChannel(SmtpSettings(host=server.host, port=server.port, sender="alerts@pw.example"))


def test_email_arrives_with_chinese_subject_text_and_html(smtp_server: SmtpServer) -> None:
    email_channel(smtp_server).send("gd@consult.example, sz@consult.example", MESSAGE)
    (envelope,) = smtp_server.inbox.messages
    assert envelope.rcpt_tos == ["gd@consult.example", "sz@consult.example"]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"] == MESSAGE.subject
    assert mail["From"] == "alerts@pw.example"
    assert mail["Message-ID"] == "<policywatch-alert-42@pw.example>"
    assert "https://pw.example/documents/7/versions/12" in mail.get_body(("plain",)).get_content()
    assert '<a href="https://pw.example/documents/7/versions/12">' in mail.get_body(("html",)).get_content()


def test_email_refused_recipient_is_permanent(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.refuse.add("gone@consult.example")
    with pytest.raises(PermanentError, match="recipients refused"):
        email_channel(smtp_server).send("gone@consult.example", MESSAGE)
    assert smtp_server.inbox.messages == []


def test_email_to_a_malformed_address_is_permanent(smtp_server: SmtpServer) -> None:
    with pytest.raises(PermanentError, match="not an email address"):
        email_channel(smtp_server).send("not-an-address", MESSAGE)


def test_email_with_smtp_server_down_is_transient(closed_port: int) -> None:
    channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=closed_port, timeout_seconds=2))
    with pytest.raises(TransientError):
        channel.send("gd@consult.example", MESSAGE)


def test_webhook_posts_the_json_record_with_an_idempotency_key(http_receiver: HttpReceiver) -> None:
    WebhookChannel(allowed_networks=LOOPBACK).send(http_receiver.url + "/hook", MESSAGE)
    (request,) = http_receiver.requests
    assert request["path"] == "/hook"
    assert request["headers"]["Idempotency-Key"] == "policywatch-alert-42"
    body = json.loads(request["body"])
    assert body["id"] == "policywatch-alert-42"
    assert body["subject"] == MESSAGE.subject
    assert body["document"]["id"] == 7


@pytest.mark.parametrize(("status", "error"), [(500, TransientError), (503, TransientError),
                                               (429, TransientError), (400, PermanentError),
                                               (404, PermanentError)])
def test_webhook_5xx_is_transient_and_4xx_permanent(
    http_receiver: HttpReceiver, status: int, error: type[Exception]
) -> None:
    http_receiver.statuses.append(status)
    with pytest.raises(error, match=str(status)):
        WebhookChannel(allowed_networks=LOOPBACK).send(http_receiver.url, MESSAGE)


def test_webhook_unreachable_is_transient_and_non_url_permanent(closed_port: int) -> None:
    with pytest.raises(TransientError):
        WebhookChannel(timeout_seconds=2, allowed_networks=LOOPBACK).send(f"http://127.0.0.1:{closed_port}/", MESSAGE)
    with pytest.raises(PermanentError):
        WebhookChannel(allowed_networks=LOOPBACK).send("ftp://example/hook", MESSAGE)


def test_file_sink_appends_one_json_line_per_alert(tmp_path: Path) -> None:
    target = tmp_path / "out" / "alerts.jsonl"
    channel = FileChannel()
    channel.send(str(target), MESSAGE)
    channel.send(str(target), MESSAGE)
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["policywatch-alert-42"] * 2
    assert lines[0]["subject"] == MESSAGE.subject and lines[0]["kind"] == "new"


def test_file_sink_without_target_uses_the_outbox_or_refuses(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    FileChannel.from_settings(AlertSettings(outbox_file=outbox), ChannelContext()).send("", MESSAGE)
    assert json.loads(outbox.read_text(encoding="utf-8"))["id"] == "policywatch-alert-42"
    with pytest.raises(PermanentError, match="outbox_file"):
        FileChannel().send("", MESSAGE)
    with pytest.raises(PermanentError):
        FileChannel().send(str(tmp_path), MESSAGE)


def test_console_writes_the_text_to_the_injected_stream() -> None:
    stream = io.StringIO()
    ConsoleChannel(stream).send("demo", MESSAGE)
    assert "→ demo" in stream.getvalue()
    assert "本版本 This version：https://pw.example/documents/7/versions/12" in stream.getvalue()


def test_apprise_json_url_posts_to_the_receiver(http_receiver: HttpReceiver) -> None:
    url = http_receiver.url.replace("http://", "json://") + "/chat"
    AppriseChannel(allowed_networks=LOOPBACK).send(url, MESSAGE)
    (body,) = http_receiver.bodies()
    assert body["title"] == MESSAGE.subject
    assert "本版本 This version" in body["message"]


def test_apprise_failure_is_transient_and_unparseable_url_permanent(http_receiver: HttpReceiver) -> None:
    http_receiver.statuses.append(500)
    with pytest.raises(TransientError):
        AppriseChannel(allowed_networks=LOOPBACK).send(http_receiver.url.replace("http://", "json://"), MESSAGE)
    with pytest.raises(PermanentError, match="not a usable Apprise URL"):
        AppriseChannel(allowed_networks=LOOPBACK).send("nonsense", MESSAGE)


def test_email_opts_out_loudly_without_smtp_host(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="alerts.channels"):
        channels = build_channels(AlertSettings())
    assert "email" not in channels and "console" not in channels
    assert {"file", "webhook", "apprise"} <= set(channels)
    assert "alert channel email disabled: alerts.smtp.host is empty" in caplog.text
    assert "alert channels enabled: apprise, file, webhook" in caplog.text


def test_configured_smtp_and_console_stream_enable_email_and_console() -> None:
    stream = io.StringIO()
    channels = build_channels(AlertSettings(smtp=SmtpSettings(host="127.0.0.1")), console_stream=stream)
    assert set(channels) == set(CHANNELS)
    assert all(channel.name == name for name, channel in channels.items())


def test_an_extension_registers_exactly_like_the_builtins() -> None:
    sent: list[str] = []

    class Pager:
        name = "pager"

        @classmethod
        def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> Pager:
            return cls()

        def send(self, delivery_target: str, message: RenderedAlert) -> None:
            sent.append(delivery_target)

    register_channel(Pager)
    try:
        channels = build_channels(AlertSettings())
        channels["pager"].send("+86-10-1234", MESSAGE)
        assert sent == ["+86-10-1234"]
        with pytest.raises(ValueError, match="already registered"):
            register_channel(type("Other", (Pager,), {}))
    finally:
        del CHANNELS["pager"]
