"""Long operations (broadcasts, imports): their progress and outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from bot.api.deps import AdminDep, ReadSessionDep
from bot.api.limits import RowId
from models.operations import Operation

router = APIRouter(tags=["operations"])


class OperationPublic(BaseModel):
    id: int
    kind: str
    status: str
    total: int
    done: int
    progress: float | None
    detail: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


@router.get("/operations/{operation_id}")
def get_operation(operation_id: RowId, session: ReadSessionDep, _admin: AdminDep) -> OperationPublic:
    operation = session.get(Operation, operation_id)
    if operation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"operation {operation_id} not found")
    progress = operation.done / operation.total if operation.total else None
    return OperationPublic.model_validate({**operation.model_dump(), "progress": progress})
