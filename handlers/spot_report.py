"""码上办: a report started where the problem is. Scanning a spot's QR code (a ``SCAN`` event, or
``subscribe`` with its scene from someone not yet following) opens a repair with the place
filled in; a location message fills the open report's place, or starts one at the nearest
known place. What the resident says next goes through the policy as any answer does (an
emergency still interrupts).
"""

from __future__ import annotations

from bot import policy
from bot.context import Context
from bot.forms import pause_form
from bot.replies import Reply, Text
from bot.router import Router
from handlers.located import location_place
from handlers.repair import start_repair_at
from models.spots import KIND_CATEGORY, place_of, spot_by_scene

router = Router("spot_report")

TEXTS = {
    "scanned": "您在「{place}」扫码报修。",
    "located": "收到您的位置：{place}。",
    "located_far": "收到您的位置：{label}（附近没有登记的楼栋或设施，维修人员会按定位找过去）。",
    "no_location": "收到您的位置，但没有读到经纬度。如需报修，请直接说在哪里、什么问题。",
    "unknown_code": "这个二维码没有登记对应的地点，请直接告诉我在哪里、什么问题。",
}


def _scene(ctx: Context) -> str:
    return ctx.message.event_key.removeprefix("qrscene_").strip()


def scanned_spot_report(ctx: Context) -> list[Reply] | None:
    """The report a QR code's scene opens, or None when the scene is not one of our spots."""
    spot = spot_by_scene(ctx.session, _scene(ctx))
    if spot is None:
        return None
    if policy.scan_puts_aside(ctx.state.form):
        pause_form(ctx)  # offered back by the dispatcher's 「继续」 as any form put aside
    initial = {"place": place_of(ctx.session, spot).as_slot()}
    category = KIND_CATEGORY.get(spot.kind)
    if category:
        initial["category"] = category
    head = Text(TEXTS["scanned"].format(place=spot.name))
    return [head, *start_repair_at(ctx, initial)]


@router.event("scan")
def on_scan(ctx: Context) -> list[Reply]:
    """Someone already following scans a spot's code."""
    if not _scene(ctx).startswith("spot:"):
        return []
    return scanned_spot_report(ctx) or [Text(TEXTS["unknown_code"])]


@router.kind("location")
def on_location(ctx: Context) -> list[Reply]:
    """A location with no report open starts one there (an open repair takes it as its place)."""
    place = location_place(ctx)
    if place is None:
        return [Text(TEXTS["no_location"])]
    said = (
        TEXTS["located"].format(place=place.label)
        if place.spot_id or place.building_id
        else TEXTS["located_far"].format(label=place.label)
    )
    if policy.scan_puts_aside(ctx.state.form):  # an open form other than a repair (that one takes it)
        pause_form(ctx)
    return [Text(said), *start_repair_at(ctx, {"place": place.as_slot()})]
