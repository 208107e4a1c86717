"""``{% sign_on_button next %}``: the "Sign in with <label>" button, when single sign-on is
configured (vertebra.sso); nothing at all when it is not."""

from __future__ import annotations

from typing import Any

from django import template

from vertebra import sso

register = template.Library()


@register.inclusion_tag("web/_sso_button.html")
def sign_on_button(next_page: str = "") -> dict[str, Any]:
    config = sso.configuration()
    return {"button": config.button if config else "", "next": next_page}
