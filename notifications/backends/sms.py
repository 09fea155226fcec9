"""SMS backends, shaped like Django's e-mail backends: `settings.SMS_BACKEND` names a class whose
`send(number, text)` delivers one message and returns the gateway's message id (or "").

A backend raises `SmsError` when the gateway refuses; `retryable` says whether trying again
later can help (a timeout, an HTTP 5xx) or not (a rejected number, bad credentials).
"""

import json
import logging
import re
import sys
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


class BaseSmsBackend:
    def __init__(self, **kwargs: Any) -> None:
        self.options = kwargs

    def send(self, number: str, text: str) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Development: print the message instead of sending it."""

    def send(self, number: str, text: str) -> str:
        number = gateway_number(number)
        sys.stdout.write(f"SMS to {number}:\n{text}\n{'-' * 40}\n")
        sys.stdout.flush()
        return ""


class RecordingBackend(BaseSmsBackend):
    """Tests: keep every message in `RecordingBackend.outbox` as (number, text).

    A worker in another process cannot share a list with the test, so when
    `settings.SMS_RECORDING_PATH` is set each message is also appended to that file as one
    JSON line (`recorded_messages(path)` reads them back).
    """

    outbox: ClassVar[list[tuple[str, str]]] = []
    _lock = threading.Lock()

    def send(self, number: str, text: str) -> str:
        number = gateway_number(number)
        with self._lock:
            RecordingBackend.outbox.append((number, text))
            path = getattr(settings, "SMS_RECORDING_PATH", "")
            if path:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps([number, text], ensure_ascii=False) + "\n")
                    fh.flush()
        return ""


def recorded_messages(path: str) -> list[tuple[str, str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            return [tuple(json.loads(line)) for line in fh if line.strip()]
    except FileNotFoundError:
        return []


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
    """Unifonic REST: form POST (AppSid, SenderID, Body, Recipient) → {"success": …, "data":
    {"MessageID": …}}; a refusal is `success: false` with an errorCode and message."""

    default_url = "https://el.cloud.unifonic.com/rest/SMS/messages"

    def send(self, number: str, text: str) -> str:
        fields = {
            "AppSid": self.key,
            "SenderID": self.sender,
            "Recipient": gateway_number(number),
            "Body": text,
            "responseType": "JSON",
        }
        status, payload = self._post(self._form(fields), "application/x-www-form-urlencoded")
        ok = str(payload.get("success", "")).lower() == "true"
        if status >= 400 or not ok:
            reason = payload.get("message") or payload.get("errorCode") or f"HTTP {status}"
            raise SmsError(f"Unifonic refused: {reason}", retryable=False)
        return str((payload.get("data") or {}).get("MessageID", ""))


class TaqnyatBackend(HttpGatewayBackend):
    """Taqnyat: JSON POST with a bearer token → 201 {"messageId": …}; 4xx {"message": …}."""

    default_url = "https://api.taqnyat.sa/v1/messages"

    def send(self, number: str, text: str) -> str:
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
    "M0000", "message": …}; any other code is a refusal."""

    default_url = "https://www.msegat.com/gw/sendsms.php"
    success_codes = frozenset({"1", "M0000"})

    def send(self, number: str, text: str) -> str:
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
