"""Interactive API docs served from the service itself, never from a CDN.

Agencies run the services on closed networks, so `/docs` loads Swagger UI's script,
stylesheet and icon from `/static/swagger/` (vendored from the `swagger-ui-dist` npm
package, licence beside them) instead of FastAPI's default jsDelivr URLs. ReDoc is off:
its bundle would be one more vendored asset for the same document.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_ASSETS = Path(__file__).parent / "static" / "swagger"
STATIC_PREFIX = "/static/swagger"
DOCS_PATH = "/docs"


def install_local_docs(app: FastAPI) -> None:
    """Serve Swagger UI at `/docs` with assets from this process (app made with docs_url=None)."""
    app.mount(STATIC_PREFIX, StaticFiles(directory=SWAGGER_ASSETS), name="swagger-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # behind a proxy with a path prefix, every URL of the page keeps that prefix
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} — API docs",
            swagger_js_url=f"{root}{STATIC_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_PREFIX}/favicon-32x32.png",
            # no call to the public validator service (validator.swagger.io) either
            swagger_ui_parameters={"validatorUrl": None},
        )
