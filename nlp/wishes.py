"""微心愿 by its words: 「我有个微心愿…」「许个心愿」「想请党员帮我…」.

A wish is recognised by rule, not learnt: its sayings are few and plain, and a tenth label in the
classifier moved the sealed sets' figures past their floors (one emergency missed, one more false
alarm) for nothing the words do not already say. Only the named words count: 「想请人陪我去医院」
without 心愿 or 党员 is left to the classifier (it reads as what it is about).
"""

from __future__ import annotations

import re

__all__ = ["WISH_CONFIDENCE", "wish"]

WISH_CONFIDENCE = 0.9
_WISH = re.compile(
    r"微心愿"
    r"|(许|发|提|求|申请|有)(了)?(个|一个)?(小小的|小)?(心愿|愿望|愿)[^意]"
    r"|(我|俺)的?(小小的|小)?心愿(是|就是|：|:)"
    r"|^(小)?心愿(是|[：:\s,，])"
    r"|找(个|一位|位)党员"
    r"|(请|找|麻烦|有没有|希望有)(个|一位|位|社区的?)?党员(同志)?(帮|来|陪|教|给|能|会|[ ，,])"
    r"|党员(同志)?(帮帮我|帮我个忙)"
)

# 「微心愿是啥」「什么叫微心愿」: asking what one is (the knowledge base explains), no wish yet.
_WHAT_IS = re.compile(
    r"(微心愿|心愿)(到底|究竟)?(是|是个|是一个|指的是)?(啥|什么|什么意思|啥意思|干嘛的|干什么的|怎么回事)[?？吗呀啊呢。!！\s]*$"
    r"|(什么|啥)(是|叫)(微心愿|心愿)"
)


def wish(clean: str) -> bool:
    """Whether normalised ``clean`` states a 微心愿 (or asks how to make one), not what one is."""
    return _WISH.search(clean) is not None and _WHAT_IS.search(clean) is None
