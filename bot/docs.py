"""/docs (Swagger UI) and /redoc (ReDoc) served with their assets from this machine, not a CDN.

Community offices' intranets have no internet, and FastAPI's own pages load their JavaScript
and CSS from a CDN. The ``fastapi-offline`` package ships swagger-ui's dist files
(Apache-2.0), ReDoc's standalone bundle (MIT) and a favicon; they are mounted under
``/docs/static`` and the pages are built with FastAPI's documented helpers
(``get_swagger_ui_html`` / ``get_redoc_html``). The app is created with ``docs_url=None`` and
``redoc_url=None`` so FastAPI's CDN pages are not registered too.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

TITLE = "红管家 管理接口"
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs/static"
# No badge from the public online validator: it would be a request to the internet.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def mount_docs(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and their static assets to ``app``."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-static")

    def urls(request: Request) -> tuple[str, str]:
        """The OpenAPI document's and the assets' URLs, behind a proxy's root path too."""
        root = request.scope.get("root_path", "").rstrip("/")
        return f"{root}{app.openapi_url}", f"{root}{ASSETS_URL}"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        openapi_url, assets = urls(request)
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=TITLE,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        openapi_url, assets = urls(request)
        return get_redoc_html(
            openapi_url=openapi_url,
            title=TITLE,
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )
