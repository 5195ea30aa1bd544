"""Reading an uploaded CSV (the room register, the ledger) without trusting it.

Excel on Chinese Windows saves GB18030, others save UTF-8 or UTF-16 with a BOM; anything else,
or a file with NUL characters (often UTF-16 without its BOM), is refused with a sentence
saying how to save it. A line the csv module cannot read (a 200 KB cell, a stray quote) ends
the reading with a problem naming the line, like any other bad line.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
SAVE_AS = "请用 Excel「另存为」CSV UTF-8 格式后再上传"


class CsvEncodingError(ValueError):
    """The bytes are not a text file this service can read; ``problems`` says so, as an import's do."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problems = [problem]


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, else GB18030 as Excel saves it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise CsvEncodingError(f"文件里有空字符（NUL），不是普通的文本文件：{SAVE_AS}")
        return text
    raise CsvEncodingError(f"文件编码无法识别（应为 UTF-8、UTF-16 或 GB18030）：{SAVE_AS}")


def readable(rows: Iterator[T], line: object, problems: list[str]) -> Iterator[T]:
    """``rows`` of a csv reader until one cannot be read; that one becomes a problem of its line.

    ``line`` is the reader itself (its ``line_num`` names the line).
    """
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            number = getattr(line, "line_num", 0)
            problems.append(f"第{number}行：无法按 CSV 读取，请检查引号和格式（{exc}）")
            return
        yield row
