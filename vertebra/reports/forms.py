"""The import form: one file, checked for size and type before it is read."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vertebra.reports.imports import IMPORT_EXTENSIONS, MAX_IMPORT_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File of answers"),
        help_text=_("An XLSX, CSV, JSON or YAML file of at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(IMPORT_EXTENSIONS), "aria-describedby": "id_file_helptext"}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(
                _("Choose an XLSX, CSV, JSON or YAML file (this one ends in %(suffix)s).")
                % {"suffix": suffix or _("nothing")}
            )
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // 1024 // 1024}
            )
        return upload
