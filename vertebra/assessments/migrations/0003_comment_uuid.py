import uuid

from django.db import migrations, models


def give_uuids(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Model = apps.get_model("assessments", "comment")
    for row in Model.objects.using(db).filter(uuid__isnull=True).only("pk"):
        row.uuid = uuid.uuid4()
        row.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    """Each comment gets its own id, so that the API can give it an address of its own."""

    dependencies = [("assessments", "0002_comments_attachment_uuid")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="comment",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
