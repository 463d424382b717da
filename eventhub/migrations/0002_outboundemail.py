"""The e-mail outbox moves from ticketing to eventhub (every app writes to it): only the state
here; the table itself is renamed by ticketing 0006."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("eventhub", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OutboundEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('to', models.EmailField(max_length=254)),
                        ('subject', models.TextField()),
                        ('body', models.TextField()),
                        ('type', models.CharField(blank=True, help_text='The stream entry type it goes with.', max_length=40)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'ordering': ['created_at', 'id'],
                        'indexes': [models.Index(fields=['sent_at', 'created_at'], name='outbound_email_due_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
