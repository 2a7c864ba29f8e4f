"""Local sign-in: a token minted from the services' secret, as `miiwrap token` does."""

from __future__ import annotations

from services.portal.config import PortalSettings
from shared.auth import issue_token, signing_settings


def local_token(settings: PortalSettings, subject: str, roles: list[str], hours: int = 8) -> str:
    if settings.local_jwt_secret is None:
        raise RuntimeError("local sign-in without PORTAL_LOCAL_JWT_SECRET")
    signer = signing_settings(settings.local_jwt_secret.get_secret_value())
    signer = signer.model_copy(
        update={"jwt_issuer": settings.jwt_issuer, "jwt_audience": settings.jwt_audience}
    )
    return issue_token(
        signer,
        subject=subject,
        agency_id=settings.local_agency,
        roles=roles,
        ttl_seconds=hours * 3600,
    )
