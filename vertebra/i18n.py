"""Messages in the active language, also where Django may not be set up.

The command line and the readers of the files it is given (maturity-model and crosswalk
files, answer files, JSON, YAML and zip files) speak before Django is set up, and when its
settings cannot be read (a wrong environment variable): their messages then stay as written,
in English. Once Django is ready, these are Django's own gettext in the active language
(``--lang`` or the environment on the command line, the person's language on the pages).
``make messages`` extracts ``gettext``, ``_``, ``ngettext`` and ``gettext_noop`` calls.
"""

from __future__ import annotations


def _ready() -> bool:
    from django.apps import apps

    return apps.ready


def gettext(message: str) -> str:
    """``message`` in the active language; as written before Django is set up."""
    if not _ready():
        return message
    from django.utils.translation import gettext as django_gettext

    return django_gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    """The singular or plural ``message`` for ``number`` in the active language."""
    if not _ready():
        return singular if number == 1 else plural
    from django.utils.translation import ngettext as django_ngettext

    return django_ngettext(singular, plural, number)


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the catalogues; it is translated where it is shown."""
    return message


def active_language() -> str | None:
    """The active language's code, or None before Django is set up (the file's own)."""
    if not _ready():
        return None
    from django.utils.translation import get_language

    return get_language()
