"""Every ticket action in words, in one table: what someone types in chat to do it, its short
name (the personal-data export, lists) and the phrase of the timeline (「转派给 李师傅」).

Chat commands build their patterns from ``typed`` and ``after`` (:func:`typed_words`,
:func:`said_after`); ``models.ticket_story``
tells the timeline with ``story``; nothing else keeps its own list of these words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionWords:
    name: str  # 转单
    story: str  # 转派给 {target}: what the actor did; {target} is who it went to, {rung} a level
    typed: tuple[str, ...] = ()  # 转单 / 转给 / 转派: the words that do it in chat, before the number
    after: tuple[str, ...] = ()  # 修好了: the words that do it after the number (「R1032修好了」)
    alone: tuple[str, ...] = ()  # 我到了: with no number, about the one piece of work one holds


def _spaced(words: str) -> tuple[str, ...]:
    return tuple(words.split())


ACTIONS: dict[str, ActionWords] = {
    "submit": ActionWords("提交", "提交"),
    "intake": ActionWords("代登记", "代居民登记"),
    "dispatch": ActionWords(
        "派单", "派单给 {target}", ("派单", "派给", "指派"), ("派给", "交给", "分给", "派")
    ),
    "grab": ActionWords("抢单", "抢单", ("抢单",)),
    "accept": ActionWords(
        "接单",
        "接单",
        ("接单", "接", "这单我接了", "这单我接", "我接了", "我来接", "我来处理"),
        _spaced(
            "我接了 我来接 我接 接了 我来处理 我去处理 我去看看 我过去看看 我过去 我马上到 马上到 我马上过去 马上过去 我这就去 这就去 收到马上到 收到我去"
        ),
    ),
    "start": ActionWords(
        "开始处理",
        "开始处理",
        ("开始处理", "开始", "到场"),
        alone=_spaced("我到了 已经到了 刚到 到现场 到场了 在现场 正在修 在修了 开始修 正在处理"),
    ),
    "transfer": ActionWords("转单", "转派给 {target}", ("转单", "转给", "转派")),
    "return": ActionWords("退单", "退单", ("退单", "退回")),
    "resolve": ActionWords(
        "完成",
        "处理完成",
        ("完成", "已完成", "修好"),
        ("修好了", "弄好了", "搞定了", "处理好了", "处理完了", "完成了", "修完了", "已修好"),
        alone=_spaced(
            "修好了 弄好了 搞定了 处理好了 处理完了 修完了 已修好 换好了 已处理 灭了 没事了 解决了 虚惊一场 误报"
        ),
    ),
    "close": ActionWords("结单", "结单"),
    "note": ActionWords(
        "现场记录",
        "记录处理情况",
        alone=_spaced(
            "聊过了 谈过了 沟通过了 劝过了 说过了 讲过了 调解过了 协调过了 敲门 上门 看过了 去看了 他们说 对方说 答应"
        ),
    ),
    "auto_close": ActionWords("自动结单", "自动结单"),
    "cancel": ActionWords("取消", "取消工单", ("取消", "撤销", "撤回")),
    "reopen": ActionWords("返修", "反馈没修好，重新打开"),
    "urge": ActionWords("催单", "催单", ("催单", "催一下", "催催", "催办")),
    "rate": ActionWords("评价", "评价"),
    "confirm_fixed": ActionWords("确认已解决", "确认问题已解决"),
    "followup": ActionWords("回访", "回访：问题解决了吗？"),
    "follow": ActionWords("关注", "关注此事"),
    "escalate": ActionWords("升级督办", "超时升级至{rung}"),
    "mediation_note": ActionWords("调解记录", "记录调解情况", ("调解记录", "调解", "记录")),
    "agreement": ActionWords("调解协议", "达成调解协议", ("调解协议", "协议")),
    "conclude": ActionWords("结案", "结案", ("结案", "办结")),
    "pause": ActionWords("暂停", "暂停工单"),
    "resume": ActionWords("恢复", "恢复办理"),
    "force_complete": ActionWords("强制完成", "强制完成"),
    "callback": ActionWords("电话回访", "电话回访"),
}


def typed_words(*actions: str) -> str:
    """A regex group of the words that do these actions in chat: 「(接单|接|抢单)」."""
    return _group(word for action in actions for word in ACTIONS[action].typed)


def said_after(action: str) -> str:
    """A regex group of the words that do the action said after the number: 「(修好了|弄好了|…)」."""
    return _group(ACTIONS[action].after)


# Which action words said with no number do, the strongest first: 「到了 …修好了」 finished it.
_ALONE_ORDER = ("resolve", "note", "start")
_NOT = "没不未别"


def said_alone(text: str) -> str | None:
    """The action words with no ticket number do (「我到了 正在修」 start, 「修好了 换了个角阀」 resolve,
    「我去602敲门聊过了」 note), said by one who holds the work; None when they do none. Words
    denied (「还没修好」「没到」) do nothing."""
    for action in _ALONE_ORDER:
        for word in ACTIONS[action].alone:
            at = text.find(word)
            while at >= 0:
                if at == 0 or text[at - 1] not in _NOT:
                    return action
                at = text.find(word, at + 1)
    return None


def _group(words: Iterable[str]) -> str:
    return "(" + "|".join(sorted(words, key=len, reverse=True)) + ")"
