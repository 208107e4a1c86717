"""Action history outlives its action: events keep the city, uuid and title."""

import django.db.models.deletion
from django.db import migrations, models


def fill_city(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    ActionEvent = apps.get_model("planning", "ActionEvent")
    for event in ActionEvent.objects.using(db).select_related("action").filter(city__isnull=True):
        event.city_id = event.action.city_id
        event.action_uuid = event.action.uuid
        event.action_title = event.action.title
        event.save(update_fields=["city", "action_uuid", "action_title"])


class Migration(migrations.Migration):

    dependencies = [
        ("cities", "0001_initial"),
        ("planning", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionevent",
            name="action_title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="actionevent",
            name="action_uuid",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="actionevent",
            name="city",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="action_events",
                to="cities.city",
            ),
        ),
        migrations.RunPython(fill_city, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="actionevent",
            name="city",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="action_events",
                to="cities.city",
            ),
        ),
        migrations.AlterField(
            model_name="actionevent",
            name="action",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="events",
                to="planning.action",
            ),
        ),
    ]
