"""A rebuild that folds in worker processes stores and publishes what one folding inline does."""

from __future__ import annotations

import multiprocessing
from datetime import date
from pathlib import Path
from typing import Any

from nats.aio.client import Client

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import create_service_app
from services.certification.config import CertificationSettings
from services.certification.handlers.rebuild_evaluation import FOLDING, Folding
from shared.testing.apps import running
from shared.worker_processes import WorkerProcesses
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified
from tests.certification.test_certification_rebuild import projections
from tests.certification.upstream import TODAY


async def rebuilt(api: CertificationApi) -> dict[str, Any]:
    response = await api.post("/projections/rebuild")
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def gone(pid: int) -> bool:
    """Whether the process has exited (reaped, or a zombie waiting for its reaper)."""
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


async def test_a_rebuild_folding_in_worker_processes_gives_the_rows_and_news_of_one_inline(
    certification_settings: CertificationSettings, agency_id: str, nats_client: Client
) -> None:
    # one practitioner a job: even this small agency is folded by the workers
    settings = certification_settings.model_copy(
        update={"rebuild_workers": 2, "rebuild_fold_job_size": 1, "rebuild_workers_from": 0}
    )
    clock = SettableClock(TODAY)
    app = create_service_app(settings, clock)
    async with running(app) as client:
        api = CertificationApi(client, settings, agency_id, app, clock)
        await certified(api, nats_client, "veteran")
        await api.register("newcomer")
        in_workers = FOLDING.of(api.runtime)
        inline = Folding(WorkerProcesses(0), job_size=1)
        assert not in_workers.workers.started

        # time moves on without the clock's tick: the stored statuses are stale, and a
        # rebuild evaluating as of today publishes what the tick would have
        clock.set(date(2026, 8, 29))
        assert (await rebuilt(api))["transitions_published"] == 1
        assert in_workers.workers.started
        workers = [process.pid for process in multiprocessing.active_children()]
        assert len(workers) == 2
        assert await api.status("veteran") == "at_risk"
        FOLDING.put(api.runtime, inline)
        assert (await rebuilt(api))["transitions_published"] == 0
        at_risk = await projections(api)
        FOLDING.put(api.runtime, in_workers)
        assert (await rebuilt(api))["transitions_published"] == 0
        assert await projections(api) == at_risk

        clock.set(date(2026, 11, 27))  # 90 days at risk: the inline fold publishes the lapse
        FOLDING.put(api.runtime, inline)
        assert (await rebuilt(api))["transitions_published"] == 1
        assert await api.status("veteran") == "lapsed"
        lapsed = await projections(api)
        FOLDING.put(api.runtime, in_workers)
        assert (await rebuilt(api))["transitions_published"] == 0
        assert await projections(api) == lapsed
        assert [e["type"] for e in await api.history("veteran")][-2:] == [
            "org.miiwrap.certification.certification_at_risk.v1",
            "org.miiwrap.certification.certification_lapsed.v1",
        ]
    assert all(gone(pid) for pid in workers)  # the service stopped its workers
