"""Who may open which beneficiary file (role *and* object; outsiders get 404).

Staff of the intake, researcher and manager roles reach every file. Other staff reach a file
only through a rule another app registers: the committee app (which may import beneficiaries,
never the reverse) calls, in its AppConfig.ready():

    from beneficiaries.access import register_file_access_rule
    register_file_access_rule(lambda user: Q(support_requests__meeting__members=user) if ...)

A rule takes the user and returns a Q over Beneficiary granting access, or None for none.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.roles import Role, permissions_of
from wahaj.lib.masking import IDENTIFIERS_PERMISSION

from .models import Beneficiary

# Roles that work on every file (SPEC §1: intake, researcher, manager).
FILE_ROLES = (Role.INTAKE, Role.RESEARCHER, Role.MANAGER)
# Roles that may reach the file and document views at all; the object check decides the rest.
READ_ROLES = (*FILE_ROLES, Role.COMMITTEE)

FileAccessRule = Callable[[object], Q | None]
_rules: list[FileAccessRule] = []


def register_file_access_rule(rule: FileAccessRule) -> None:
    """Let another app grant read access to some files (e.g. committee: her agenda's)."""
    if rule not in _rules:
        _rules.append(rule)


def beneficiaries_visible_to(user) -> QuerySet[Beneficiary]:
    """Every file the user may read: all for file roles, else what registered rules grant."""
    if not getattr(user, "is_authenticated", False):
        return Beneficiary.objects.none()
    if user.has_role(*FILE_ROLES):
        return Beneficiary.objects.all()
    grants = [q for rule in _rules if (q := rule(user)) is not None]
    if not grants:
        return Beneficiary.objects.none()
    condition = grants[0]
    for q in grants[1:]:
        condition |= q
    return Beneficiary.objects.filter(condition).distinct()


def beneficiary_for_staff(user, pk: int) -> Beneficiary:
    """The file the user may read, or 404."""
    return get_object_or_404(beneficiaries_visible_to(user), pk=pk)


def beneficiary_for_editing(user, pk: int) -> Beneficiary:
    """The file the user may change (file roles only), or 404."""
    if not user.has_role(*FILE_ROLES):
        return get_object_or_404(Beneficiary.objects.none(), pk=pk)
    return get_object_or_404(Beneficiary, pk=pk)


def may_see_identifiers(user) -> bool:
    """Whether national IDs and mobiles are shown whole in lists (else masked).

    Read from the role table (accounts.roles), which is what the groups hold: no query beyond
    the groups the role check already loaded.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(
        IDENTIFIERS_PERMISSION in permissions_of(role) for role in user.roles
    )


def may_see_identifiers_on_file(user) -> bool:
    """Whether her national ID, phones and IBAN are shown whole on her file and her requests.

    Intake and researchers need them whole to serve her (a call, a transfer, a check against
    the ID card); committee members and the chair decide without them and see the last four
    digits (issue 18), like everyone without the file roles or the identifiers permission.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(*FILE_ROLES) or may_see_identifiers(user)
