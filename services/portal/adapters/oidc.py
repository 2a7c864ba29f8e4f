"""OpenID Connect sign-in (authorization code + PKCE) with the agency's identity provider.

Authlib keeps the state, nonce and PKCE verifier in the session between the redirect and
the callback, checks the ID token against the provider's JWKS, and returns its claims;
`viewer_from_claims` maps them to an agency and MiiWrap roles by the configured claims.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth

from services.portal.config import PortalSettings
from services.portal.domain.viewer import Viewer
from shared.auth import AGENCY_ID, Role

PROVIDER = "agency"


class SignInRefused(Exception):
    """The provider's answer does not make a MiiWrap person; the message says why."""


def oidc_client(settings: PortalSettings) -> OAuth:
    oauth = OAuth()
    oauth.register(
        PROVIDER,
        server_metadata_url=settings.oidc_discovery_url,
        client_id=settings.oidc_client_id,
        client_secret=(
            settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        ),
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
    )
    return oauth


def mapped_roles(raw: Any, role_map: dict[str, str]) -> frozenset[Role]:
    values = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
    known = {r.value for r in Role}
    roles = set()
    for value in values:
        name = role_map.get(str(value), str(value))
        if name in known:
            roles.add(Role(name))
    return frozenset(roles)


def viewer_from_claims(settings: PortalSettings, claims: dict[str, Any], token: str) -> Viewer:
    subject = claims.get(settings.oidc_subject_claim)
    agency = claims.get(settings.oidc_agency_claim)
    if not isinstance(subject, str) or not subject:
        raise SignInRefused(f"the identity provider sent no '{settings.oidc_subject_claim}' claim")
    if not isinstance(agency, str) or not AGENCY_ID.match(agency):
        raise SignInRefused(
            f"the identity provider's '{settings.oidc_agency_claim}' claim names no agency"
        )
    roles = mapped_roles(claims.get(settings.oidc_roles_claim), settings.oidc_role_map)
    if not roles:
        raise SignInRefused(
            f"your account has no MiiWrap role in its '{settings.oidc_roles_claim}' claim; "
            "ask your agency's administrator to grant one"
        )
    name = claims.get("name")
    return Viewer(
        subject=subject,
        agency_id=agency,
        roles=roles,
        token=token,
        name=name if isinstance(name, str) and name else subject,
    )
