"""What other apps may listen to, so that requests_app never imports them (docs/contracts.md)."""

from django.dispatch import Signal

# Sent by every transition service inside its transaction, after the state is saved and the
# audit event written, with: support_request, transition (the audit verb), old_state,
# new_state, actor (a user, or None for the beneficiary / the system). A receiver's rows commit
# or roll back with the transition; slow work belongs in transaction.on_commit.
support_request_transitioned = Signal()
