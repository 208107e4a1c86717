from django.db import migrations, models


def link_each_file_to_its_answer(apps, schema_editor):
    """Each file's one answer becomes its first link."""
    db = schema_editor.connection.alias  # the database being migrated
    Attachment = apps.get_model("assessments", "Attachment")
    Link = Attachment.answers.through
    Link.objects.using(db).bulk_create(
        Link(attachment_id=pk, answer_id=answer_id)
        for pk, answer_id in Attachment.objects.using(db).values_list("pk", "answer_id").iterator()
    )


def keep_each_files_first_answer(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Attachment = apps.get_model("assessments", "Attachment")
    Link = Attachment.answers.through
    for link in Link.objects.using(db).order_by("id").iterator():
        Attachment.objects.using(db).filter(pk=link.attachment_id, answer_id__isnull=True).update(
            answer_id=link.answer_id
        )


class Migration(migrations.Migration):
    """An evidence file supports several answers: other objectives it shows, and the next
    cycle's answers that carry it over, refer to the same stored file instead of a copy."""

    dependencies = [("assessments", "0005_comment_mentioned")]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="answers",
            field=models.ManyToManyField(related_name="attachments", to="assessments.answer"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="answer",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="assessments.answer",
            ),
        ),
        migrations.RunPython(link_each_file_to_its_answer, keep_each_files_first_answer),
        migrations.RemoveField(model_name="attachment", name="answer"),
    ]
