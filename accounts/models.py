from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key, key_validator
from phonenumber_field.modelfields import PhoneNumberField

from wahaj.lib.fields import EncryptedCharField

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

    def __str__(self) -> str:
        # What every list of staff shows (the researcher filter, the members present): her
        # name, not the username she signs in with (issue 16).
        return self.display_name


class TwoFactorInvitation(models.Model):
    """A one-time code that lets one person enrol an authenticator (issue 18).

    Issued by another manager (or `manage.py two_factor_invite`) and handed over out of band,
    so a stolen password alone never yields a second factor. Only a keyed hash is stored.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="two_factor_invitations",
        verbose_name=_("staff member"),
    )
    # HMAC-SHA256 keyed with SECRET_KEY: a database dump alone does not give the code.
    code_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second-factor invitation")
        verbose_name_plural = _("second-factor invitations")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class TwoFactorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A manager's TOTP authenticator whose seed is stored encrypted (issue 19).

    django-otp's own TOTPDevice keeps the seed as plain hex, so a database dump would give
    every manager's second factor away; django-otp offers no abstract TOTP model to change
    one field of. This model has TOTPDevice's columns with the `key` encrypted
    (wahaj.lib.fields, FIELD_ENCRYPTION_KEYS) and borrows its methods unchanged, so the
    verification (drift, replay guard, throttling) is django-otp's code, not a copy.
    """

    key = EncryptedCharField(max_length=80, validators=[key_validator], default=default_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")
