from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def _count(model, **match):
    """The number of ``model`` rows matching the outer row, as a subquery (0 when none)."""
    rows = model.objects.filter(**match).order_by().values(next(iter(match)))
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), Value(0))


def count_past_changes(apps, schema_editor):
    """Start each counter at the number of changes so far: history events and comments.

    These are the counts the kept parts were keyed by until now, so every assessment and
    answer starts where it stood and only grows from there."""
    db = schema_editor.connection.alias  # the database being migrated
    Assessment = apps.get_model("assessments", "Assessment")
    Answer = apps.get_model("assessments", "Answer")
    AnswerEvent = apps.get_model("assessments", "AnswerEvent")
    Comment = apps.get_model("assessments", "Comment")
    Answer.objects.using(db).update(
        revision=_count(AnswerEvent, answer=OuterRef("pk"))
        + _count(Comment, answer=OuterRef("pk"))
    )
    Assessment.objects.using(db).update(
        revision=_count(AnswerEvent, assessment=OuterRef("pk"))
        + _count(Comment, answer__assessment=OuterRef("pk"))
    )


class Migration(migrations.Migration):
    """Revision counters on assessments and answers, bumped by every write, so that the kept
    page parts are keyed without counting history rows on every request."""

    dependencies = [("assessments", "0003_comment_uuid")]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="revision",
            field=models.PositiveIntegerField(default=0, db_default=0, editable=False),
        ),
        migrations.AddField(
            model_name="assessment",
            name="revision",
            field=models.PositiveIntegerField(default=0, db_default=0, editable=False),
        ),
        migrations.RunPython(count_past_changes, migrations.RunPython.noop),
    ]
