import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_attachments_uuids(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Attachment = apps.get_model("assessments", "Attachment")
    for attachment in Attachment.objects.using(db).filter(uuid__isnull=True).only("pk"):
        attachment.uuid = uuid.uuid4()
        attachment.save(update_fields=["uuid"])


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_attachments_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attachment",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name="Comment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(verbose_name="comment")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("answer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="comments", to="assessments.answer")),
                ("author", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
    ]
