"""Onboarding an agency onto the running system, without editing code or restarting NATS.

`miiwrap agency create` runs these steps against the services' public APIs and the local
NATS configuration:

1. certification `POST /agencies` as a platform operator: the agency record and its
   first admin;
2. a bearer token for that first admin (signed with the local secret);
3. learning `POST /xapi-credentials` as that admin: the agency's LMS credential (on a
   repeat the credential exists, and its secret is rotated so the one printed works);
4. the agency's app NATS user: the agency joins `.data/agencies.json`, the secured NATS
   configuration is regenerated from that list, and the running nats-server reloads it
   (SIGHUP) — connections and streams stay.

Each step is idempotent, so running the command again is safe.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.auth import Role, issue_token
from shared.config import ServiceSettings
from shared.nats_auth import agency_inbox_prefix
from system.local_data import add_local_agency, nats_passwords
from system.nats_config import NatsNotRunning, reload_nats_server, write_local_config

PLATFORM_AGENCY = "platform"  # the agency claim of a platform operator's own token
OPERATOR_SUBJECT = "miiwrap-cli"


class OnboardingFailed(RuntimeError):
    """A step was refused; the message says which and why."""


@dataclass(frozen=True)
class AgencyRequest:
    agency_id: str
    name: str
    url: str | None = None
    first_admin_id: str = "admin"


@dataclass(frozen=True)
class NatsAppUser:
    user: str
    password: str
    inbox_prefix: str
    subjects: str
    reloaded: bool  # False: no running nats-server was found to reload


@dataclass(frozen=True)
class OnboardedAgency:
    agency_id: str
    name: str
    created: bool  # False: the agency existed already (a repeat)
    admin_subject: str
    admin_token: str
    lms_key: str
    lms_secret: str
    nats: NatsAppUser


def bearer_headers(
    signer: ServiceSettings, subject: str, agency_id: str, role: Role
) -> dict[str, str]:
    token = issue_token(signer, subject=subject, agency_id=agency_id, roles=[role.value])
    return {"Authorization": f"Bearer {token}"}


async def register_agency(
    certification: httpx.AsyncClient, signer: ServiceSettings, request: AgencyRequest
) -> bool:
    """The agency record on certification; True if this call created it."""
    operator = bearer_headers(signer, OPERATOR_SUBJECT, PLATFORM_AGENCY, Role.PLATFORM_OPERATOR)
    body = {
        "agency_id": request.agency_id,
        "name": request.name,
        "url": request.url,
        "first_admin_id": request.first_admin_id,
    }
    response = await certification.post("/agencies", json=body, headers=operator)
    if response.status_code not in (200, 201):
        raise OnboardingFailed(f"certification refused the agency: {_problem(response)}")
    return response.status_code == 201


def lms_key_for(agency_id: str) -> str:
    """The agency's LMS credential key (at most 64 characters, as keys are)."""
    return f"{agency_id[:60]}-lms"


async def issue_lms_credential(
    learning: httpx.AsyncClient, admin: dict[str, str], request: AgencyRequest
) -> tuple[str, str]:
    """(key, secret) of the agency's LMS credential; a repeat rotates its secret."""
    key = lms_key_for(request.agency_id)
    body = {"partner_name": f"{request.name} LMS", "key": key}
    response = await learning.post("/xapi-credentials", json=body, headers=admin)
    if response.status_code == 409:  # issued by an earlier run: a fresh secret
        response = await learning.post(f"/xapi-credentials/{key}/rotate", headers=admin)
    if response.status_code not in (200, 201):
        raise OnboardingFailed(f"learning refused the LMS credential: {_problem(response)}")
    issued = response.json()
    return str(issued["key"]), str(issued["secret"])


def grant_nats_app_user(
    data_dir: Path, request: AgencyRequest, pid_file: Path, subject_root: str = "miiwrap"
) -> NatsAppUser:
    """Add the agency's app user to the secured NATS configuration and reload the server."""
    add_local_agency(data_dir, request.agency_id, request.name, request.url)
    write_local_config(data_dir)
    try:
        reload_nats_server(pid_file)
        reloaded = True
    except NatsNotRunning:
        reloaded = False  # the next `make run-secure` starts with the new configuration
    user = f"app-{request.agency_id}"
    return NatsAppUser(
        user=user,
        password=nats_passwords(data_dir)[user],
        inbox_prefix=agency_inbox_prefix(request.agency_id),
        subjects=f"{subject_root}.certification.{request.agency_id}.>",
        reloaded=reloaded,
    )


async def onboard_agency(
    request: AgencyRequest,
    *,
    certification: httpx.AsyncClient,
    learning: httpx.AsyncClient,
    signer: ServiceSettings,
    data_dir: Path,
    nats_pid_file: Path,
) -> OnboardedAgency:
    """Every step, in order; a refused step stops here with `OnboardingFailed`."""
    created = await register_agency(certification, signer, request)
    admin = bearer_headers(signer, request.first_admin_id, request.agency_id, Role.ADMIN)
    lms_key, lms_secret = await issue_lms_credential(learning, admin, request)
    nats = await asyncio.to_thread(grant_nats_app_user, data_dir, request, nats_pid_file)
    return OnboardedAgency(
        agency_id=request.agency_id,
        name=request.name,
        created=created,
        admin_subject=request.first_admin_id,
        admin_token=admin["Authorization"].removeprefix("Bearer "),
        lms_key=lms_key,
        lms_secret=lms_secret,
        nats=nats,
    )


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"
    if isinstance(body, dict) and "detail" in body:
        return f"{response.status_code} {body.get('title', '')}: {body['detail']}"
    return f"{response.status_code} {body}"


async def onboard_agency_locally(request: AgencyRequest, data_dir: Path) -> OnboardedAgency:
    """`onboard_agency` against `make run`: the services on their local ports, tokens
    signed with `.data/`'s secret, the nats-server `make run-secure` started."""
    from system.local_data import local_settings
    from system.topology import SERVICE_PORTS

    def client(service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{SERVICE_PORTS[service]}", timeout=30.0
        )

    try:
        async with client("certification") as certification, client("learning") as learning:
            return await onboard_agency(
                request,
                certification=certification,
                learning=learning,
                signer=local_settings(data_dir),
                data_dir=data_dir,
                nats_pid_file=data_dir / "nats" / "nats-server.pid",
            )
    except httpx.TransportError as error:
        raise OnboardingFailed(
            f"the services are not reachable ({error}); start them with `make run-secure`"
        ) from error
