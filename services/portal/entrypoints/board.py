"""Page 1, the agency board: who needs attention, and how the agency stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.portal.domain import board
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, PageFor, render, today
from services.portal.handlers.board import load_board

router = APIRouter(tags=["board"])
BoardViewer = Annotated[Viewer, Depends(PageFor("board"))]


def board_filter(
    team: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query()] = None,
    level: Annotated[str | None, Query()] = None,
) -> board.BoardFilter:
    return board.BoardFilter(team=team or None, status=status or None, level=level or None)


Filter = Annotated[board.BoardFilter, Depends(board_filter)]


@router.get("/board")
async def agency_board(
    request: Request, viewer: BoardViewer, apis: ApisDep, where: Filter
) -> Response:
    day = today()
    rows = await load_board(apis, day)
    shown = board.apply(rows, where)
    context = {
        "rows": shown,
        "all_count": len(rows),
        "counts": board.counts(rows, day),
        "teams": board.teams(rows),
        "levels": board.levels(rows),
        "statuses": board.STATUSES,
        "where": where,
        "query": str(request.url.query),
    }
    partial = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "board-results"
    )
    return render(request, "_board_results.html" if partial else "board.html", context)


@router.get("/board.csv")
async def board_csv(viewer: BoardViewer, apis: ApisDep, where: Filter) -> Response:
    rows = board.apply(await load_board(apis, today()), where)
    return Response(
        board.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="board-{today()}.csv"'},
    )
