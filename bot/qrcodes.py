"""码上办 posters: a permanent parametric QR code per spot, from the Official Account's QR-code API,
drawn on a printable poster with the place's name and a one-line instruction.

WeChat's ``POST /cgi-bin/qrcode/create`` (``QR_LIMIT_STR_SCENE``, scene ``spot:<code>``) answers
a ticket and the ``url`` the QR code must encode; scanning it sends our webhook a ``SCAN`` event
(or ``subscribe`` with ``qrscene_spot:<code>`` from someone not yet following) naming the spot.
Permanent codes never expire, so asking again for the same scene returns the same code.

The poster is a PNG (Pillow; a CJK font if the machine has one — Debian's fonts-wqy-microhei —
else Pillow's built-in font, and the place's name is then left to the PDF); all posters are also
put in one PDF, a page each, for printing.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import httpx
import segno
from PIL import Image, ImageDraw, ImageFont

from bot.outbound.channels import post_json
from bot.outbound.errors import TokenRejected
from bot.outbound.tokens import MpApp, TokenCache
from models.spots import Spot

log = logging.getLogger(__name__)

CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
INSTRUCTION = "微信扫码报修，地点自动填好"
TITLE = "码上办"
WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
QR_SIDE = 900


@dataclass(frozen=True)
class SpotCode:
    spot: Spot
    ticket: str
    url: str  # what the QR code encodes (WeChat's short link)


def create_code(client: httpx.Client, tokens: TokenCache, app: MpApp, scene: str) -> tuple[str, str]:
    """(ticket, url) of the permanent QR code with ``scene`` (one token refresh if refused)."""
    body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
    token = tokens.get(app)
    for attempt in (1, 2):
        url = f"{app.base_url}/cgi-bin/qrcode/create?access_token={token}"
        try:
            answer = post_json(client, url, body, key=f"qrcode:{scene}", what="qrcode/create")
            break
        except TokenRejected:
            if attempt == 2:
                raise
            token = tokens.replace(app, rejected=token)
    ticket, link = answer.get("ticket"), answer.get("url")
    if not isinstance(ticket, str) or not isinstance(link, str) or not link:
        raise ValueError(f"qrcode/create: no ticket or url in the answer for {scene}")
    return ticket, link


def find_font() -> Path | None:
    return next((path for path in CJK_FONTS if path.is_file()), None)


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is None:
        return ImageFont.load_default()
    return ImageFont.truetype(str(path), size)


def _centred(
    draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont
) -> None:
    left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2, y), text, fill="black", font=font)


def poster(code: SpotCode, *, font: Path | None) -> Image.Image:
    """One A4 poster: 「码上办」, the QR code of ``code.url``, the place's name, the instruction."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    qr = segno.make(code.url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    picture = Image.open(buffer).convert("RGB").resize((QR_SIDE, QR_SIDE), Image.Resampling.NEAREST)
    image.paste(picture, ((WIDTH - QR_SIDE) // 2, 300))
    if font is None:  # no CJK font: Chinese would come out as boxes; the code alone still works
        _centred(draw, 1300, code.spot.code, _font(None, 40))
        return image
    _centred(draw, 120, TITLE, _font(font, 110))
    _centred(draw, 1260, code.spot.name, _font(font, 90))
    _centred(draw, 1420, INSTRUCTION, _font(font, 56))
    return image


def write_posters(codes: list[SpotCode], directory: Path, *, font: Path | None) -> tuple[list[Path], Path]:
    """A PNG per spot (``<code>.png``) and ``posters.pdf`` with all of them; their paths."""
    from fpdf import FPDF

    directory.mkdir(parents=True, exist_ok=True)
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pngs = []
    for code in codes:
        image = poster(code, font=font)
        path = directory / f"{code.spot.code}.png"
        image.save(path, format="PNG")
        pngs.append(path)
        pdf.add_page()
        pdf.image(str(path), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf_path = directory / "posters.pdf"
    pdf.output(str(pdf_path))
    return pngs, pdf_path
