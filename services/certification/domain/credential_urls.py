"""Where an agency's credentials, keys and status list live, under the public base URL.

Each agency is a ``did:web`` issuer: ``did:web:<host>[:<path>]:issuers:<agency>``
resolves (did:web method) to ``<base>/issuers/<agency>/did.json``; the same keys are
served as a JWKS beside it, and the status list at ``<base>/issuers/<agency>/status/1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit


@dataclass(frozen=True)
class IssuerUrls:
    base: str
    agency_id: str

    @property
    def home(self) -> str:
        return f"{self.base}/issuers/{self.agency_id}"

    @property
    def did(self) -> str:
        parts = urlsplit(self.base)
        host = quote(parts.netloc, safe="")  # a port's colon is percent-encoded
        path = [quote(p, safe="") for p in parts.path.split("/") if p]
        return ":".join(["did:web", host, *path, "issuers", quote(self.agency_id, safe="")])

    @property
    def did_document(self) -> str:
        return f"{self.home}/did.json"

    @property
    def jwks(self) -> str:
        return f"{self.home}/jwks.json"

    @property
    def status_list(self) -> str:
        return f"{self.home}/status/1"

    def achievement(self, level: str) -> str:
        return f"{self.home}/achievements/{quote(level, safe='')}"

    def credential(self, credential_id: str) -> str:
        return f"{self.base}/credentials/{credential_id}"


def did_web_url(did: str) -> str:
    """The https URL a ``did:web`` DID document is fetched from (the method's rule)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"{did!r} is not a did:web DID")
    host, *path = did.removeprefix("did:web:").split(":")
    location = "/".join([unquote(host), *path]) if path else f"{unquote(host)}/.well-known"
    return f"https://{location}/did.json"
