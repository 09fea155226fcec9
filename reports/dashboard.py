"""Which sections of the dashboard each role sees (templates under reports/sections/)."""

from accounts.roles import Role

# (role, template) in display order; a person sees every section of every role she holds.
# Each role's work comes first, as its queue (reports/queues.py); these follow it.
SECTIONS: list[tuple[str, str]] = [
    (Role.MANAGER, "reports/sections/_manager.html"),
]


def sections_for(user) -> list[str]:
    return [template for role, template in SECTIONS if user.has_role(role)]
