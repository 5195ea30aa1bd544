"""What a resident reads after an alarm: the replies of handlers/emergency.py, kept together."""

from __future__ import annotations

TEXTS = {
    "reply": "请先保证安全！{guidance}\n社区值班电话：{phone}。{notified}",
    "notified": "已通知{names}马上联系您。",
    "not_notified": "请同时拨打值班电话，我们会尽快安排人员。",
    "push": "【紧急】{place}：{who}报告「{text}」请立即联系处置！接手请回复「接单 {code}」。",
    "push_unconfirmed": "【紧急·待核实】{place}：{who}说「{text}」，可能有危险，请马上电话核实！接手请回复「接单 {code}」。",
    "logged": "（紧急求助单 {code}，我们会跟进到底。）",
    "again": "这件事已记入您的紧急求助 {code}（{place}）：{status}。{guidance}\n值班电话：{phone}。",
    "joined": "邻居刚才也报告了这件事，已记入紧急求助 {code}（{place}）：{status}，您说的也已转告。{guidance}\n值班电话：{phone}。",
    "status_waiting": "已通知{names}，正在等人接手",
    "status_taken": "{name}已接手处理",
    "danger_in_note": (
        "您的话里提到「{what}」。如果这是现在发生的新情况，请单独发一条说明，例如「3栋2单元有人摔倒了」，"
        "我们马上通知值班人员；紧急时请直接拨打 120/119/110，值班电话 {phone}。"
    ),
    "push_said": "【紧急·补充】{code}：报告人补充「{text}」",
    "push_witness": "【紧急·补充】{code}：{who}也报告「{text}」。",
    "urgent_reply": (
        "收到。请问现在有人受伤、被困，或者有火、烟、煤气味吗？"
        "有危险请马上拨打 119/120/110，或社区值班电话 {phone}。"
        "我们已请{names}马上跟您联系核实。{logged}"
    ),
    "ask_phone": "请留一个能马上联系到您的电话，方便救援人员联系您。",
    "ask_place": "请告诉我具体在哪里，例如「3栋2单元502」或「5栋电梯」。",
    "ask_unit": "请告诉我在{building}几单元几楼，说不清可以回复「不清楚」。",
    "details_sent": "已把位置转告处置人员，请保持电话畅通。",
    "place_alerted": "已把位置转告处置人员，并通知了{names}，请保持电话畅通。",
    "push_phone": "【紧急·补充】{code}：报告人电话 {phone}，请马上回拨。",
    "push_place": "【紧急·补充】{code}：位置 {place}。",
    "phone_coming": "（还没留电话，正在询问，稍后补发）",
    "phone_sent": "已把您的电话转告处置人员，请保持电话畅通。",
    "stood_down": "好的，没有危险就好。已告诉值班人员不用赶来了；如果情况有变，请马上告诉我或拨打 {phone}。",
    "confirmed": "明白，已通知值班人员按紧急情况马上处置。{guidance}",
    "push_stood_down": "【解除】{code}（{place}）：居民说明没有危险：「{answer}」。不用再赶往现场。",
    "push_confirmed": "【紧急·已确认】{code}（{place}）：居民确认有危险：「{answer}」请立即处置！",
}
