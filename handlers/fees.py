"""「我家物业费交到什么时候了」「我还欠多少物业费」: a resident's own fees, from their verified home.

Asked by words (a command), not by a label of the classifier: the question names a fee and asks
how far it is paid or what is owed, and is none of the general questions about fees (「物业费怎么
交」「欠费会停水吗」), which stay with 咨询. Only a verified resident hears a flat's figures.
"""

from __future__ import annotations

from bot.context import Context
from bot.replies import Reply, Text
from bot.router import Router
from models.community import default_community
from models.fees import statement
from models.ledger import month_label, yuan
from models.residency import is_verified

router = Router("fees")

TEXTS = {
    "unbound": "查物业费要先绑定房屋：请回复「绑定」登记您家的房号，楼栋长核实后就能查。",
    "unverified": "您登记的房屋还在等楼栋长核实，核实后就能在这里查物业费；也可以到物业服务中心查询。",
    "none": "{label}还没有收费记录。如有疑问请联系物业服务中心{hotline}。",
    "settled": "{label}的费用都已缴清，谢谢您的支持！",
    "paid_through": "{item}已交到{month}。",
    "owing_head": "{label}目前有 {total} 还未缴清：",
    "owing_item": "{month}{item} {owed}",
    "more": "……共 {count} 笔",
    "not_due": "另有 {amount} 还没到缴费期限。",
    "owing_tail": "可以到物业服务中心缴纳{hotline}。家里有困难的话可以跟我们说，社区能帮忙申请减免。",
    "hotline": "（电话 {hotline}）",
}
FEE_WORDS = r"物业费|停车费|管理费|车位费|欠费|缴费|交费"
_STATUS = r"交到|缴到|交至|欠多少|欠了多少|还欠|欠不欠|有没有欠|欠没欠|欠费吗|欠费没|交清|缴清|交了没|交没交|缴了没|交齐|到期|明细|查"
_GENERAL = r"收支|公开|公示|调价|顺便|另外|还有个|还有件|合理|应该|该不该|逾期|为止|补上|坏|修|怎么|怎样|如何|哪里|哪儿|在哪|哪能|可以|能不能|能否|标准|一平|为什么|凭什么|涨|会不会|会停|停水|停电|滞纳金|违约金|发票|房东|租客|前房东|谁"
ASKED = (
    rf"(?=.*({FEE_WORDS}))(?=.*({_STATUS}))(?!.*({_GENERAL})).{{2,30}}"
    rf"|(查一?下?)?(我家|我的|我们家)?的?(物业费|停车费|欠费)(明细|情况)?[？?。]?"
)


@router.command(ASKED)
def my_fees(ctx: Context) -> list[Reply]:
    """What the resident's flat owes now, or how far each item is paid."""
    if ctx.person.room_id is None:
        return [Text(TEXTS["unbound"])]
    if not is_verified(ctx.session, ctx.person):
        return [Text(TEXTS["unverified"])]
    community = default_community(ctx.session)
    hotline = TEXTS["hotline"].format(hotline=community.hotline) if community and community.hotline else ""
    flat = statement(ctx.session, room_id=ctx.person.room_id, now=ctx.now)
    if not flat.owing and not flat.paid_through and not flat.not_yet_due:
        return [Text(TEXTS["none"].format(label=flat.label, hotline=hotline))]
    lines = []
    if flat.owing:
        lines.append(TEXTS["owing_head"].format(label=flat.label, total=yuan(flat.total_owed)))
        lines += [
            TEXTS["owing_item"].format(
                month=month_label(o.charge.period), item=o.charge.item, owed=yuan(o.outstanding)
            )
            for o in flat.owing[:6]
        ]
        if len(flat.owing) > 6:
            lines.append(TEXTS["more"].format(count=len(flat.owing)))
    else:
        lines.append(TEXTS["settled"].format(label=flat.label))
    lines += [
        TEXTS["paid_through"].format(item=item, month=month_label(period))
        for item, period in flat.paid_through.items()
    ]
    if flat.not_yet_due:
        lines.append(TEXTS["not_due"].format(amount=yuan(flat.not_yet_due)))
    if flat.owing:
        lines.append(TEXTS["owing_tail"].format(hotline=hotline))
    return [Text("\n".join(lines))]
