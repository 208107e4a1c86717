"""Fill a release's instance with one of everything a backup holds, beyond `vertebra demo`.

Run by the release's own Python, with VERTEBRA_DATA_DIR set, after `vertebra init` and
`vertebra demo` (docs/BACKUP.md, "Backups of earlier releases"). Only the domain functions
every release has are used; a later release that changed one adapts this file first.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vertebra.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from vertebra.api.tokens import create_token  # noqa: E402
from vertebra.assessments.evidence import add_attachment, add_comment  # noqa: E402
from vertebra.assessments.models import Assessment, AssessmentStatus  # noqa: E402
from vertebra.cities.domain import add_person, create_city  # noqa: E402
from vertebra.cities.models import City  # noqa: E402
from vertebra.planning.domain import add_note, create_action  # noqa: E402

demo = City.objects.get(slug="demo")
draft = Assessment.objects.get(city=demo, status=AssessmentStatus.DRAFT)
editor, _, _ = add_person(
    email="editor@demo.example", city=demo, role="editor", password="an old backup 1"
)
create_city(slug="harbour", name="Harbour Town")
add_person(
    email="viewer@harbour.example",
    city=City.objects.get(slug="harbour"),
    role="viewer",
    password="an old backup 2",
)
answer = draft.answers.select_related("objective").order_by("objective__code").first()
assert answer is not None
add_attachment(
    answer=answer,
    user=editor,
    upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n% minutes of the council\n"),
)
add_comment(answer=answer, user=editor, text="The minutes of March are the evidence.")
action = create_action(
    assessment=draft,
    user=editor,
    data={"title": "Publish the resilience strategy", "objectives": [answer.objective]},
)
add_note(action=action, user=editor, text="Draft sent to the council.")
create_token(user=editor, name="reporting script")
