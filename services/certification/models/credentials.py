"""Request and response models of portable credentials (Open Badges 3.0)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_CREDENTIAL_CHARS = 200_000  # a credential is a few KiB; a badge image under ~150 KiB


class CredentialPublic(BaseModel):
    """One credential a practitioner holds (or held): the list entry."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "credential_id": "5f0c2f0e-3c8a-4a57-9d55-0c1a3e0f6b21",
                    "credential_url": "https://certs.example.org/credentials/5f0c2f0e-3c8a-4a57-9d55-0c1a3e0f6b21",
                    "level": "facilitator",
                    "level_title": "MiiWrap Facilitator — Certified",
                    "status": "active",
                    "status_reason": None,
                    "status_changed_on": None,
                    "valid_from": "2025-12-01",
                    "valid_until": "2027-01-11",
                    "issued_at": "2026-01-10T09:00:00Z",
                    "key_id": "did:web:certs.example.org:issuers:agency-1#key-3f2a9c1b7d0e",
                }
            ]
        }
    )

    credential_id: str
    credential_url: str
    level: str
    level_title: str
    status: Literal["active", "revoked"]
    status_reason: str | None = Field(description="lapsed, revoked or corrected; null if active")
    status_changed_on: date | None
    valid_from: date
    valid_until: date | None
    issued_at: datetime
    key_id: str = Field(description="the verification method that signed it (did:web…#key-…)")


class EnvelopedCredential(BaseModel):
    """VCDM 2.0's JSON form of a credential secured as a JWT."""

    model_config = ConfigDict(populate_by_name=True)

    context: str = Field(default="https://www.w3.org/ns/credentials/v2", alias="@context")
    id: str = Field(description="data:application/vc+jwt,<the compact JWS>")
    type: Literal["EnvelopedVerifiableCredential"] = "EnvelopedVerifiableCredential"


class CredentialDownload(CredentialPublic):
    """A credential to carry: the signed JWT, its enveloped JSON form, and what it says."""

    model_config = ConfigDict(json_schema_extra={})  # the list entry's example is not one

    jwt: str = Field(description="the credential as a VC-JOSE compact JWS (EdDSA)")
    verifiable_credential: EnvelopedCredential
    credential: dict[str, Any] = Field(description="the signed OpenBadgeCredential, decoded")


class VerificationRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"credential": "eyJhbGciOiJFZERTQSIsImtpZCI6…"}]},
    )

    credential: str | dict[str, Any] | None = Field(
        default=None,
        description="the credential: its compact JWT, the JSON this service gives "
        "(EnvelopedVerifiableCredential, or a download with `jwt`)",
    )
    image: str | None = Field(
        default=None,
        max_length=MAX_CREDENTIAL_CHARS,
        description="or a badge image: base64 of a PNG with the credential baked in",
    )

    @model_validator(mode="after")
    def _one_of_them(self) -> VerificationRequest:
        if (self.credential is None) == (self.image is None):
            raise ValueError("send either credential or image, not both or neither")
        if isinstance(self.credential, str) and len(self.credential) > MAX_CREDENTIAL_CHARS:
            raise ValueError(f"credential is longer than {MAX_CREDENTIAL_CHARS} characters")
        return self


class CheckPublic(BaseModel):
    check: Literal["issuer", "signature", "status", "validity"]
    passed: bool
    detail: str


class VerificationPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "verified": False,
                    "checks": [
                        {"check": "issuer", "passed": True, "detail": "issued by did:web:…"},
                        {"check": "signature", "passed": True, "detail": "signed by …"},
                        {"check": "status", "passed": False, "detail": "revoked by the issuer"},
                        {"check": "validity", "passed": True, "detail": "valid from 2025-12-01"},
                    ],
                    "issuer": "Riverside Family Services",
                    "achievement": "MiiWrap Facilitator — Certified",
                    "valid_from": "2025-12-01",
                    "valid_until": "2026-12-02",
                }
            ]
        }
    )

    verified: bool = Field(description="true only when every check passed")
    checks: list[CheckPublic]
    issuer: str | None
    achievement: str | None
    valid_from: str | None
    valid_until: str | None


class KeyRotated(BaseModel):
    verification_method: str = Field(description="the new active key's id (did:web…#key-…)")
