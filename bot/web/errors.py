"""Console error pages: 403, 404, 405, 422 and 500 as short Chinese pages, never JSON.

Only paths under ``/console`` get them; the admin API and the webhooks keep their JSON (or plain)
errors. A detail already written in Chinese (「没有这张工单……」) is shown as it is; any other
detail is replaced by the status's own sentence, so no English reaches a person.
"""

from __future__ import annotations

import logging
import re

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web.common import templates

log = logging.getLogger(__name__)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PAGES = {
    400: ("请求有误", "这个请求无法处理，请回到控制台重新操作。"),
    403: ("没有权限", "您的账号没有权限打开这个页面或执行这个操作。"),
    404: ("页面不存在", "没有找到这个页面，可能地址有误，或内容已经删除。"),
    405: ("无法这样打开", "这个地址不能直接打开，请从控制台的页面里操作。"),
    422: ("填写有误", "提交的内容不符合要求，没有保存。请返回上一页修改后重试。"),
    500: ("出错了", "服务器出了点问题，这次操作可能没有完成。请稍后再试；反复出现请联系管理员。"),
}


def failure(exc: Exception) -> str:
    """Why an action failed, for a banner: the exception's words when they are Chinese, else a
    plain Chinese sentence (no English reaches a person)."""
    text = str(exc).strip()
    return text if CHINESE.search(text) else "操作没有完成：数据可能刚被别人改过。请刷新页面后再试。"


def in_words(exc: Exception, default: str = "请检查填写的内容后再试。") -> str:
    """The exception's own words when they are Chinese (the models' refusals), else ``default``:
    for a banner such as 「没有保存：…」, so no English reaches a person."""
    text = str(exc).strip()
    return text if CHINESE.search(text) else default


def is_console(request: Request) -> bool:
    path = request.url.path
    return (path == "/console" or path.startswith("/console/")) and not path.startswith("/console/static/")


def error_page(request: Request, status_code: int, detail: object = None) -> Response:
    """The Chinese page for ``status_code``; ``detail`` is shown when it is a Chinese sentence."""
    heading, sentence = PAGES.get(status_code, PAGES[400 if status_code < 500 else 500])
    message = detail if isinstance(detail, str) and CHINESE.search(detail) else sentence
    return templates.TemplateResponse(
        request,
        "refused.html",
        {"heading": heading, "message": message, "code": status_code},
        status_code=status_code,
    )


async def console_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400 or not is_console(request):
        return await http_exception_handler(request, exc)  # redirects, and the API's JSON
    return error_page(request, exc.status_code, exc.detail)


async def console_server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: a Chinese page in the console, Starlette's plain 500 elsewhere."""
    if not is_console(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return error_page(request, 500)
