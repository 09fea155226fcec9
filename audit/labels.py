"""What each audit verb reads as, wherever a person reads a timeline or the audit log.

The verb stays a code in the database (the audit search filters on it); people read its label
in their language. `tests/test_code_words.py` fails when a service records a verb missing here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    # The breach register (privacy).
    "breach_recorded": _("Personal-data incident recorded"),
    "breach_message_approved": _("Incident: message to the women approved"),
    "breach_women_notified": _("Incident: the women affected notified"),
    "breach_authority_notified": _("Incident: authority notified"),
    "breach_closed": _("Incident closed"),
    "breach_deadline_warned": _("Incident: managers warned of the authority deadline"),
    # Her file (beneficiaries, portal, privacy).
    "beneficiary_registered": _("File opened"),
    "beneficiary_updated": _("File data updated"),
    "beneficiaries_imported": _("Files imported from a spreadsheet"),
    "bulk_update": _("Files updated together"),
    "registration_completed": _("Registration completed"),
    "registration_suspended": _("Registration suspended"),
    "registration_reactivated": _("Registration reactivated"),
    "document_added": _("Document added"),
    "document_verified": _("Document verified"),
    "document_deleted": _("Document deleted"),
    "contact_recorded": _("Contact recorded"),
    "referral_created": _("Referred to the social-research officer"),
    "referral_closed": _("Referral closed"),
    "portal_login": _("Signed in to the portal"),
    "online_application_matched": _("An online application gave her ID or mobile"),
    "outreach_document_notice": _("Told her a document is about to expire"),
    "reassessment_due": _("Reassessment of the file due"),
    "correction_requested": _("Correction of her data requested"),
    "correction_closed": _("Correction request closed"),
    "correction_extended": _("Correction request extended"),
    "consent_withdrawn": _("Consent withdrawn"),
    "message_withheld_no_consent": _(
        "Message not sent: she withdrew her consent to contact (tell her in person)"
    ),
    "anonymised": _("File anonymised (retention period over)"),
    "export": _("Data exported"),
    # A support request's life-cycle (requests_app).
    "create": _("Request created"),
    "sign_declaration": _("Declaration signed"),
    "verify": _("Verification checklist saved"),
    "submit": _("Submitted"),
    "return": _("Returned to her for completion"),
    "resubmit": _("Resubmitted"),
    "start_research": _("Social research started"),
    "send_to_committee": _("Sent to the committee"),
    "decide": _("Decided by the committee"),
    "deliver": _("Support delivered"),
    "close": _("Closed"),
    "withdraw": _("Withdrawn"),
    "reopen_for_appeal": _("Reopened on appeal"),
    "home_visit_schedule": _("Home visit scheduled"),
    "home_visit_reminder": _("Home visit reminder sent"),
    # The committee, written on the request's timeline too.
    "research_report_save": _("Research report saved"),
    "research_report_complete": _("Research report completed"),
    "window_reminder": _("Decision window reminder sent"),
    "window_overdue": _("Decision window passed: escalated to the managers"),
    # Tickets: inquiries, complaints, suggestions, thanks (feedback).
    "ticket_created": _("Ticket received"),
    "ticket_assigned": _("Ticket assigned"),
    "ticket_answered": _("Ticket answered"),
    "ticket_closed": _("Ticket closed"),
    "ticket_reopened": _("Ticket reopened"),
    "ticket_reminder": _("Ticket answer reminder sent"),
    "ticket_overdue": _("Ticket answer overdue: escalated to the managers"),
    "scoring_rule_update": _("Scoring rule updated"),
    "committee_create": _("Committee formed"),
    "committee_update": _("Committee updated"),
    "meeting_schedule": _("Meeting scheduled"),
    "meeting_add_to_agenda": _("Added to the meeting's agenda"),
    "meeting_open": _("Meeting opened"),
    "meeting_close": _("Meeting closed"),
    "vote_cast": _("Vote cast"),
    "vote_change": _("Vote changed"),
    "committee_defer": _("Deferred by the committee to its next meeting"),
    # Writes through /admin/ (audit.admin_site.AuditedAdminMixin).
    "admin_add": _("Added in the administration"),
    "admin_change": _("Changed in the administration"),
    "admin_delete": _("Deleted in the administration"),
    # Surveys, messages, staff accounts.
    "survey_invite": _("Satisfaction survey sent"),
    "survey_answer": _("Satisfaction survey answered"),
    "survey_record": _("Survey answers recorded by staff"),
    "message_resend": _("Message sent again"),
    "message_found_at_gateway": _("Message found at the gateway, not sent again"),
    "message_outcome_unknown": _("Message outcome unknown: check before re-sending"),
    "message_undelivered": _("Message not delivered: the gateway's receipt"),
    "api_token_issued": _("API token issued"),
    "api_token_revoked": _("API token revoked"),
    "two_factor_invited": _("Invited to set up two-step sign-in"),
    "two_factor_invitation_used": _("Two-step sign-in invitation used"),
    "two_factor_setup": _("Two-step sign-in set up"),
    "two_factor_verified": _("Two-step sign-in verified"),
    "demo_password_set": _("Demo password set"),
    # Program delivery (programs.delivery, programs.stock, programs.bank).
    "cycle_notified": _("Cycle's beneficiaries told by SMS"),
    "handover_code_sent": _("Handover code sent to her mobile"),
    "cycle_entry_delivered": _("Program support handed over"),
    "stock_in": _("Items received into stock"),
    "stock_out": _("Items handed out of stock"),
    "transfer_file_created": _("Bank transfer file made"),
    "transfer_file_downloaded": _("Bank transfer file downloaded"),
    "transfer_returned": _("Bank transfer returned; amount back in the fund"),
    # Programs, funds and cycles (programs.services, committee's cycle items).
    "fund_create": _("Fund created"),
    "fund_update": _("Fund settings changed"),
    "fund_deposit": _("Money deposited into the fund"),
    "fund_withdrawal": _("Money withdrawn from the fund"),
    "fund_commit": _("Money committed from the fund"),
    "fund_release": _("Committed money released to the fund"),
    "fund_spend": _("Money paid out of the fund"),
    "fund_refund": _("Returned transfer credited to the fund"),
    "program_create": _("Program created"),
    "program_update": _("Program rules changed"),
    "program_fund_set": _("Program budget from a fund set"),
    "program_items_set": _("Program items set"),
    "stock_item_create": _("Stock item added"),
    "cycle_create": _("Cycle created"),
    "cycle_update": _("Cycle place and time changed"),
    "cycle_generate": _("Cycle's eligible list generated"),
    "cycle_entry_exclude": _("Excluded from a cycle"),
    "cycle_entry_include": _("Put back on a cycle's list"),
    "cycle_send_to_committee": _("Cycle sent to the committee"),
    "cycle_decide": _("Committee decided on the cycle"),
    "cycle_close": _("Cycle closed"),
    "meeting_add_cycle": _("Cycle added to the meeting's agenda"),
    "cycle_vote_cast": _("Vote cast on a cycle"),
    "cycle_vote_change": _("Vote on a cycle changed"),
}
UNKNOWN_VERB = _("Recorded action")


def verb_label(verb: str) -> str:
    """The verb's label; a verb nobody labelled yet reads as a recorded action, never as code."""
    return str(VERB_LABELS.get(verb, UNKNOWN_VERB))


def state_label(model: type[models.Model] | None, state: str) -> str:
    """A stored state of any model (a request, a meeting, a file) as its choice label."""
    if not state or model is None:
        return state
    for field in model._meta.get_fields():
        labels = dict(getattr(field, "flatchoices", None) or ())
        if state in labels:
            return str(labels[state])
    return state
