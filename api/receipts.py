"""The SMS gateways' delivery receipts: POST /api/v1/gateways/<gateway>/receipts/.

Each gateway authenticates with its own shared secret (settings.SMS_RECEIPT_SECRETS), sent in
the `X-Gateway-Secret` header. The receipt names the message by the id the gateway gave when it
accepted it (Message.provider_id) and says delivered or not, with the gateway's code; the
outbox row is updated by notifications.services.message_delivery_report.
"""

from django.conf import settings
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from notifications.services import message_delivery_report

from . import serializers as s
from .permissions import PUBLIC
from .views import ApiView

SECRET_HEADER = "X-Gateway-Secret"  # noqa: S105 - the header's name, not a secret
SECRET_WRONG = _("Unknown gateway or wrong secret.")

# The spellings the gateways use (Unifonic, Taqnyat, Msegat and the usual DLR fields).
ID_FIELDS = ("messageid", "message_id", "msgid", "id")
STATUS_FIELDS = ("status", "dlrstatus", "dlr_status", "state")
CODE_FIELDS = ("errorcode", "error_code", "code", "statuscode", "reason")
DELIVERED = frozenset({"delivered", "delivrd", "deliver", "delivered_to_handset", "success"})
NOT_DELIVERED = frozenset(
    {"failed", "undelivered", "undeliv", "undeliverable", "rejected", "rejectd", "expired"}
)


def _field(data: dict, names: tuple[str, ...]) -> str:
    lowered = {str(k).lower(): v for k, v in data.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def gateway_secret_ok(gateway: str, given: str) -> bool:
    expected = settings.SMS_RECEIPT_SECRETS.get(gateway, "")
    return bool(expected) and constant_time_compare(expected, given)


@extend_schema(
    tags=["gateways"],
    request=s.ReceiptSerializer,
    parameters=[OpenApiParameter(SECRET_HEADER, str, OpenApiParameter.HEADER, required=True)],
    responses={
        200: s.ReceiptResultSerializer,
        400: s.FormErrorsSerializer,
        403: s.ErrorSerializer,
        404: s.ErrorSerializer,
        429: s.ErrorSerializer,
    },
    auth=[],
)
class GatewayReceipt(ApiView):
    roles = PUBLIC
    authentication_classes = []
    throttle_classes = []  # the address is counted first (AddressFirst)

    def post(self, request, gateway: str):
        if not gateway_secret_ok(gateway, request.headers.get(SECRET_HEADER, "")):
            return Response({"detail": str(SECRET_WRONG)}, status=403)
        data = request.data if isinstance(request.data, dict) else {}
        provider_id = _field(data, ID_FIELDS)
        outcome = _field(data, STATUS_FIELDS).lower()
        if not provider_id or not outcome:
            return Response({"errors": {"body": ["message id and status are required"]}}, 400)
        if outcome in DELIVERED:
            updated = message_delivery_report(provider_id=provider_id, delivered=True)
        elif outcome in NOT_DELIVERED:
            code = _field(data, CODE_FIELDS) or outcome
            updated = message_delivery_report(provider_id=provider_id, delivered=False, code=code)
        else:
            updated = False  # an interim report (sent, queued, accepted): nothing to record
        return Response({"updated": updated})
