"""The place a WeChat location message names (码上办): the nearest known spot or building, else
WeChat's own label of the point, always with the coordinates the resident sent."""

from __future__ import annotations

import re

from bot.context import Context
from bot.message import clean_text
from models.spots import Place, nearest_place

_NUMBER = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,12})?")


def _coordinates(ctx: Context) -> tuple[float, float] | None:
    extra = ctx.message.extra
    lat, lon = str(extra.get("Location_X", "")).strip(), str(extra.get("Location_Y", "")).strip()
    if not (_NUMBER.fullmatch(lat) and _NUMBER.fullmatch(lon)):
        return None
    latitude, longitude = float(lat), float(lon)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def location_place(ctx: Context) -> Place | None:
    """The place a location message names: the nearest known spot or building, else WeChat's own
    label of the point (an address), always with the coordinates."""
    found = _coordinates(ctx)
    if found is None:
        return None
    latitude, longitude = found
    near = nearest_place(ctx.session, latitude=latitude, longitude=longitude)
    if near is not None:
        return near
    label = (
        clean_text(str(ctx.message.extra.get("Label", "")))[:40] or f"定位（{latitude:.5f}，{longitude:.5f}）"
    )
    return Place(building_id=None, spot=label, label=label, latitude=latitude, longitude=longitude)
