"""Indexes of event lists, queues and overdue lists (issue 9: scale).

On 5M events each index scans the table (the full ones also sort it): plain CREATE INDEX,
which blocks writes to events_event while it runs: apply in a quiet window.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "reported",
                            "escalated",
                            "accepted",
                            "dispatched",
                            "handling",
                            "suspended",
                            "result_submitted",
                            "verified",
                        ],
                    )
                ),
                fields=["township", "-reported_at", "-id"],
                name="event_township_open",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "reported",
                            "escalated",
                            "accepted",
                            "dispatched",
                            "handling",
                            "suspended",
                            "result_submitted",
                            "verified",
                        ],
                    )
                ),
                fields=["county", "-reported_at", "-id"],
                name="event_county_open",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "reported",
                            "escalated",
                            "accepted",
                            "dispatched",
                            "handling",
                            "suspended",
                            "result_submitted",
                            "verified",
                        ],
                    )
                ),
                fields=["lead_unit", "-reported_at", "-id"],
                name="event_unit_open",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "reported",
                            "escalated",
                            "accepted",
                            "dispatched",
                            "handling",
                            "suspended",
                            "result_submitted",
                            "verified",
                        ],
                    )
                ),
                fields=["-reported_at", "-id"],
                name="event_open_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["township", "-reported_at", "-id"], name="event_township_recent"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["county", "-reported_at", "-id"], name="event_county_recent"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "reported",
                            "escalated",
                            "accepted",
                            "dispatched",
                            "handling",
                            "suspended",
                            "result_submitted",
                            "verified",
                        ],
                    )
                ),
                fields=["complete_due_at"],
                name="event_open_complete_due",
            ),
        ),
    ]
