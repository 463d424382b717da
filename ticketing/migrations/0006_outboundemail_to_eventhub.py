"""The e-mail outbox moves to eventhub (eventhub 0002 takes the state): its table is renamed,
its rows kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ticketing", "0005_payments_setup_manual_methods"),
        ("eventhub", "0002_outboundemail"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name="outboundemail", table="eventhub_outboundemail")],
            state_operations=[migrations.DeleteModel(name="OutboundEmail")],
        ),
    ]
