"""``hgj qrcodes``: a poster per spot whose QR code is the one WeChat issued for that spot.

WeChat's QR-code API is the local fake (tests/support/fake_wechat.py); every PNG is decoded with
zxing-cpp and must read back the url the fake issued for that spot's scene; so must every page of the PDF.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot import qrcodes as posters
from bot.cli import app
from bot.cli_common import set_now
from tests.support.fake_wechat import FakeWeChat

WIDE = {"COLUMNS": "300"}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    yield CliRunner()
    set_now(None)


@pytest.fixture
def config(tmp_path: Path, engine: Engine, demo: None, fake_wechat: FakeWeChat) -> Path:
    if engine.dialect.name != "sqlite":
        pytest.skip("the CLI test uses the SQLite file")
    path = tmp_path / "c.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{engine.url.database}"\n'
        f'[wechat]\napp_id = "wx5823bf96d3bd56c7"\napp_secret = "test-secret"\napi_base_url = "{fake_wechat.mp_base}"\n',
        encoding="utf-8",
    )
    return path


def _decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


_PDF_IMAGE = re.compile(
    rb"/DecodeParms <</Predictor 15 /Colors 3 /Columns (\d+) /BitsPerComponent 8>>\s*/Filter /FlateDecode"
    rb"\s*/Height (\d+)\s*/Length (\d+)\s*/Subtype /Image.*?stream\n",
    re.S,
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _pdf_images(pdf: bytes) -> list[Image.Image]:
    """The RGB images fpdf2 embedded: a PNG-predicted Flate stream is a PNG's IDAT, so each is
    wrapped back into a PNG for Pillow (no PDF renderer needed)."""
    images = []
    for match in _PDF_IMAGE.finditer(pdf):
        width, height, length = (int(group) for group in match.groups())
        data = pdf[match.end() : match.end() + length]
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
        images.append(Image.open(io.BytesIO(png)))
    return images


def test_each_poster_decodes_to_the_code_wechat_issued_for_its_spot(
    cli: CliRunner, config: Path, tmp_path: Path, fake_wechat: FakeWeChat
) -> None:
    out = tmp_path / "posters"
    result = cli.invoke(app, ["qrcodes", "-c", str(config), "-o", str(out), "--kind", "lift"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "已生成 8 张海报" in result.output
    assert sorted(fake_wechat.qrcodes) == sorted(f"spot:{b}-{u}-lift" for b in "1235" for u in "12")
    for scene, url in fake_wechat.qrcodes.items():
        png = out / f"{scene.removeprefix('spot:')}.png"
        assert _decoded(Image.open(png)) == [url]
    pdf = (out / "posters.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 8
    in_pdf = sorted(text for image in _pdf_images(pdf) for text in _decoded(image))
    assert in_pdf == sorted(fake_wechat.qrcodes.values())  # every page's code, each once


def test_filters_by_building_and_a_second_run_gets_the_same_codes(
    cli: CliRunner, config: Path, tmp_path: Path, fake_wechat: FakeWeChat
) -> None:
    first = cli.invoke(app, ["qrcodes", "-c", str(config), "-o", str(tmp_path / "a"), "-b", "3"], env=WIDE)
    assert first.exit_code == 0, first.output
    issued = dict(fake_wechat.qrcodes)
    assert set(issued) == {"spot:3-1-lift", "spot:3-2-lift", "spot:bin-3"}
    again = cli.invoke(app, ["qrcodes", "-c", str(config), "-o", str(tmp_path / "b"), "-b", "3"], env=WIDE)
    assert again.exit_code == 0 and fake_wechat.qrcodes == issued
    assert _decoded(Image.open(tmp_path / "b" / "bin-3.png")) == [issued["spot:bin-3"]]


def test_the_poster_names_the_place_in_chinese() -> None:
    font = posters.find_font()
    if font is None:
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-wqy-microhei)")
    from models.spots import Spot

    spot = Spot(community_id=1, code="3-2-lift", name="3栋2单元电梯")
    code = posters.SpotCode(spot=spot, ticket="T", url="http://weixin.qq.com/q/abc")
    with_name = posters.poster(code, font=font)
    other = posters.poster(
        posters.SpotCode(spot=Spot(community_id=1, code="x", name="小区东门"), ticket="T", url=code.url),
        font=font,
    )
    band = (0, 1240, 1240, 1400)  # where the name is printed, below the code
    assert with_name.crop(band).tobytes() != other.crop(band).tobytes()  # the name is drawn, not fixed
    unnamed = posters.poster(
        posters.SpotCode(spot=Spot(community_id=1, code="y", name=""), ticket="T", url=code.url), font=font
    )
    assert unnamed.convert("L").crop(band).getextrema() == (255, 255)  # nothing there without a name
    assert with_name.convert("L").crop(band).getextrema()[0] < 128  # dark strokes: the name
    assert _decoded(with_name) == [code.url]


def test_without_spots_or_credentials_it_says_what_to_do(
    cli: CliRunner, config: Path, tmp_path: Path
) -> None:
    none = cli.invoke(app, ["qrcodes", "-c", str(config), "-b", "99"], env=WIDE)
    assert none.exit_code == 2 and "没有找到要生成二维码的地点" in none.output
    bad = cli.invoke(app, ["qrcodes", "-c", str(config), "--kind", "fountain"], env=WIDE)
    assert bad.exit_code == 2 and "没有「fountain」这一类地点" in bad.output
