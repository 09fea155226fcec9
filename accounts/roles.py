"""The five staff roles of SPEC §1, what each includes, and the permissions each holds.

Groups are created by a migration (accounts/migrations/0002_roles.py); their permissions are
(re)assigned from ROLE_PERMISSIONS after every `migrate` (accounts.signals), so a new model's
permissions reach the right roles by editing this table, never by hand in the admin.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INTAKE = "intake", _("Beneficiary relations")
    RESEARCHER = "researcher", _("Social researcher")
    COMMITTEE = "committee", _("Committee member")
    CHAIR = "chair", _("Committee chair")
    MANAGER = "manager", _("Manager")


# A role includes the roles listed here (SPEC §1: "everything intake may", "what a member may").
ROLE_INCLUDES: dict[str, frozenset[str]] = {
    Role.INTAKE: frozenset({Role.INTAKE}),
    Role.RESEARCHER: frozenset({Role.INTAKE, Role.RESEARCHER}),
    Role.COMMITTEE: frozenset({Role.COMMITTEE}),
    Role.CHAIR: frozenset({Role.COMMITTEE, Role.CHAIR}),
    Role.MANAGER: frozenset(Role),
}

# Highest first: the role a person is shown as, and recorded as in the audit trail.
ROLE_PRECEDENCE = [Role.MANAGER, Role.CHAIR, Role.RESEARCHER, Role.COMMITTEE, Role.INTAKE]

# Django permissions each role's group holds directly ("app_label.codename").
# Apps add their models' permissions here as they land.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.INTAKE: [],
    Role.RESEARCHER: [],
    Role.COMMITTEE: [],
    Role.CHAIR: [],
    Role.MANAGER: [
        "audit.view_event",
        "accounts.view_user",
    ],
}


def permissions_of(role: str) -> set[str]:
    """Every permission a role holds, with those of the roles it includes."""
    perms: set[str] = set()
    for included in ROLE_INCLUDES[role]:
        perms.update(ROLE_PERMISSIONS[included])
    return perms
