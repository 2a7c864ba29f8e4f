"""Settings of the portal (environment variables prefixed `PORTAL_`).

The portal owns no database and no stream: it needs the four services' URLs, a secret
to sign its session cookie, and how people sign in — local demo identities (tokens
minted with the local secret, as `miiwrap token` does) or the agency's OpenID Connect
provider.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PORT = 8000
DEFAULT_SESSION_SECRET = "change-me-local-portal-session-secret"
MIN_SECRET_BYTES = 32


class DemoIdentity(BaseModel):
    """A person the local sign-in page offers."""

    subject: str
    roles: list[str]
    label: str


DEFAULT_IDENTITIES = [
    DemoIdentity(subject="demo-admin", roles=["admin"], label="Ada, agency admin"),
    DemoIdentity(subject="demo-supervisor", roles=["supervisor"], label="Sam, supervisor"),
    DemoIdentity(subject="demo-coach", roles=["coach"], label="Ana, coach"),
    DemoIdentity(subject="demo-observer", roles=["observer"], label="Olu, fidelity observer"),
]


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    learning_url: str = "http://127.0.0.1:8001"
    coaching_url: str = "http://127.0.0.1:8002"
    fidelity_url: str = "http://127.0.0.1:8003"
    certification_url: str = "http://127.0.0.1:8004"
    request_timeout_seconds: float = Field(default=15.0, gt=0)

    session_secret: SecretStr = SecretStr(DEFAULT_SESSION_SECRET)
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    cookie_secure: bool = Field(default=False, description="send the cookie over https only")

    sign_in: Literal["local", "oidc"] = "local"
    # local: tokens signed with the services' HS256 secret
    local_jwt_secret: SecretStr | None = None
    local_agency: str = "demo-agency"
    jwt_issuer: str = "miiwrap-local"
    jwt_audience: str = "miiwrap"
    demo_identities: list[DemoIdentity] = Field(default_factory=lambda: list(DEFAULT_IDENTITIES))

    # oidc: authorization code + PKCE with the agency's identity provider
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile"
    oidc_subject_claim: str = "sub"
    oidc_agency_claim: str = "agency"
    oidc_roles_claim: str = "roles"
    oidc_role_map: dict[str, str] = Field(
        default_factory=dict, description="provider role or group → MiiWrap role"
    )
    oidc_forward_token: Literal["access_token", "id_token"] = Field(
        default="access_token", description="the token the portal sends the services"
    )

    @model_validator(mode="after")
    def _complete_sign_in(self) -> PortalSettings:
        if self.sign_in == "local" and self.local_jwt_secret is None:
            raise ValueError("local sign-in needs PORTAL_LOCAL_JWT_SECRET (the services' secret)")
        if self.sign_in == "oidc" and not (self.oidc_discovery_url and self.oidc_client_id):
            raise ValueError(
                "OIDC sign-in needs PORTAL_OIDC_DISCOVERY_URL and PORTAL_OIDC_CLIENT_ID"
            )
        if self.environment == "production":
            secret = self.session_secret.get_secret_value()
            if secret == DEFAULT_SESSION_SECRET or len(secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(
                    f"production needs a session secret of at least {MIN_SECRET_BYTES} bytes"
                )
            if self.sign_in == "local":
                raise ValueError("production signs in through OIDC; local demo sign-in is refused")
        return self

    def service_urls(self) -> dict[str, str]:
        return {
            "learning": self.learning_url,
            "coaching": self.coaching_url,
            "fidelity": self.fidelity_url,
            "certification": self.certification_url,
        }
