"""Single sign-on with OpenID Connect: the configuration and the talk with the provider.

Configured by four variables (docs/CONFIGURATION.md, "Single sign-on")::

    VERTEBRA_OIDC_ISSUER          https://login.example.org/realms/city (its discovery document
                                  is <issuer>/.well-known/openid-configuration)
    VERTEBRA_OIDC_CLIENT_ID       the client registered at the provider
    VERTEBRA_OIDC_CLIENT_SECRET   its secret
    VERTEBRA_OIDC_BUTTON          the button's label (optional; "Sign in with <label>")

All unset: single sign-on is off, nothing of it shows and no request leaves the server.

The protocol is Authlib's (authorization code flow with state, nonce and PKCE; the ID token's
signature checked against the provider's published keys). The discovery document and the keys
are fetched when first needed and kept for :data:`METADATA_SECONDS`. Who may then sign in is
the cities app's rule (:mod:`vertebra.cities.sign_on`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.http import HttpResponseRedirect

ISSUER = "VERTEBRA_OIDC_ISSUER"
CLIENT_ID = "VERTEBRA_OIDC_CLIENT_ID"
CLIENT_SECRET = "VERTEBRA_OIDC_CLIENT_SECRET"  # noqa: S105 - the variable's name
BUTTON = "VERTEBRA_OIDC_BUTTON"
REQUIRED = (ISSUER, CLIENT_ID, CLIENT_SECRET)
DEFAULT_BUTTON = "single sign-on"
BUTTON_MAX_LENGTH = 60
# A provider that does not answer is reported within this many seconds.
TIMEOUT_SECONDS = 10
# The discovery document and the signing keys are fetched again after this long.
METADATA_SECONDS = 3600
# Names that may only be sent to a provider on this machine over plain HTTP (tests, trials).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
SCOPE = "openid email profile"


class SSOConfigError(ValueError):
    """The single sign-on variables cannot be used; the message names the variable."""


@dataclass(frozen=True)
class OIDCConfig:
    issuer: str
    client_id: str
    client_secret: str
    button: str

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"


def oidc_config(environ: Mapping[str, str]) -> OIDCConfig | None:
    """The single sign-on configuration from ``environ``; ``None`` when it is off."""
    values = {name: environ.get(name, "").strip() for name in (*REQUIRED, BUTTON)}
    given = [name for name in REQUIRED if values[name]]
    if not given:
        if values[BUTTON]:
            raise SSOConfigError(f"{BUTTON} is set, but {ISSUER} is not.")
        return None
    missing = [name for name in REQUIRED if not values[name]]
    if missing:
        raise SSOConfigError(
            f"Single sign-on needs {', '.join(REQUIRED)}: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set."
        )
    issuer = values[ISSUER].rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SSOConfigError(f"{ISSUER} must be an https:// address, not {values[ISSUER]!r}.")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise SSOConfigError(
            f"{ISSUER} must be an https:// address (plain http only on this machine), "
            f"not {values[ISSUER]!r}."
        )
    if parts.query or parts.fragment:
        raise SSOConfigError(f"{ISSUER} must have no query or fragment: {values[ISSUER]!r}.")
    for name in (CLIENT_ID, CLIENT_SECRET, BUTTON):
        if any(not character.isprintable() for character in values[name]):
            raise SSOConfigError(f"{name} holds a control character.")
    if len(values[BUTTON]) > BUTTON_MAX_LENGTH:
        raise SSOConfigError(f"{BUTTON} must be at most {BUTTON_MAX_LENGTH} characters long.")
    return OIDCConfig(
        issuer=issuer,
        client_id=values[CLIENT_ID],
        client_secret=values[CLIENT_SECRET],
        button=values[BUTTON] or DEFAULT_BUTTON,
    )


# --- the provider -------------------------------------------------------------------------


class ProviderUnavailable(Exception):
    """The provider could not be reached or gave an answer that cannot be used."""


class SignInFailed(Exception):
    """This sign-in cannot go on (a tampered or stale ``state``, a refusal by the provider,
    a token that does not check out); the text says so, for the person."""


def configuration() -> OIDCConfig | None:
    from django.conf import settings

    config: OIDCConfig | None = settings.OIDC
    return config


_client: Any = None
_client_for: OIDCConfig | None = None


def _provider(config: OIDCConfig) -> Any:
    """Authlib's client for the configured provider, one per process, its discovery document
    fetched again after :data:`METADATA_SECONDS`."""
    global _client, _client_for
    if _client is None or _client_for != config:
        from authlib.integrations.django_client import OAuth

        _client = OAuth().register(
            "vertebra",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT_SECONDS,
            },
        )
        _client_for = config
    loaded_at = _client.server_metadata.get("_loaded_at")
    if loaded_at is not None and time.time() - loaded_at > METADATA_SECONDS:
        _client.server_metadata = {}
    return _client


def _metadata(config: OIDCConfig) -> Any:
    """The provider's client with its discovery document loaded and checked."""
    import requests

    client = _provider(config)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        client.server_metadata = {}
        raise ProviderUnavailable(
            f"{config.discovery_url} could not be read: {type(error).__name__}"
        ) from None
    if metadata.get("issuer", "").rstrip("/") != config.issuer:
        client.server_metadata = {}
        raise ProviderUnavailable(
            f"{config.discovery_url} names the issuer {metadata.get('issuer')!r}, "
            f"not {config.issuer!r} ({ISSUER})"
        )
    return client


def start(request: Any, *, redirect_uri: str) -> HttpResponseRedirect:
    """The redirect to the provider's sign-in page; the state, nonce and PKCE verifier wait
    in the session."""
    config = configuration()
    assert config is not None
    import requests

    client = _metadata(config)
    try:
        response: HttpResponseRedirect = client.authorize_redirect(request, redirect_uri)
    except (requests.RequestException, RuntimeError) as error:
        raise ProviderUnavailable(str(error)) from None
    return response


def finish(request: Any) -> dict[str, Any]:
    """The claims about the person who signed in at the provider, after every check: the
    ``state`` is the one this browser's session was given, the code is exchanged with the
    PKCE verifier, the ID token's signature, issuer, audience, expiry and nonce hold. Claims
    the ID token leaves out (such as ``email``) are read from the provider's userinfo
    endpoint, for the same subject."""
    config = configuration()
    assert config is not None
    import requests
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    client = _metadata(config)
    try:
        token = client.authorize_access_token(request)
    except MismatchingStateError:
        raise SignInFailed(
            _("This sign-in link is not the one this browser was given, or was used already.")
        ) from None
    except OAuthError as error:
        raise SignInFailed(
            _("The identity provider refused the sign-in: %(reason)s")
            % {"reason": error.description or error.error}
        ) from None
    except JoseError as error:
        raise SignInFailed(
            _("The identity provider's token did not check out: %(reason)s") % {"reason": error}
        ) from None
    except requests.RequestException as error:
        raise ProviderUnavailable(type(error).__name__) from None
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise SignInFailed(_("The identity provider sent no ID token."))
    if "email" not in claims:
        try:
            extra = dict(client.userinfo(token=token))
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(type(error).__name__) from None
        if extra.get("sub") != claims["sub"]:
            raise SignInFailed(_("The identity provider's userinfo is about someone else."))
        claims = {**extra, **claims}
    return claims
