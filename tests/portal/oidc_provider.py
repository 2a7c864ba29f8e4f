"""A tiny OpenID Connect provider for the sign-in test: discovery, JWKS, authorize, token.

It signs one person in without asking (the test is about the portal's side of the
flow): the authorization code is bound to the PKCE challenge, the redirect URI and the
nonce, and the token endpoint refuses a verifier that does not match. The ID token
carries the agency and roles under the agency's own claim names; the access token
carries what the MiiWrap services read (`agency`, `roles`), signed with the same key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

CLIENT_ID, CLIENT_SECRET = "miiwrap-portal", "portal-client-secret"
SERVICES_AUDIENCE = "miiwrap"
KEY_ID = "test-key-1"


@dataclass
class Person:
    subject: str
    agency: str
    groups: list[str]
    name: str


@dataclass
class Provider:
    person: Person
    issuer: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    verified_pkce: list[str] = field(default_factory=list)

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def provider_app(provider: Provider) -> FastAPI:
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": provider.issuer,
            "authorization_endpoint": f"{provider.issuer}/authorize",
            "token_endpoint": f"{provider.issuer}/token",
            "jwks_uri": f"{provider.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
        return {"keys": [public | {"kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    @app.get("/authorize")
    async def authorize(
        client_id: str,
        redirect_uri: str,
        state: str,
        response_type: str = "code",
        nonce: str = "",
        code_challenge: str = "",
        code_challenge_method: str = Query(default=""),
    ) -> RedirectResponse:
        if client_id != CLIENT_ID or response_type != "code":
            raise HTTPException(400, "unknown client or response type")
        if code_challenge_method != "S256" or not code_challenge:
            raise HTTPException(400, "PKCE with S256 is required")
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {
            "challenge": code_challenge,
            "redirect_uri": redirect_uri,
            "nonce": nonce,
        }
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

    @app.post("/token")
    async def token(
        request: Request,
        grant_type: str = Form(),
        code: str = Form(),
        redirect_uri: str = Form(),
        code_verifier: str = Form(default=""),
    ) -> JSONResponse:
        grant = provider.codes.pop(code, None)
        if grant_type != "authorization_code" or grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["redirect_uri"] != redirect_uri or s256(code_verifier) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        provider.verified_pkce.append(code)
        person, now = provider.person, int(time.time())
        common = {"iss": provider.issuer, "sub": person.subject, "iat": now, "exp": now + 600}
        id_token = provider.sign(
            common
            | {
                "aud": CLIENT_ID,
                "nonce": grant["nonce"],
                "name": person.name,
                "https://agency.example/tenant": person.agency,
                "groups": person.groups,
            }
        )
        access_token = provider.sign(
            common | {"aud": SERVICES_AUDIENCE, "agency": person.agency, "roles": ["supervisor"]}
        )
        return JSONResponse(
            {
                "access_token": access_token,
                "id_token": id_token,
                "token_type": "Bearer",
                "expires_in": 600,
            }
        )

    return app
