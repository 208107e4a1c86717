"""The interface's message catalogues: extracting them from the code and checking them.

``make messages`` runs ``python -m vertebra.translations extract LANG...``: Django's
``makemessages`` gathers every marked message of the templates and the Python code (the
``django`` domain) and of the JavaScript (``djangojs``) into ``vertebra/locale``, keeping what
is already translated. ``tests/test_translations.py`` extracts the same way into a scratch
folder and reads the result with :func:`problems`, so a message added to the code and missing
from an offered language's catalogue fails the suite (docs/TRANSLATING.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DOMAINS = ("django", "djangojs")
SOURCE = Path(__file__).resolve().parent
CATALOGUES = SOURCE / "locale"
# What makemessages does not read: the vendored scripts (minified, with gettext of their own).
IGNORED = ("vendor/*", "*.min.js", "tests", "bench", "var", "build", "docs", "node_modules")


def catalogue(folder: Path, language: str, domain: str) -> Path:
    return folder / language / "LC_MESSAGES" / f"{domain}.po"


def extract(languages: list[str], folder: Path = CATALOGUES) -> None:
    """Bring the catalogues of ``languages`` in ``folder`` up to date with the code: new
    messages are added untranslated, gone ones removed, translations kept."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.LOCALE_PATHS = [folder]
    # makemessages reads the folder it runs in: the repository, whose code is in vertebra/.
    os.chdir(SOURCE.parent)
    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=languages,
            domain=domain,
            ignore_patterns=list(IGNORED),
            add_location="file",
            no_obsolete=True,
            verbosity=0,
        )
    for language in languages:
        for domain in DOMAINS:
            _fix_header(catalogue(folder, language, domain), language)


def _fix_header(path: Path, language: str) -> None:
    """A new catalogue's header is a template (fuzzy, no language): make it this one's."""
    text = path.read_text(encoding="utf-8")
    head, separator, rest = text.partition('msgstr ""\n')
    head = head.replace("#, fuzzy\n", "")
    head = re.sub(r"^# SOME DESCRIPTIVE TITLE\.\n", "# Vertebra's interface.\n", head)
    rest = rest.replace(
        '"Project-Id-Version: PACKAGE VERSION\\n"', '"Project-Id-Version: Vertebra\\n"'
    )
    rest = rest.replace('"Language: \\n"', f'"Language: {language}\\n"')
    path.write_text(head + separator + rest, encoding="utf-8")


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def problems(path: Path, *, complete: bool) -> list[Problem]:
    """What is wrong with the catalogue at ``path``: broken for ``msgfmt --check``, or, when it
    must be ``complete``, a message without translation or a fuzzy one."""
    found: list[Problem] = []
    check = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        found.append(Problem(path, f"msgfmt --check: {check.stderr.strip()}"))
    if complete:
        found += [Problem(path, text) for text in untranslated(path)]
    return found


def untranslated(path: Path) -> list[str]:
    """Each message of the catalogue that has no translation or a fuzzy one, in words."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        entries = read_po(handle)
    found = []
    for message in entries:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            found.append(f"not translated: {msgid!r}")
    return found


def messages_of(path: Path) -> set[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "extract":
        print("usage: python -m vertebra.translations extract LANG...", file=sys.stderr)
        return 2
    if shutil.which("xgettext") is None:
        print("make messages needs GNU gettext (xgettext, msgmerge)", file=sys.stderr)
        return 2
    extract(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
