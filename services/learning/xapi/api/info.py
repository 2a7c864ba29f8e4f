"""The About, Activities and Agents resources (Communication §2.8, §2.5, §2.4)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from ..adapters.activity_store import canonical_definitions
from ..agents import IFI_KINDS
from ..errors import RequestInvalid
from ..formats import is_iri
from .protocol import SUPPORTED_VERSIONS, agent_parameter, check_parameters
from .serving import XapiCall


async def get_about(call: XapiCall) -> Response:
    """The versions this LRS speaks; served without credentials or a version header."""
    check_parameters(call.request, frozenset())
    return JSONResponse({"version": list(SUPPORTED_VERSIONS)})


async def get_activity(call: XapiCall) -> Response:
    """The canonical Activity: its id and the definition kept from the Statements received."""
    params = check_parameters(call.request, frozenset({"activityId"}), frozenset({"activityId"}))
    activity_id = params["activityId"]
    if not is_iri(activity_id):
        raise RequestInvalid(f"activityId {activity_id!r} is not an absolute IRI")
    async with call.lrs.pool.acquire() as conn:
        definitions = await canonical_definitions(conn, call.agency_id, [activity_id])
    activity: dict[str, object] = {"objectType": "Activity", "id": activity_id}
    if activity_id in definitions:
        activity["definition"] = definitions[activity_id]
    return JSONResponse(activity)


async def get_person(call: XapiCall) -> Response:
    """A Person object for the Agent: what the request says of it (§2.4.s3.b3)."""
    params = check_parameters(call.request, frozenset({"agent"}), frozenset({"agent"}))
    agent = agent_parameter(params["agent"])
    person: dict[str, object] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for kind in IFI_KINDS:
        if kind in agent:
            person[kind] = [agent[kind]]
    return JSONResponse(person)
