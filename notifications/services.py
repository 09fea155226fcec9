"""Every write of the outbox: queue, send, retry, recover, re-send.

The life of a row: `queued` (written in the caller's transaction, published to the broker after
commit) → `sending` (claimed by one worker with a conditional UPDATE, with a lease) → `sent` once
the gateway has answered with its id, or back to `queued` with a later `next_attempt_at` after a
retryable failure, or `failed` with the reason.

At most once to the gateway, at least once in the outbox: the claim commits before the gateway
is called, so a worker that dies mid-send leaves the row `sending`; when its lease runs out the
recovery tick asks the gateway about the row's `reference` before anything is sent again
(`_outcome_of_lost_send`). The broker only carries hints: a lost task, a failed publish or a
dead worker costs at most one recovery tick.
"""

import logging
import smtplib
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import event_record
from wahaj.lib.bulk import insert_many
from wahaj.lib.codes import code_hash, code_matches, code_new, keyed_digest
from wahaj.lib.validators import normalize_mobile

from .backends.sms import LOOKUP, SEND_AGAIN, SmsError, get_sms_backend
from .models import Message, PhoneCode
from .rendering import render, template_check

logger = logging.getLogger(__name__)

Status = Message.Status

CLOCK_SKEW = timedelta(seconds=5)
MAX_ATTEMPTS_REACHED = "gave up after {attempts} attempts: {reason}"
WORKER_LOST = "the worker stopped while sending"
OUTCOME_UNKNOWN = (
    "the worker stopped while the gateway had the message, and this gateway cannot be asked "
    "whether it was sent: check with the recipient before re-sending"
)
GATEWAY_NOT_ANSWERING = "the worker stopped while sending; the gateway could not be asked yet"


# Sends go to the broker below the default priority (Redis: 0 is served first), so beat's jobs —
# the recovery tick above all — are not stuck behind a backlog of thousands of sends.
SEND_PRIORITY = 6


class BrokerPause:
    """After a failed publish, this process's pages skip the broker for SECONDS: a page that
    queues two messages while Redis hangs waits for one socket timeout, not two."""

    SECONDS = 5
    until = 0.0


def _enqueue(message_id: int) -> bool:
    """Hand one row to the broker; False on any failure. Never raises: with the broker down
    the row waits in the outbox for the recovery tick."""
    from .tasks import message_send_task

    try:
        message_send_task.apply_async((message_id,), retry=False, priority=SEND_PRIORITY)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the row for recovery
        logger.warning("broker unavailable (%s); message %s waits in the outbox", exc, message_id)
        return False
    return True


def _publish_after_commit(message_ids: list[int]) -> None:
    """Runs after the page's commit. The broker's socket timeouts bound the try (settings:
    CELERY_BROKER_TRANSPORT_OPTIONS) and nothing is retried; rows that did not get through are
    marked unpublished, so the first recovery tick after the broker is back sends them."""
    if time.monotonic() >= BrokerPause.until and _enqueue_many(message_ids):
        return
    BrokerPause.until = time.monotonic() + BrokerPause.SECONDS
    Message.objects.filter(pk__in=message_ids, status=Status.QUEUED).update(published_at=None)


def message_queue(
    *,
    channel: str,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    idempotency_key: str,
    subject: models.Model | None = None,
    send_after: datetime | None = None,
) -> Message | None:
    """Write one outbox row in the current transaction; send it after commit.

    Returns None (and queues nothing) when a row with this idempotency key exists or when there
    is no address to send to. Raises TemplateDoesNotExist for an unknown template/language.
    With `send_after` in the future the row waits, unpublished; the recovery tick hands it to a
    worker once it is due (within NOTIFICATIONS_RECOVERY_SECONDS).
    """
    if channel not in Message.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    language = language if language in ("ar", "en") else "ar"
    template_check(template, language)
    to = str(to or "").strip()
    if not to:
        logger.info("message %s not queued: no %s address", idempotency_key, channel)
        return None
    message = Message(
        channel=channel,
        to=to,
        template=template,
        language=language,
        context=context,
        idempotency_key=idempotency_key,
    )
    delayed = send_after is not None and send_after > timezone.now()
    if delayed:
        message.next_attempt_at = send_after
        message.published_at = None
    if subject is not None:
        message.subject_type = ContentType.objects.get_for_model(subject)
        message.subject_id = subject.pk
    try:
        # A savepoint: a duplicate key must not break the caller's transaction.
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if Message.objects.filter(idempotency_key=idempotency_key).exists():
            return None
        raise
    if not delayed:
        transaction.on_commit(partial(_publish_after_commit, [message.pk]))
    return message


def staff_address(user: Any) -> tuple[str, str, str]:
    """(channel, address, language) for a member of staff: SMS to her mobile, else e-mail."""
    mobile = str(getattr(user, "mobile", "") or "")
    language = getattr(user, "preferred_language", "") or "ar"
    if mobile:
        return Message.Channel.SMS, mobile, language
    return Message.Channel.EMAIL, user.email or "", language


def message_queue_to_staff(
    *,
    users: Iterable[Any],
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    subject: models.Model | None = None,
) -> list[Message]:
    """One row per staff member (key suffixed `:u<id>`): SMS to her mobile, else e-mail."""
    queued = []
    for user in users:
        channel, to, language = staff_address(user)
        message = message_queue(
            channel=channel,
            to=to,
            template=template,
            language=language,
            context=context,
            idempotency_key=f"{idempotency_key}:u{user.pk}",
            subject=subject,
        )
        if message is not None:
            queued.append(message)
    return queued


def message_build(
    *,
    channel: str,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    idempotency_key: str,
    subject: models.Model | None = None,
) -> Message:
    """An unsaved row for `messages_queue_bulk` (same arguments as `message_queue`)."""
    message = Message(
        channel=channel,
        to=str(to or "").strip(),
        template=template,
        language=language if language in ("ar", "en") else "ar",
        context=context,
        idempotency_key=idempotency_key,
    )
    if subject is not None:
        message.subject_type = ContentType.objects.get_for_model(subject)
        message.subject_id = subject.pk
    return message


def messages_queue_bulk(messages: list[Message]) -> list[Message]:
    """Queue many rows in a constant number of queries (for sweeps over many requests).

    Rows without an address or whose key exists are skipped; the rest are inserted in one
    statement and enqueued together after commit. Returns the rows queued.
    """
    messages = [m for m in messages if m.to]
    if not messages:
        return []
    for template, language in {(m.template, m.language) for m in messages}:
        template_check(template, language)
    keys = [m.idempotency_key for m in messages]
    existing = set(
        Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    fresh = list(
        {m.idempotency_key: m for m in messages if m.idempotency_key not in existing}.values()
    )
    if not fresh:
        return []
    try:
        with transaction.atomic():
            created = insert_many(fresh)
    except IntegrityError:
        for message in fresh:
            message.pk = None
            message._state.adding = True
        # A concurrent writer took some keys after we looked: keep only the rows we wrote.
        Message.objects.bulk_create(fresh, ignore_conflicts=True)
        mine = {m.idempotency_key for m in fresh}
        created = list(Message.objects.filter(idempotency_key__in=mine, status=Status.QUEUED))
    transaction.on_commit(partial(_publish_after_commit, [m.pk for m in created]))
    return created


# A sweep may queue thousands of rows at once: they go to the broker as batch tasks of this many
# ids (one publish each), a worker sends them one by one, each with its own claim and retries.
SEND_BATCH = 100


def _enqueue_many(message_ids: list[int]) -> bool:
    """Publish many sends, SEND_BATCH to a task, over one broker connection; stop at the first
    broker failure (the recovery tick picks the rest up). False if anything failed."""
    if len(message_ids) == 1:
        return _enqueue(message_ids[0]) is not False  # (tests replace it with list.append)
    from .tasks import message_send_batch_task

    try:
        with message_send_batch_task.app.producer_or_acquire() as producer:
            for start in range(0, len(message_ids), SEND_BATCH):
                batch = message_ids[start : start + SEND_BATCH]
                message_send_batch_task.apply_async(
                    (batch,), producer=producer, retry=False, priority=SEND_PRIORITY
                )
    except Exception as exc:  # noqa: BLE001 - the rows wait in the outbox for recovery
        logger.warning("broker unavailable (%s); %d messages wait", exc, len(message_ids))
        return False
    return True


# A batch stops after this long and hands the rest on as a new batch: well inside the task time
# limits (a slow gateway must not have a whole batch killed mid-way), and short, so a recovery
# tick waiting for the worker is served within seconds.
SEND_BATCH_SECONDS = 10


def messages_send(*, message_ids: list[int]) -> None:
    """Send a batch one by one (`message_send` each). A row to be tried again later waits in
    the outbox, unpublished, until the recovery tick finds it due (no countdown task sits in
    the broker for up to 30 minutes)."""
    started = time.monotonic()
    for position, message_id in enumerate(message_ids):
        if time.monotonic() - started > SEND_BATCH_SECONDS:
            _enqueue_many(message_ids[position:])
            return
        message_send(message_id=message_id)


# --- Sending ---------------------------------------------------------------------------------
def retry_delay(attempts: int) -> int:
    """Exponential back-off after the n-th failed attempt, capped."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_MAX_SECONDS)


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_SENDING_STALE_SECONDS)


def _claim(message_id: int, now: datetime) -> bool:
    """Take the row for this worker, with a lease (`next_attempt_at`) longer than one send may
    last. Trusted only if exactly one row changed: a second worker (a duplicate task, a
    redelivery after a lost worker) finds it no longer `queued`."""
    # A few seconds' grace: the row's due time was stamped by another machine's clock.
    due_by = now + CLOCK_SKEW
    return (
        Message.objects.filter(
            pk=message_id, status=Status.QUEUED, next_attempt_at__lte=due_by
        ).update(
            status=Status.SENDING,
            claimed_at=now,
            next_attempt_at=now + _lease(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )


def _deliver(message: Message) -> str:
    """Send through the channel's backend with the row's reference; return the gateway's id.
    Raises SmsError."""
    rendered = render(message.template, message.language, message.context)
    if message.channel == Message.Channel.SMS:
        return get_sms_backend().send(message.to, rendered.body, reference=message.reference)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "wahaj.local"
    email = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        to=[message.to],
        headers={"Message-ID": f"<{message.reference}@{domain}>"},
    )  # from DEFAULT_FROM_EMAIL, through settings.EMAIL_BACKEND
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmsError(f"e-mail address refused: {exc}", retryable=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SmsError(f"e-mail server error: {exc}", retryable=True) from exc
    return ""


# Context keys that must not outlive the send (a one-time code is a password for 5 minutes;
# a survey `link` opens her survey, and the database keeps only its hash).
SECRET_CONTEXT_KEYS = frozenset({"code", "link"})
REDACTED = "••••••"


def context_without_secrets(context: dict[str, Any]) -> dict[str, Any]:
    return {k: (REDACTED if k in SECRET_CONTEXT_KEYS else v) for k, v in context.items()}


def message_send(*, message_id: int) -> int | None:
    """Claim, send and mark one message. Returns the seconds until a retry is due, or None.

    Runs outside any transaction: the claim commits before the gateway is called, so a
    crash mid-send leaves the row `sending` for `messages_requeue_stale` to ask about.
    """
    now = timezone.now()
    if not _claim(message_id, now):
        return None
    message = Message.objects.get(pk=message_id)
    try:
        provider_id = _deliver(message)
    except SmsError as exc:
        return _mark_failure(message, exc.reason, retryable=exc.retryable)
    except SoftTimeLimitExceeded:
        raise  # cut short mid-send: the row stays `sending`, recovery asks the gateway
    except Exception as exc:
        # A bug (a broken template, an unexpected answer) must not leave the row `sending`.
        logger.exception("message %s: unexpected error while sending", message_id)
        return _mark_failure(message, f"{type(exc).__name__}: {exc}", retryable=False)
    now = timezone.now()
    Message.objects.filter(pk=message_id, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=now,
        updated_at=now,
        last_error="",
        provider_id=provider_id,
        context=context_without_secrets(message.context),
    )
    return None


def _mark_failure(message: Message, reason: str, *, retryable: bool) -> int | None:
    now = timezone.now()
    pending = Message.objects.filter(pk=message.pk, status=Status.SENDING)
    if retryable and message.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
        delay = retry_delay(message.attempts)
        pending.update(
            status=Status.QUEUED,
            last_error=reason[:2000],
            next_attempt_at=now + timedelta(seconds=delay),
            published_at=None,  # the recovery tick publishes it when due
            updated_at=now,
        )
        logger.info("message %s: retry in %ss (%s)", message.pk, delay, reason)
        return delay
    if retryable:
        reason = MAX_ATTEMPTS_REACHED.format(attempts=message.attempts, reason=reason)
    pending.update(
        status=Status.FAILED,
        last_error=reason[:2000],
        updated_at=now,
        context=context_without_secrets(message.context),
    )
    logger.warning("message %s failed: %s", message.pk, reason)
    return None


# --- Recovery --------------------------------------------------------------------------------
def messages_requeue_stale(*, batch: int = 5000) -> int:
    """The recovery tick (beat, every NOTIFICATIONS_RECOVERY_SECONDS); returns how many rows
    were handed to the broker. One query on the partial index `message_pending_due` when
    nothing is late:

    - `queued` rows that are due and unpublished (a retry, a delayed row, a publish that
      failed) or published longer than NOTIFICATIONS_QUEUED_STALE_SECONDS ago and still not
      sent (the task was lost with the broker or a worker);
    - `sending` rows whose lease ran out: the worker died mid-send. Before anything is sent
      again the gateway is asked about the row's reference (`_outcome_of_lost_send`).

    Safe to run twice at once: every change is a conditional UPDATE, and the send's claim lets
    one sender through.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_QUEUED_STALE_SECONDS)
    late = list(
        Message.objects.filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=now)
            & (Q(published_at__isnull=True) | Q(published_at__lt=stale))
            | Q(status=Status.SENDING, next_attempt_at__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", "status")[:batch]
    )
    if not late:
        return 0
    ids = [pk for pk, status in late if status == Status.QUEUED]
    ids += [pk for pk, status in late if status == Status.SENDING and _recover_sending(pk, now)]
    if not ids:
        return 0
    # Published from now: the next tick leaves them alone while the worker catches up.
    Message.objects.filter(pk__in=ids, status=Status.QUEUED).update(published_at=now)
    _enqueue_many(ids)
    return len(ids)


def _outcome_of_lost_send(message: Message) -> tuple[str, str]:
    """What became of a send whose worker died: ("arrived", gateway id), ("absent", ""),
    ("unknown", "") when the gateway cannot be asked, ("unreachable", "") for now."""
    if message.channel == Message.Channel.EMAIL:
        # SMTP cannot be asked; a second e-mail (same Message-ID) is the lesser harm than a
        # lost one, and e-mail goes to staff (README: "Messages under faults").
        return "absent", ""
    backend = get_sms_backend()
    if backend.recovery == SEND_AGAIN:
        return "absent", ""
    if backend.recovery != LOOKUP:
        return "unknown", ""
    try:
        provider_id = backend.lookup(message.reference)
    except SmsError:
        return "unreachable", ""
    return ("absent", "") if provider_id is None else ("arrived", provider_id)


def _recover_sending(message_id: int, now: datetime) -> bool:
    """Settle one `sending` row whose lease ran out; True if it goes back to be sent."""
    message = Message.objects.get(pk=message_id)
    outcome, provider_id = _outcome_of_lost_send(message)
    # Only this claim of the row: a second tick, or a late answer of the send, got there first.
    pending = Message.objects.filter(
        pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at
    )
    settled = {"updated_at": now, "context": context_without_secrets(message.context)}
    if outcome == "unreachable":
        pending.update(
            next_attempt_at=now + _lease(), last_error=GATEWAY_NOT_ANSWERING, updated_at=now
        )
        return False
    if outcome == "arrived":
        changed = pending.update(
            status=Status.SENT, sent_at=now, provider_id=provider_id, last_error="", **settled
        )
        _record_recovery(message, changed, Status.SENT, "message_found_at_gateway")
        return False
    if outcome == "unknown":
        changed = pending.update(status=Status.FAILED, last_error=OUTCOME_UNKNOWN, **settled)
        _record_recovery(message, changed, Status.FAILED, "message_outcome_unknown")
        return False
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        reason = MAX_ATTEMPTS_REACHED.format(attempts=message.attempts, reason=WORKER_LOST)
        pending.update(status=Status.FAILED, last_error=reason, **settled)
        return False
    return bool(
        pending.update(
            status=Status.QUEUED,
            next_attempt_at=now,
            published_at=None,
            last_error=WORKER_LOST,
            updated_at=now,
        )
    )


def _record_recovery(message: Message, changed: int, new_state: str, verb: str) -> None:
    """The system's trace of a lost send it settled without sending (a manager may ask why)."""
    if changed:
        event_record(
            actor=None,
            subject=message,
            verb=verb,
            old_state=Status.SENDING,
            new_state=new_state,
            note=message.reference,
        )


def messages_resend(*, actor: Any, messages: Iterable[Message]) -> int:
    """A manager re-sends failed messages: back to `queued` with a fresh attempt budget.

    One audit event per message re-sent; only `failed` rows move (a conditional UPDATE)."""
    resent = 0
    now = timezone.now()
    with transaction.atomic():
        for message in messages:
            changed = Message.objects.filter(pk=message.pk, status=Status.FAILED).update(
                status=Status.QUEUED,
                attempts=0,
                next_attempt_at=now,
                published_at=now,
                updated_at=now,
            )
            if not changed:
                continue
            event_record(
                actor=actor,
                subject=message,
                verb="message_resend",
                old_state=Status.FAILED,
                new_state=Status.QUEUED,
                note=message.last_error,
            )
            transaction.on_commit(partial(_publish_after_commit, [message.pk]))
            resent += 1
    return resent


# --- One-time codes to a mobile that need not be on file ---------------------------------------
PHONE_CODE_VALID_FOR = timedelta(minutes=5)
PHONE_CODE_MAX_ATTEMPTS = 5
PHONE_CODES_PER_WINDOW = 3
PHONE_CODES_WINDOW = timedelta(minutes=15)
PHONE_CODE_TOO_MANY = _(
    "You have asked for three codes in the last 15 minutes. Please try again later."
)
# One answer for a wrong, expired, used or locked code: the caller shows it as it is.
PHONE_CODE_REFUSED = _(
    "This code is not correct or is no longer valid. Check the text message or ask for a new code."
)


class PhoneCodeError(Exception):
    """A refusal with a translated message for the person asking (PHONE_CODE_TOO_MANY)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _phone_digest(mobile: Any) -> str:
    # The E.164 form, so 05…, +9665… and Arabic digits find the same codes.
    e164 = normalize_mobile(str(mobile)).as_e164
    return keyed_digest(e164, purpose="phone", scope="notifications")


def _purpose_check(purpose: str) -> None:
    if not purpose or len(purpose) > 32 or not purpose.replace("_", "").isalpha():
        raise ValueError(f"phone code purpose must be a short word, not {purpose!r}")


@transaction.atomic
def phone_code_send(*, mobile: Any, purpose: str, language: str) -> None:
    """Send a six-digit code by SMS to `mobile` (a Saudi mobile, on file or not) for `purpose`
    (a short word the caller owns: "apply", "feedback"…). Valid 5 minutes; only the latest
    code of a number and purpose can be used.

    Raises ValidationError for a number that is not a Saudi mobile, PhoneCodeError
    (PHONE_CODE_TOO_MANY) on the fourth code for the same number and purpose within 15
    minutes. Side effects: a PhoneCode row (hashes only) and a `phone_code` SMS in the outbox,
    sent after commit; its `code` is blanked in the row once sent, and never logged.
    """
    _purpose_check(purpose)
    e164 = normalize_mobile(str(mobile)).as_e164
    digest = _phone_digest(e164)
    now = timezone.now()
    recent = PhoneCode.objects.filter(
        phone_digest=digest, purpose=purpose, created_at__gt=now - PHONE_CODES_WINDOW
    ).count()
    if recent >= PHONE_CODES_PER_WINDOW:
        raise PhoneCodeError(PHONE_CODE_TOO_MANY)
    code = code_new()
    phone_code = PhoneCode.objects.create(
        phone_digest=digest,
        purpose=purpose,
        code_hash=code_hash(code),
        created_at=now,
        expires_at=now + PHONE_CODE_VALID_FOR,
    )
    message_queue(
        channel=Message.Channel.SMS,
        to=e164,
        template="phone_code",
        language=language,
        context={"code": code, "minutes": int(PHONE_CODE_VALID_FOR.total_seconds() // 60)},
        idempotency_key=f"phone-code-{phone_code.pk}",
    )


@transaction.atomic
def phone_code_verify(*, mobile: Any, purpose: str, code: str) -> bool:
    """True when `code` is the latest, unused, unexpired code sent to `mobile` for `purpose`;
    the code is then used up (a second verify of it is False).

    False for anything else: no code, a wrong one, expired, used, another purpose, an
    invalid number, or after five wrong tries (even the right code: the sixth try of a code
    never succeeds). Call it outside the caller's own transaction, so that a refusal the
    caller rolls back does not roll the wrong-try count back with it.
    """
    _purpose_check(purpose)
    try:
        digest = _phone_digest(mobile)
    except ValidationError:
        return False
    latest = (
        PhoneCode.objects.select_for_update()
        .filter(phone_digest=digest, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    now = timezone.now()
    if latest is None or latest.used_at is not None or latest.expires_at <= now:
        return False
    if latest.failed_attempts >= PHONE_CODE_MAX_ATTEMPTS:
        return False
    if not code_matches(str(code or "").strip(), latest.code_hash):
        latest.failed_attempts += 1
        latest.save(update_fields=["failed_attempts"])
        return False
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return True


def phone_codes_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete codes created more than `older_than` ago (they can never be used again)."""
    deleted, _by_model = PhoneCode.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# last_error of a message its gateway could not deliver (a manager reads it beside the code).
UNDELIVERED = "the gateway reported the message undelivered"


def message_delivery_report(*, provider_id: str, delivered: bool, code: str = "") -> bool:
    """The SMS gateway's delivery receipt for the message it accepted as `provider_id`.

    Delivered: `delivered_at` is set (the row stays `sent`). Not delivered: the row becomes
    `failed` with the gateway's code, so the managers' list of failed messages shows it and it
    may be re-sent; one `message_undelivered` event. Conditional updates: a receipt repeated,
    or one for a message already settled the other way, changes nothing. Returns whether a row
    changed (False also for an id the outbox does not know).
    """
    if not provider_id:
        return False
    now = timezone.now()
    code = code[:32]
    rows = Message.objects.filter(provider_id=provider_id, status=Status.SENT)
    if delivered:
        return bool(rows.filter(delivered_at=None).update(delivered_at=now, gateway_code=code))
    with transaction.atomic():
        message = rows.select_for_update().first()
        if message is None:
            return False
        rows.filter(pk=message.pk).update(
            status=Status.FAILED,
            gateway_code=code,
            last_error=f"{UNDELIVERED} ({code})" if code else UNDELIVERED,
            updated_at=now,
        )
        event_record(
            actor=None,
            subject=message,
            verb="message_undelivered",
            old_state=Status.SENT,
            new_state=Status.FAILED,
            note=code,
        )
    return True
