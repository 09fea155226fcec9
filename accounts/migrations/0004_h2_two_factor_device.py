"""TOTP seeds move to accounts.TwoFactorDevice, where the seed is encrypted (issue 19).

Every django-otp TOTPDevice is copied (same seed, drift, replay guard and throttle) and then
deleted, so the otp_totp table no longer holds a seed in plain hex. A session verified with
an old device asks for a code again at its next page (its device id no longer exists).
"""

import django.db.models.deletion
import django_otp.plugins.otp_totp.models
import wahaj.lib.fields
from django.conf import settings
from django.db import migrations, models


COPIED = [
    "user_id", "name", "confirmed", "throttling_failure_timestamp", "throttling_failure_count",
    "created_at", "last_used_at", "key", "step", "t0", "digits", "tolerance", "drift", "last_t",
]  # fmt: skip


def seeds_encrypt(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    TwoFactorDevice = apps.get_model("accounts", "TwoFactorDevice")
    for old in TOTPDevice.objects.order_by("pk"):
        new = TwoFactorDevice.objects.create(**{name: getattr(old, name) for name in COPIED})
        # created_at is auto_now_add: kept as it was by an UPDATE.
        TwoFactorDevice.objects.filter(pk=new.pk).update(created_at=old.created_at)
    TOTPDevice.objects.all().delete()


def seeds_decrypt(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    TwoFactorDevice = apps.get_model("accounts", "TwoFactorDevice")
    for new in TwoFactorDevice.objects.order_by("pk"):
        TOTPDevice.objects.create(**{name: getattr(new, name) for name in COPIED})


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_two_factor_invitation'),
        ('otp_totp', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='TwoFactorDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', wahaj.lib.fields.EncryptedCharField(default=django_otp.plugins.otp_totp.models.default_key, max_length=80, validators=[django_otp.plugins.otp_totp.models.key_validator])),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator',
                'verbose_name_plural': 'authenticators',
                'abstract': False,
            },
        ),
        migrations.RunPython(seeds_encrypt, seeds_decrypt),
    ]
