"""Mentions: a comment's ``@name`` or ``@email`` of a member of the comment's city.

Found once, when the comment is saved (``evidence.add_comment``), and stored as the comment's
``mentioned`` people. Only the members of that city are looked for, so a comment can never
name a person of another city or someone outside the app.

A handle is a member's email, or their name when they have one. At each ``@`` that does not
follow a letter or digit (``ana@example.org`` written plainly mentions nobody), the longest
handle that starts there wins (``@Ana Lopez`` is Ana Lopez, not another member named Ana), and
it must end where a word ends. Letter case is ignored. The work is bounded: a comment holds at
most ``MAX_COMMENT`` characters and every ``@`` is tried against each member's two handles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vertebra.accounts.models import User


def handles_of(user: User) -> list[str]:
    """What may follow ``@`` to name this person: their email, and their name if they have one."""
    found = [user.email.lower()]
    name = " ".join(user.name.split()).lower()
    if name:
        found.append(name)
    return found


def _ends_word(text: str, end: int) -> bool:
    """Whether a handle that stops at ``end`` ends where a word (or an address) ends."""
    if end >= len(text):
        return True
    after = text[end]
    if after.isalnum() or after in "_-@":
        return False
    # "@ana@example.org." ends the sentence; "@ana@example.org.pt" is another address.
    return not (after == "." and end + 1 < len(text) and text[end + 1].isalnum())


def find_mentions(text: str, members: Iterable[User]) -> list[User]:
    """The members the text mentions, each once, in the order they are first mentioned."""
    lowered = text.lower()
    candidates = sorted(
        ((handle, user) for user in members for handle in handles_of(user)),
        key=lambda pair: -len(pair[0]),
    )
    found: dict[int, User] = {}
    position = lowered.find("@")
    while position != -1:
        if position == 0 or not lowered[position - 1].isalnum():
            start = position + 1
            for handle, user in candidates:
                end = start + len(handle)
                if lowered.startswith(handle, start) and _ends_word(lowered, end):
                    found.setdefault(user.pk, user)
                    break
        position = lowered.find("@", position + 1)
    return list(found.values())
