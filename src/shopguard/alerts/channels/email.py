"""E-mail channel through SMTP (``smtplib``), with the event's snapshot JPEG attached.

The ``Message-ID`` is derived from the idempotency key, so a retried alert carries the
same id and mail clients and archives can fold duplicates. 4xx replies and network
errors are retried; 5xx replies (rejected sender or recipients, failed login) are not.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate

from shopguard.alerts.channels.base import Delivery, DeliveryError
from shopguard.alerts.config import EmailConfig
from shopguard.alerts.message import MessageFormat

log = logging.getLogger(__name__)

SNAPSHOT_POLL_S = 0.2

#: Reads the bytes of an evidence object by key (``EvidenceArchive.read_key``).
SnapshotLoader = Callable[[str], bytes]


def message_id(idempotency_key: str) -> str:
    """The ``Message-ID`` of an alert: the same for every retry of one delivery."""
    return f"<{idempotency_key}@shopguard.alerts>"


class EmailChannel:
    """Sends one message to all ``to`` addresses; attaches ``snapshot.jpg`` when it can."""

    def __init__(
        self,
        config: EmailConfig,
        fmt: MessageFormat,
        snapshot_loader: SnapshotLoader | None = None,
    ):
        self.name = config.name
        self._config = config
        self._password = config.resolve_secret("password")
        self._fmt = fmt
        self._load_snapshot = snapshot_loader if config.attach_snapshot else None

    def compose(self, delivery: Delivery) -> EmailMessage:
        message = self._fmt.render(delivery.payload)
        mail = EmailMessage()
        mail["Subject"] = f"{self._config.subject_prefix} {message.subject}".strip()
        mail["From"] = self._config.from_
        mail["To"] = ", ".join(self._config.to)
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id(delivery.idempotency_key)
        mail["X-ShopGuard-Idempotency-Key"] = delivery.idempotency_key
        mail.set_content(message.text)
        snapshot = self._snapshot(delivery)
        if snapshot is not None:
            mail.add_attachment(snapshot, maintype="image", subtype="jpeg", filename="snapshot.jpg")
        return mail

    def _snapshot(self, delivery: Delivery) -> bytes | None:
        key = delivery.payload.get("snapshot_key")
        if not key or self._load_snapshot is None:
            return None
        deadline = time.monotonic() + self._config.snapshot_wait_s
        while True:
            try:
                return self._load_snapshot(str(key))
            except Exception as exc:  # a missing snapshot must not stop the alert
                if time.monotonic() >= deadline:
                    log.warning(
                        "alert %s goes without its snapshot %s: %s",
                        delivery.idempotency_key,
                        key,
                        exc,
                    )
                    return None
            time.sleep(SNAPSHOT_POLL_S)

    def _connect(self) -> smtplib.SMTP:
        c = self._config
        if c.security == "ssl":
            return smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout_s, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
        if c.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, delivery: Delivery) -> None:
        mail = self.compose(delivery)
        try:
            with self._connect() as smtp:
                if self._config.username:
                    smtp.login(self._config.username, self._password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipients refused: {codes}", retryable=any(400 <= c < 500 for c in codes)
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=400 <= exc.smtp_code < 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP failed: {type(exc).__name__}: {exc}") from None
