import uuid

from django.db import migrations, models


def give_uuids(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.using(db).filter(uuid__isnull=True).only("pk"):
        token.uuid = uuid.uuid4()
        token.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    """Tokens are named by a random id in addresses (revoking), not by their row number."""

    dependencies = [("api", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
