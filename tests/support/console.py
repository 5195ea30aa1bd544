"""Log in to the web console as a browser does: read the login form's CSRF token, post the API token,
then keep the session cookie and the session's CSRF token (sent as ``X-CSRF-Token`` on every request)."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from httpx import Response

CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]*)">')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_INPUT.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def post_login(client: TestClient, token: str) -> Response:
    """Open the login page and submit ``token`` with the form's CSRF token."""
    found = CSRF_INPUT.search(client.get("/console/login").text)
    data = {"token": token} | ({"csrf_token": found.group(1)} if found else {})
    return client.post("/console/login", data=data, follow_redirects=False)


def console_login(client: TestClient, token: str) -> str:
    """Log in and return the session's CSRF token, which the client then sends with every request."""
    response = post_login(client, token)
    assert response.status_code == 303 and response.headers["location"] == "/console/", response.text
    assert response.cookies.get("hgj_console")
    csrf = csrf_of(client.get("/console/").text)
    client.headers["X-CSRF-Token"] = csrf
    return csrf


CONFIRM_FORM = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirm(client: TestClient, asked: Response) -> Response:
    """Press 「确认」 on a confirmation page (``bot.web.confirm``): post its form as it stands."""
    assert 'id="confirm"' in asked.text, asked.text[:2000]
    found = next(m for m in CONFIRM_FORM.finditer(asked.text) if 'name="confirmed"' in m.group(2))
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(found.group(2))}
    return client.post(found.group(1), data=fields)
