from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .roles import ROLE_INCLUDES, ROLE_PRECEDENCE, Role


class User(AbstractUser):
    """A member of staff. Beneficiaries never get a User: they use the portal."""

    mobile = PhoneNumberField(_("mobile"), blank=True, region="SA")
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ar"
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    @cached_property
    def group_names(self) -> frozenset[str]:
        if not self.is_active or not self.pk:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles this person holds, with those they include (a researcher is also intake)."""
        held: set[str] = set()
        for name in self.group_names:
            held.update(ROLE_INCLUDES.get(name, ()))
        return frozenset(held)

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def primary_role(self) -> str:
        return next((role for role in ROLE_PRECEDENCE if role in self.group_names), "")

    @property
    def primary_role_label(self) -> str:
        role = self.primary_role
        return Role(role).label if role else ""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
