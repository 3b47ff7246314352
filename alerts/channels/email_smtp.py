"""Email over SMTP (smtplib): multipart text + HTML, one connection per message.

Subjects are Chinese (encoded as RFC 2047 UTF-8 words by the email package); with an unsubscribe
link the message carries List-Unsubscribe and List-Unsubscribe-Post (one-click, RFC 8058).

A connection per message keeps the channel stateless between deliverer runs; alert volume is
minutes-scale, not bulk mail. SMTP reply codes decide the error type: 4xx and network failures
are transient, 5xx refusals of the recipient are permanent.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from alerts.channels.base import ChannelContext, ChannelNotConfigured
from alerts.render import RenderedAlert
from core.errors import PermanentError, TransientError
from core.settings import AlertSettings, SmtpSettings


class EmailChannel:
    """Sends alerts as email through the configured SMTP server."""

    name = "email"

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp

    @classmethod
    def from_settings(cls, settings: AlertSettings, context: ChannelContext) -> EmailChannel:
        if not settings.smtp.host:
            raise ChannelNotConfigured("alerts.smtp.host is empty")
        return cls(settings.smtp)

    def send(self, delivery_target: str, message: RenderedAlert) -> None:
        recipients = [addr.strip() for addr in delivery_target.split(",") if addr.strip()]
        if not recipients or any("@" not in parseaddr(addr)[1] for addr in recipients):
            raise PermanentError(f"not an email address: {delivery_target!r}")
        mail = self.build_message(recipients, message)
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout_seconds) as client:
                if self.smtp.starttls:
                    client.starttls()
                if self.smtp.username:
                    client.login(self.smtp.username, self.smtp.password)
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = PermanentError if all(code >= 500 for code in codes) else TransientError
            raise error(f"recipients refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            error = PermanentError if exc.smtp_code >= 500 and exc.smtp_code != 535 else TransientError
            raise error(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"SMTP {self.smtp.host}:{self.smtp.port}: {exc}") from exc

    def build_message(self, recipients: list[str], message: RenderedAlert) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.smtp.sender
        mail["To"] = ", ".join(recipients)
        mail["Date"] = formatdate(localtime=False)
        if message.idempotency_key:
            # A stable Message-ID lets mail clients fold the rare at-least-once duplicate.
            domain = self.smtp.sender.rpartition("@")[2] or "policywatch"
            mail["Message-ID"] = f"<{message.idempotency_key}@{domain}>"
        if message.unsubscribe_url:
            # RFC 2369 link, and RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to it.
            mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        mail["Content-Language"] = "zh-CN"  # after the parts: set_content clears Content-* headers
        return mail
