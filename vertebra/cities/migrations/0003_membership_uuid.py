"""Each membership gets a stable id for the addresses of the people page and the API."""

import uuid

from django.db import migrations, models


def give_ids(apps, schema_editor):  # type: ignore[no-untyped-def]
    db = schema_editor.connection.alias  # the database being migrated
    Membership = apps.get_model("cities", "Membership")
    for membership in Membership.objects.using(db).filter(uuid__isnull=True).only("pk"):
        membership.uuid = uuid.uuid4()
        membership.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    dependencies = [("cities", "0002_invitations_and_team_history")]

    operations = [
        migrations.AddField(
            model_name="membership", name="uuid", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(give_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
