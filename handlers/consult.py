"""Consultation (咨询): answers from the knowledge base, always citing the rule they rest on."""

from __future__ import annotations

from functools import cache

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from handlers.common import hotline
from nlp.faq import KnowledgeBase, default_kb

router = Router("consult")

TEXTS = {
    "answer": "{answer}\n——依据：{source}",
    "unsure": "这个问题我还不太确定，怕说错耽误您。您可以回复「转人工」，或拨打物业电话 {hotline} 咨询。",
    "related": "您可能想问：{titles}（直接发这几个字就行）",
}


@cache
def knowledge_for(path: str) -> KnowledgeBase:
    """The knowledge base at ``path`` (a file or directory), or the packaged one; loaded once."""
    return KnowledgeBase.load(path) if path else default_kb()


def knowledge_base(ctx: Context) -> KnowledgeBase:
    """The configured knowledge base ([knowledge] path), or the packaged one."""
    return knowledge_for(ctx.settings.knowledge.path)


@router.intent("consult")
def on_consult(ctx: Context) -> list[Reply]:
    kb = knowledge_base(ctx)
    found = kb.answer(ctx.text)
    if found.confident:
        return [Text(TEXTS["answer"].format(answer=found.text, source=found.source))]
    replies: list[Reply] = [Text(TEXTS["unsure"].format(hotline=hotline(ctx)))]
    titles = [a.title for a in kb.search(ctx.text, k=3) if a.title and a.score >= 0.3]
    if titles:
        replies.append(Text(TEXTS["related"].format(titles="「" + "」「".join(titles) + "」")))
    return replies
