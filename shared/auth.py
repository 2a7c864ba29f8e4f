"""Who is calling: bearer JWTs carrying the principal, its agency and roles.

Locally tokens are HS256 with a generated secret (`miiwrap token …` issues them); in
production RS256 tokens are verified against a JWKS URL with issuer and audience
checked. Every route states the action it performs with `Allow("…")`; one role × action
matrix per service decides, so no route repeats permission checks.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from shared.config import ServiceSettings
from shared.problems import Forbidden, Unauthorized

AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
AGENCY_ID_RULE = (
    "lowercase letters, digits, '-' or '_', starting with a letter or digit, 1-63 chars"
)


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    COACH = "coach"
    OBSERVER = "observer"
    PRACTITIONER = "practitioner"
    LMS_PARTNER = "lms_partner"
    AUDITOR = "auditor"
    SERVICE = "service"  # another MiiWrap service calling on the system's behalf
    # runs the platform: onboards agencies (its token's own agency is the platform's)
    PLATFORM_OPERATOR = "platform_operator"


@dataclass(frozen=True)
class Principal:
    subject: str
    agency_id: str
    roles: frozenset[Role]

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def actor(self) -> str:
        """How events record who caused them."""
        return f"{self.agency_id}/{self.subject}"


class _TokenSigner(ServiceSettings):
    service_name: str = "token-signer"


def signing_settings(secret: str) -> ServiceSettings:
    """Settings that only sign local tokens with `secret` (the CLI, make run, the fuzzer)."""
    return _TokenSigner(jwt_secret=SecretStr(secret))


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    agency_id: str,
    roles: list[str],
    ttl_seconds: int = 8 * 3600,
) -> str:
    """Sign a local HS256 token (development, tests, the CLI)."""
    now = int(time.time())
    claims = {
        "sub": subject,
        "agency": agency_id,
        "roles": roles,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


class TokenVerifier:
    """Checks bearer tokens; remembers the principal of a token it accepted.

    A client sends the same token with every request until it expires, so a token that
    passed is kept (at most `REMEMBERED` tokens, each until its `exp` and for at most
    `REMEMBER_SECONDS`): its signature and claims are not checked again on every request.
    Only accepted tokens are kept; a refused one is checked again each time.
    """

    REMEMBERED = 4096
    REMEMBER_SECONDS = 60.0

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._accepted: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        now = time.time()
        remembered = self._accepted.get(token)
        if remembered is not None:
            if now < remembered[0]:
                return remembered[1]
            del self._accepted[token]
        claims = await self._checked_claims(token)
        principal = principal_from_claims(claims)
        expires = claims["exp"]
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            self._accepted[token] = (min(float(expires), now + self.REMEMBER_SECONDS), principal)
            if len(self._accepted) > self.REMEMBERED:
                self._accepted.popitem(last=False)
        return principal

    async def _checked_claims(self, token: str) -> dict[str, Any]:
        try:
            if self.settings.jwt_algorithm == "RS256":
                if self._jwks is None:
                    raise Unauthorized("RS256 is configured without a JWKS URL")
                # PyJWKClient fetches over blocking HTTP; keep it off the event loop
                key: Any = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
            else:
                key = self.settings.jwt_secret.get_secret_value()
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self.settings.jwt_algorithm],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["sub", "exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("the bearer token has expired; get a new one") from error
        except jwt.PyJWTError as error:
            raise Unauthorized(f"the bearer token is not valid: {error}") from error
        _refuse_long_lived(claims, self.settings.max_token_lifetime_seconds)
        return claims


def _refuse_long_lived(claims: Mapping[str, Any], max_seconds: int) -> None:
    expires = claims.get("exp")
    issued = claims.get("iat", time.time())
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise Unauthorized("the token's 'iat' claim must be a number")
    if isinstance(expires, int | float) and expires - issued > max_seconds:
        raise Unauthorized(
            f"the bearer token is valid for longer than {max_seconds} seconds; "
            "get a shorter-lived one"
        )


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    agency = claims.get("agency")
    if not isinstance(agency, str) or not AGENCY_ID.match(agency):
        raise Unauthorized(f"the token's 'agency' claim must be an agency id ({AGENCY_ID_RULE})")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or not subject.isprintable():
        raise Unauthorized("the token's 'sub' claim must be a non-empty printable string")
    raw_roles = claims.get("roles")
    if not isinstance(raw_roles, list) or not raw_roles:
        raise Unauthorized("the token's 'roles' claim must be a non-empty list of roles")
    known = {r.value for r in Role}
    unknown = [r for r in raw_roles if not isinstance(r, str) or r not in known]
    if unknown:
        raise Unauthorized(
            f"the token names roles this system does not know: {unknown!r}; "
            f"known roles: {', '.join(sorted(known))}"
        )
    return Principal(subject=subject, agency_id=agency, roles=frozenset(Role(r) for r in raw_roles))


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The verified principal of the bearer credentials `HTTPBearer` found (or a 401)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send 'Authorization: Bearer <token>'; see the README for tokens")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


class PrincipalBearer(HTTPBearer):
    """The bearer scheme (OpenAPI's `HTTPBearer`) whose value is the verified principal.

    One dependency where the tree had two (the scheme, then `current_principal` on its
    credentials): FastAPI's solving of each dependency of each request costs more than
    the principal's look-up. The calls, answers and 401s are the same.
    """

    def __init__(self) -> None:
        # named in the OpenAPI as the plain HTTPBearer it stands for
        super().__init__(
            auto_error=False,
            scheme_name="HTTPBearer",
            description="JWT with sub, agency and roles claims",
        )

    async def principal(self, request: Request) -> Principal:
        return await current_principal(request, await HTTPBearer.__call__(self, request))

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        return await self.principal(request)


_bearer = PrincipalBearer()

CurrentPrincipal = Annotated[Principal, Depends(_bearer)]


class Allow(PrincipalBearer):
    """Dependency: the caller must hold a role the service's matrix allows for `action`.

    The bearer scheme itself (its principal first, so a 401 still comes before a 403):
    a route's permission is one dependency for FastAPI to solve, not a chain of them.
    """

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        return self.permit(request, await self.principal(request))

    def permit(self, request: Request, principal: Principal) -> Principal:
        """`principal` if the matrix lets it perform the action, else a 403."""
        matrix: Mapping[str, frozenset[Role]] = request.app.state.permissions
        allowed = matrix.get(self.action)
        if allowed is None:
            raise Forbidden(f"action {self.action!r} is not in this service's permission matrix")
        if not principal.has_any(allowed):
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"{self.action} needs one of the roles: {names}")
        return principal


def allow(action: str) -> Any:
    """`principal: Annotated[Principal, allow("observations.record")]` in a route.

    A `Security` dependency whose scope is the action, so each operation's OpenAPI
    `security` requirement names the action it performs (`{"HTTPBearer": [action]}`).
    """
    return Security(Allow(action), scopes=[action])


def declared_actions(openapi: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(METHOD, path) → the actions its OpenAPI security requirements name."""
    found: dict[tuple[str, str], list[str]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method, operation in item.items():
            scopes = [
                scope
                for requirement in operation.get("security", [])
                for scope_list in requirement.values()
                for scope in scope_list
            ]
            found[(method.upper(), path)] = scopes
    return found
