"""Bounds every admin API input shares, so that no request reaches the database with a value it
cannot hold (which was a 500) or should not hold (megabytes of text).

FastAPI answers a value outside them with 422 and the field's location, as for any other
validation error. The types document themselves in the OpenAPI schema (minimum, maximum,
maxLength), so clients and the fuzzer (tests/fuzz) know them too.

- ``RowId``: an id in a path, query or body: 1 .. ``MAX_INT`` (ids are INTEGER columns).
- ``Count``: a stock, capacity or amount: 0 .. ``MAX_INT``.
- ``Key``: a short string in a path or query: at most 100 characters, no NUL.
- ``Input``: the base of every request body. Its strings are at most ``MAX_TEXT`` characters
  unless the field says otherwise, and no string anywhere in it (lists and objects included)
  may contain NUL, which PostgreSQL refuses in text and JSON. Its integers fit ``MAX_INT``
  unless the field says otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints, field_validator

from models.base import MAX_INT

MAX_TEXT = 2000  # as much as a resident may type in one message
MAX_KEY = 100
# The times the service plans with: far enough either way for any notice, vote or activity, and
# never so far that converting them to UTC (or adding a reminder) leaves datetime's range.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def no_nul(value: Any) -> Any:
    """``value`` unless a string in it contains NUL (PostgreSQL stores no NUL in text or JSON)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL (\\u0000) characters")
    elif isinstance(value, list | tuple | set):
        for item in value:
            no_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            no_nul(key)
            no_nul(item)
    return value


def _in_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}")
    return moment


RowId = Annotated[int, Interval(ge=1, le=MAX_INT)]
Count = Annotated[int, Interval(ge=0, le=MAX_INT)]
Key = Annotated[str, StringConstraints(max_length=MAX_KEY), AfterValidator(no_nul)]
When = Annotated[AwareDatetime, AfterValidator(_in_range)]


class Input(BaseModel):
    """Base of request bodies: bounded strings without NUL and integers that fit a column."""

    model_config = ConfigDict(str_max_length=MAX_TEXT)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and not -MAX_INT <= value <= MAX_INT:
            raise ValueError(f"must be between {-MAX_INT} and {MAX_INT}")
        return no_nul(value)
