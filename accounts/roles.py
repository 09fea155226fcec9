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
    Role.INTAKE: [
        # beneficiaries: register, edit, document, contact, refer (committee: none here)
        "beneficiaries.view_beneficiary",
        "beneficiaries.add_beneficiary",
        "beneficiaries.change_beneficiary",
        "beneficiaries.view_householdmember",
        "beneficiaries.add_householdmember",
        "beneficiaries.change_householdmember",
        "beneficiaries.delete_householdmember",
        "beneficiaries.view_incomesource",
        "beneficiaries.add_incomesource",
        "beneficiaries.change_incomesource",
        "beneficiaries.delete_incomesource",
        "beneficiaries.view_document",
        "beneficiaries.add_document",
        "beneficiaries.view_contact",
        "beneficiaries.add_contact",
        "beneficiaries.view_referral",
        "beneficiaries.add_referral",
        # feedback: record, read and answer tickets (a complaint about her is hidden from her)
        "feedback.view_ticket",
        "feedback.add_ticket",
        "feedback.change_ticket",
        # requests_app: create and work on requests (every state change goes through services)
        "requests_app.view_supportrequest",
        "requests_app.add_supportrequest",
        "requests_app.change_supportrequest",
        "requests_app.view_declaration",
        "requests_app.add_declaration",
        "requests_app.view_verificationcheck",
        "requests_app.add_verificationcheck",
        # portal: her PDPL correction requests, answered by intake (/portal/staff/corrections/)
        "portal.view_correctionrequest",
        "portal.change_correctionrequest",
        # programs: the cycles' lists (exclude with a reason) and the handover desk (issue 21)
        "programs.view_program",
        "programs.view_cycle",
        "programs.view_cycleentry",
        "programs.view_stockitem",
        "programs.view_stockmovement",
    ],
    Role.RESEARCHER: [
        "beneficiaries.change_referral",  # answer and close referrals
    ],
    Role.COMMITTEE: [],
    Role.CHAIR: [],
    Role.MANAGER: [
        "audit.view_event",
        "accounts.view_user",
        # notifications: see the outbox, re-send failed messages (admin action)
        "notifications.view_message",
        "notifications.change_message",
        "beneficiaries.import_beneficiary",
        "beneficiaries.view_fileaccess",
        "beneficiaries.delete_document",
        # reports: exports and who made them; identifiers unmasked in exports
        "reports.export_data",
        "reports.view_personal_identifiers",
        "reports.view_export",
        # surveys: managers edit the survey and its questions (admin)
        "surveys.view_survey",
        "surveys.add_survey",
        "surveys.change_survey",
        "surveys.view_question",
        "surveys.add_question",
        "surveys.change_question",
        "surveys.delete_question",
        "surveys.view_invitation",
        # committee: managers set the members and quorum (admin); the rest is read-only there
        # (the scoring rule is versioned through /committee/scoring/, decisions by the chair)
        "committee.view_committee",
        "committee.add_committee",
        "committee.change_committee",
        "committee.view_membership",
        "committee.add_membership",
        "committee.delete_membership",
        "committee.view_meeting",
        "committee.view_decision",
        "committee.view_vote",
        "committee.view_researchreport",
        "committee.view_scoringrule",
        "committee.view_appeal",
        # programs: funds, their ledger and which fund paid a request (issue 21)
        "programs.view_fund",
        "programs.view_fundmovement",
        "programs.view_requestfunding",
    ],
}


def permissions_of(role: str) -> set[str]:
    """Every permission a role holds, with those of the roles it includes."""
    perms: set[str] = set()
    for included in ROLE_INCLUDES[role]:
        perms.update(ROLE_PERMISSIONS[included])
    return perms
