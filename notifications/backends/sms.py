"""SMS backends, shaped like Django's e-mail backends: `settings.SMS_BACKEND` names a class whose
`send(number, text, reference=...)` delivers one message and returns the gateway's message id
(or ""). `reference` is the outbox row's stable id; the adapters pass it where the gateway's API
takes a client reference.

A backend raises `SmsError` when the gateway refuses; `retryable` says whether trying again
later can help (a timeout, an HTTP 5xx) or not (a rejected number, bad credentials).

When a worker dies after handing a message over and before recording the answer, recovery must
not simply send it again. Each backend says how the outcome can be learnt (`recovery`):
`LOOKUP` — `lookup(reference)` asks the gateway; `SEND_AGAIN` — the gateway refuses a second
message with the same reference (or a repeat harms nobody), so sending again is safe;
`UNKNOWN` — nothing can be asked:
the row fails as "outcome unknown" for a manager to check (README: "Messages under faults").
"""

import json
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from wahaj.lib.validators import normalize_digits

logger = logging.getLogger(__name__)

INVALID_NUMBER = "invalid Saudi mobile number"
_SEPARATORS = re.compile(r"[\s\-()\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
_SAUDI_MOBILE = re.compile(r"^9665\d{8}$")


class SmsError(Exception):
    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def gateway_number(number: str) -> str:
    """`+9665XXXXXXXX`, `05XXXXXXXX`, `5XXXXXXXX`, with Arabic-Indic digits → `9665XXXXXXXX`.

    The Saudi gateways all want the international form without `+` or `00`.
    """
    digits = _SEPARATORS.sub("", normalize_digits(number or ""))
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("05") and len(digits) == 10:
        digits = "966" + digits[1:]
    elif digits.startswith("5") and len(digits) == 9:
        digits = "966" + digits
    if not _SAUDI_MOBILE.match(digits):
        raise SmsError(INVALID_NUMBER, retryable=False)
    return digits


LOOKUP, SEND_AGAIN, UNKNOWN = "lookup", "send_again", "unknown"


class BaseSmsBackend:
    recovery = UNKNOWN

    def __init__(self, **kwargs: Any) -> None:
        self.options = kwargs

    def send(self, number: str, text: str, *, reference: str = "") -> str:
        raise NotImplementedError

    def lookup(self, reference: str) -> str | None:
        """The gateway's id of the message sent with this reference, or None if it never
        arrived. Raises SmsError when the gateway cannot answer now (recovery asks again)."""
        raise NotImplementedError


_DIGITS = re.compile(r"\d")


def masked_number(number: str) -> str:
    """`9665••••4567`: enough to tell two phones apart in a log, not enough to call her."""
    return number[:4] + "••••" + number[-4:] if len(number) > 8 else "••••"


def masked_text(text: str) -> str:
    """Every digit hidden: codes, references and amounts stay out of the console and its logs."""
    return _DIGITS.sub("•", text)


def one_line(text: str) -> str:
    return " ⏎ ".join(line for line in text.splitlines() if line.strip())


class ConsoleBackend(BaseSmsBackend):
    """Development: log the message (one INFO line) instead of sending it — with the number
    shortened and every digit hidden, because a console is a log (journald, `make run`'s
    terminal, CI) and a one-time code in it is a password. The admin shows the rest."""

    recovery = SEND_AGAIN  # logging a message twice harms nobody

    def send(self, number: str, text: str, *, reference: str = "") -> str:
        number = gateway_number(number)
        logger.info("SMS to %s: %s", masked_number(number), one_line(masked_text(text)))
        return ""


class RecordingBackend(BaseSmsBackend):
    """Tests: keep every message in `RecordingBackend.outbox` as (number, text).

    A worker in another process cannot share a list with the test, so when
    `settings.SMS_RECORDING_PATH` is set each message is also appended to that file as one
    JSON line (`recorded_messages(path)` reads them back). It can be asked what it received
    (`lookup`), like a gateway with a status query by reference.
    """

    recovery = LOOKUP
    outbox: ClassVar[list[tuple[str, str]]] = []
    references: ClassVar[list[str]] = []
    _lock = threading.Lock()

    def send(self, number: str, text: str, *, reference: str = "") -> str:
        number = gateway_number(number)
        with self._lock:
            RecordingBackend.outbox.append((number, text))
            RecordingBackend.references.append(reference)
            path = getattr(settings, "SMS_RECORDING_PATH", "")
            if path:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps([number, text, reference], ensure_ascii=False) + "\n")
                    fh.flush()
        return f"rec-{reference}" if reference else ""

    def lookup(self, reference: str) -> str | None:
        path = getattr(settings, "SMS_RECORDING_PATH", "")
        known = [r[2] for r in _recorded(path) if len(r) > 2] if path else self.references
        return f"rec-{reference}" if reference in known else None


def _recorded(path: str) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        return []


def recorded_messages(path: str) -> list[tuple[str, str]]:
    """(number, text) of every message the recording backend wrote to `path`."""
    return [(row[0], row[1]) for row in _recorded(path)]


class HttpGatewayBackend(BaseSmsBackend):
    """A Saudi gateway's HTTP API. Settings: SMS_GATEWAY_URL (default: the gateway's own),
    SMS_GATEWAY_USERNAME, SMS_GATEWAY_KEY (app SID / bearer token / API key), SMS_SENDER_ID,
    SMS_GATEWAY_TIMEOUT (seconds)."""

    default_url = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = kwargs.get("url") or getattr(settings, "SMS_GATEWAY_URL", "") or self.default_url
        self.username = kwargs.get("username", getattr(settings, "SMS_GATEWAY_USERNAME", ""))
        self.key = kwargs.get("key", getattr(settings, "SMS_GATEWAY_KEY", ""))
        self.sender = kwargs.get("sender", getattr(settings, "SMS_SENDER_ID", ""))
        self.timeout = kwargs.get("timeout", getattr(settings, "SMS_GATEWAY_TIMEOUT", 10))

    def _post(
        self, body: bytes, content_type: str, headers: dict | None = None
    ) -> tuple[int, dict]:
        """POST and return (status, JSON body). Network failures and 5xx are retryable."""
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, https
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": content_type, "Accept": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:  # refused, DNS, timeout
            raise SmsError(f"gateway unreachable: {exc}", retryable=True) from exc
        if status >= 500 or status == 429:
            raise SmsError(f"gateway HTTP {status}", retryable=True)
        try:
            payload = json.loads(raw.decode("utf-8") or "{}")
        except ValueError:
            payload = {"raw": raw[:200].decode("utf-8", "replace")}
        return status, payload if isinstance(payload, dict) else {"data": payload}

    def _form(self, fields: dict) -> bytes:
        return urllib.parse.urlencode(fields, encoding="utf-8").encode("ascii")

    def _json(self, fields: dict) -> bytes:
        return json.dumps(fields, ensure_ascii=False).encode("utf-8")


class UnifonicBackend(HttpGatewayBackend):
    """Unifonic REST: form POST (AppSid, SenderID, Body, Recipient, CorrelationID) →
    {"success": …, "data": {"MessageID": …}}; a refusal is `success: false` with an errorCode
    and message. Unifonic refuses a second message with a CorrelationID it has seen (HTTP 409,
    "This message is duplicate"): sending again after a lost answer is safe, and that refusal
    means the first one was accepted."""

    default_url = "https://el.cloud.unifonic.com/rest/SMS/messages"
    recovery = SEND_AGAIN

    def send(self, number: str, text: str, *, reference: str = "") -> str:
        fields = {
            "AppSid": self.key,
            "SenderID": self.sender,
            "Recipient": gateway_number(number),
            "Body": text,
            "responseType": "JSON",
        }
        if reference:
            fields["CorrelationID"] = reference
        status, payload = self._post(self._form(fields), "application/x-www-form-urlencoded")
        if status == 409 and reference:
            return str((payload.get("data") or {}).get("MessageID", ""))  # sent before
        ok = str(payload.get("success", "")).lower() == "true"
        if status >= 400 or not ok:
            reason = payload.get("message") or payload.get("errorCode") or f"HTTP {status}"
            raise SmsError(f"Unifonic refused: {reason}", retryable=False)
        return str((payload.get("data") or {}).get("MessageID", ""))


class TaqnyatBackend(HttpGatewayBackend):
    """Taqnyat: JSON POST with a bearer token → 201 {"messageId": …}; 4xx {"message": …}.
    Its API takes no client reference that can be looked up later: a send whose answer was
    lost cannot be asked about (recovery: UNKNOWN)."""

    default_url = "https://api.taqnyat.sa/v1/messages"

    def send(self, number: str, text: str, *, reference: str = "") -> str:
        fields = {"recipients": [gateway_number(number)], "body": text, "sender": self.sender}
        status, payload = self._post(
            self._json(fields),
            "application/json; charset=utf-8",
            {"Authorization": f"Bearer {self.key}"},
        )
        if status >= 400:
            reason = payload.get("message") or f"HTTP {status}"
            raise SmsError(f"Taqnyat refused: {reason}", retryable=False)
        return str(payload.get("messageId", ""))


class MsegatBackend(HttpGatewayBackend):
    """Msegat: JSON POST (userName, apiKey, numbers, userSender, msg) → {"code": "1" or
    "M0000", "message": …}; any other code is a refusal. No client reference nor status query
    by reference either (recovery: UNKNOWN)."""

    default_url = "https://www.msegat.com/gw/sendsms.php"
    success_codes = frozenset({"1", "M0000"})

    def send(self, number: str, text: str, *, reference: str = "") -> str:
        fields = {
            "userName": self.username,
            "apiKey": self.key,
            "numbers": gateway_number(number),
            "userSender": self.sender,
            "msg": text,
            "msgEncoding": "UTF8",
        }
        status, payload = self._post(self._json(fields), "application/json; charset=utf-8")
        code = str(payload.get("code", ""))
        if status >= 400 or code not in self.success_codes:
            reason = payload.get("message") or code or f"HTTP {status}"
            raise SmsError(f"Msegat refused: {reason}", retryable=False)
        return str(payload.get("id", ""))


def get_sms_backend(path: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    """The configured backend, like `django.core.mail.get_connection`."""
    return import_string(path or settings.SMS_BACKEND)(**kwargs)
