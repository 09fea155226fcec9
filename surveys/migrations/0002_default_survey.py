"""The default Arabic satisfaction survey (SPEC §7). The post_migrate hook in surveys.apps makes
the same survey again after a flush; both go through surveys.default_survey.ensure."""

from django.db import migrations


def create_default_survey(apps, schema_editor):
    from surveys import default_survey

    default_survey.ensure(apps.get_model("surveys", "Survey"), apps.get_model("surveys", "Question"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_default_survey, migrations.RunPython.noop)]
