"""Bounded console form fields, and the one place a form that breaks a bound is answered.

The admin API answers such input with 422 and JSON; a person at the console gets the page they
came from again with one Chinese line saying which field and why (「名额」需要是整数…), the
same sentence next to that field, and nothing is written. A GET with a bad parameter gets the
422 page.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Form, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import AfterValidator

from bot.api.limits import MAX_TEXT, no_nul
from bot.web.common import back
from bot.web.errors import error_page
from models.base import MAX_INT

MAX_LINE = 200  # a title, a name, a place

Line = Annotated[str, Form(max_length=MAX_LINE), AfterValidator(no_nul)]
Text = Annotated[str, Form(max_length=MAX_TEXT), AfterValidator(no_nul)]
Whole = Annotated[int, Form(ge=0, le=MAX_INT)]
Positive = Annotated[int, Form(ge=1, le=MAX_INT)]

LABELS = {
    "title": "标题",
    "body": "正文",
    "category": "类别",
    "scope": "范围",
    "publish_at": "发布时间",
    "starts_at": "开始时间",
    "capacity": "名额",
    "kind": "类型",
    "place": "地点",
    "points": "积分",
    "name": "名称",
    "cost": "所需积分",
    "stock": "库存",
    "code": "领取码",
    "note": "备注",
    "amount": "金额",
    "month": "月份",
    "item": "项目",
    "person_id": "人员",
    "reason": "原因",
    "account": "账户",
    "building": "楼栋",
    "entry_id": "条目编号",
    "answer": "回答",
    "source": "依据",
    "questions": "问法",
    "keywords": "关键词",
    "phone": "联系电话",
    "unit": "单元",
    "room": "房号",
    "spot": "公共位置",
    "description": "情况描述",
    "channel": "来源",
}


def _sentence(error: dict[str, Any]) -> str:
    field = str(error["loc"][-1]) if error.get("loc") else ""
    label = f"「{LABELS.get(field, field)}」"
    kind, context = str(error.get("type", "")), error.get("ctx") or {}
    if kind == "missing":
        return f"{label}不能为空"
    if kind == "string_too_long":
        return f"{label}太长了（最多 {context.get('max_length')} 个字）"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{label}需要是整数"
    if kind in ("less_than_equal", "less_than"):
        return f"{label}太大了（不能超过 {context.get('le', context.get('lt'))}）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}太小了（不能小于 {context.get('ge', context.get('gt'))}）"
    if kind == "enum":
        return f"{label}不是可选的值"
    return f"{label}填写有误"


async def console_form_refused(request: Request, exc: Exception) -> Response:
    """A console form outside its bounds: back to the page it came from, with the reason."""
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith("/console"):
        return await request_validation_exception_handler(request, exc)
    page = "/console/"  # the form's page, from the Referer a browser sends; else the dashboard
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.startswith("/console") and referer.netloc in ("", request.url.netloc):
        page = referer.path
    errors = exc.errors()
    reasons = "；".join(dict.fromkeys(_sentence(error) for error in errors))
    if request.method == "GET":  # a link or a filter with a bad value: nothing to go back to
        return error_page(request, 422, f"地址里的参数有误：{reasons}。")
    fields = {str(e["loc"][-1]): _sentence(e) for e in errors if e.get("loc") and e["loc"][0] == "body"}
    return back(page, error=f"没有保存：{reasons}。", fields=fields, action=request.url.path)
