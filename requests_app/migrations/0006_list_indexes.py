"""Issue 23: the landing list's returned requests by the days left when paused, its drafts by
due date (filters.DaysLeftPages walks an index per branch), the open rows counted from a small
index of their state, and the resubmitted requests of the home queues from their own."""

import datetime
import django.db.models.functions.datetime
import wahaj.lib.functions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0005_h9_running_due_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='supportrequest',
            index=models.Index(wahaj.lib.functions.DaysBetween(django.db.models.functions.datetime.TruncDate('decision_due_at'), django.db.models.functions.datetime.TruncDate('paused_at')), models.F('decision_due_at'), models.F('id'), condition=models.Q(('state', 'returned')), name='request_returned_days_left'),
        ),
        migrations.AddIndex(
            model_name='supportrequest',
            index=models.Index(condition=models.Q(('state', 'draft')), fields=['decision_due_at', 'id'], name='request_draft_due'),
        ),
        migrations.AddIndex(
            model_name='supportrequest',
            index=models.Index(condition=models.Q(('paused_total__gt', datetime.timedelta(0)), ('state', 'submitted')), fields=['decision_due_at', 'id'], name='request_resubmitted'),
        ),
        migrations.AddIndex(
            model_name='supportrequest',
            index=models.Index(condition=models.Q(('state__in', ['draft', 'submitted', 'in_research', 'in_committee', 'returned'])), fields=['state', 'researcher'], name='request_open_state'),
        ),
    ]
