"""Consultation (咨询): answers from the knowledge base, always citing the rule they rest on.

A confident match is answered with its source. Otherwise the bot does not guess: it offers the
best entry and the runner-up as 「您是不是想问…」 (sending a title gets that answer) and a person,
and keeps the question for an admin to answer into the knowledge base (``models.unanswered``).
Answers may hold placeholders: ``{hotline}`` (the community's hotline), ``{guidance:<hazard>}``
(the first-minute advice an alarm gives, ``handlers.safety``) and ``{ledger}`` (an answer that is
the published 收支公开 itself, as 「上月收支公开」 gives it).
"""

from __future__ import annotations

import re
from functools import cache

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import hotline, hotline_number
from handlers.notice import ledger
from handlers.safety import GUIDANCE
from models.unanswered import record_unanswered
from nlp.faq import SUGGEST_SCORE, Answer, KnowledgeBase, default_kb

router = Router("consult")

TEXTS = {
    "answer": "{answer}\n——依据：{source}",
    "unsure": "这个问题我还不太确定，怕说错耽误您。您可以回复「转人工」，或拨打物业电话 {hotline} 咨询。",
    "suggest": "这个问题我还不太确定。您是不是想问{titles}？直接发标题就行；"
    "也可以回复「转人工」，或拨打物业电话 {hotline}。",
    "or": "」还是「",
    "no_hotline": "暂未登记",
}
HOTLINE = "{hotline}"
LEDGER = "{ledger}"
_GUIDANCE = re.compile(r"\{guidance:(\w+)\}")


@cache
def knowledge_for(path: str) -> KnowledgeBase:
    """The knowledge base at ``path`` (a file or directory), or the packaged one; loaded once."""
    return KnowledgeBase.load(path) if path else default_kb()


def knowledge_base(ctx: Context) -> KnowledgeBase:
    """The configured knowledge base ([knowledge] path), or the packaged one."""
    return knowledge_for(ctx.settings.knowledge.path)


def suggestions(found: Answer) -> list[str]:
    """Titles worth offering when the answer is not confident: the best entry and the runner-up."""
    return [a.title for a in (found, found.runner_up) if a and a.title and a.score >= SUGGEST_SCORE]


def cited(ctx: Context, found: Answer) -> list[Reply]:
    """The answer with its source, its placeholders filled in (a {ledger} answer is the ledger)."""
    if found.text.strip() == LEDGER:
        return ledger(ctx)
    text = found.text.replace(HOTLINE, hotline_number(ctx) or TEXTS["no_hotline"])
    text = _GUIDANCE.sub(lambda m: GUIDANCE.get(m.group(1), GUIDANCE["help"]), text)
    return [Text(TEXTS["answer"].format(answer=text, source=found.source))]


def confident_answer(ctx: Context) -> list[Reply]:
    """The cited answer to ``ctx.text`` if the knowledge base is confident of one, else nothing."""
    found = knowledge_base(ctx).answer(ctx.text)
    return cited(ctx, found) if found.confident else []


@router.intent("consult")
def on_consult(ctx: Context) -> list[Reply]:
    found = knowledge_base(ctx).answer(ctx.text)
    if found.confident:
        return cited(ctx, found)
    phone = hotline(ctx)
    titles = suggestions(found)
    record_unanswered(ctx.session, text=ctx.text, suggested="、".join(titles), now=ctx.now)
    if titles:
        quoted = "「" + TEXTS["or"].join(titles) + "」"
        return [Text(TEXTS["suggest"].format(titles=quoted, hotline=phone))]
    return [Text(TEXTS["unsure"].format(hotline=phone))]
