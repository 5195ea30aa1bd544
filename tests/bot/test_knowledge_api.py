"""The knowledge base over the API: preview, edit (the chat answers from the edit at once), residents CSV."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from tests.support.wechat import WeChatSim


def test_edit_an_entry_and_the_bot_answers_from_it(
    wechat: WeChatSim, settings: Settings, admin_headers: dict[str, str], tmp_path: Path, demo: None
) -> None:
    client = wechat.client
    refused = client.put(
        "/api/v1/knowledge/mfd-942", json={"title": "t", "answer": "a", "source": "s"}, headers=admin_headers
    )
    assert refused.status_code == 409 and "[knowledge] path" in refused.json()["detail"]
    settings.knowledge.path = str(tmp_path / "kb")
    entry = {
        "id": "hgj-locker",
        "title": "快递柜在哪里",
        "questions": ["快递柜在什么位置", "丰巢柜在哪"],
        "answer": "快递柜在小区东门保安亭旁边。",
        "source": "阳光里社区物业告知",
    }
    assert client.post("/api/v1/knowledge", json=entry, headers=admin_headers).status_code == 201
    preview = client.post(
        "/api/v1/knowledge/preview", json={"question": "丰巢快递柜在哪"}, headers=admin_headers
    )
    assert preview.json()["entry_id"] == "hgj-locker" and preview.json()["confident"]
    assert "东门保安亭" in wechat.send("demo-resident-wang", "请问丰巢快递柜在哪里")
    broken = client.put("/api/v1/knowledge-files/extra.toml", content=b"[[entry]\n", headers=admin_headers)
    assert broken.status_code == 422 and "已放弃修改" in broken.json()["detail"]


def test_residents_csv_reports_bad_lines(
    wechat: WeChatSim, admin_headers: dict[str, str], demo: None
) -> None:
    bad = "楼栋,单元,房号,面积,姓名,电话\n3,2,502,96,王秀兰,\n8,1,101,80,,\n".encode("gb18030")
    response = wechat.client.post("/api/v1/residents/import", content=bad, headers=admin_headers)
    assert response.status_code == 422 and response.json()["detail"]["problems"] == ["第3行：楼栋「8」不存在"]
    assert wechat.client.get("/api/v1/residents", headers=admin_headers).json()["total"] == 0
