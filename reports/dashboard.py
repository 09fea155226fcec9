"""Which sections of the dashboard each role sees (templates under reports/sections/)."""

from accounts.roles import Role

# (role, template) in display order; a person sees every section of every role she holds.
SECTIONS: list[tuple[str, str]] = [
    (Role.INTAKE, "reports/sections/_intake.html"),
    # Her PDPL correction requests from the portal (figures from portal's template tag).
    (Role.INTAKE, "portal/_dashboard_corrections.html"),
    (Role.RESEARCHER, "reports/sections/_researcher.html"),
    (Role.COMMITTEE, "reports/sections/_committee.html"),
    (Role.CHAIR, "reports/sections/_chair.html"),
    (Role.MANAGER, "reports/sections/_manager.html"),
]


def sections_for(user) -> list[str]:
    return [template for role, template in SECTIONS if user.has_role(role)]
