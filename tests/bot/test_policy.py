"""The conversation policy on its own: danger first, forms yield to questions, short answers stay."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.policy import Action, Decision, about_held_work, decide


@dataclass(frozen=True)
class Said:
    intent: str
    confidence: float = 0.9
    candidates: tuple[tuple[str, float], ...] = ()
    ambiguous: bool = False
    hazard: str | None = None
    hint: str | None = None
    slots: dict[str, str] = field(default_factory=dict)

    def ranks(self, intent: str) -> int | None:
        ranked = self.candidates or ((self.intent, self.confidence),)
        return next((i for i, (label, _) in enumerate(ranked) if label == intent), None)


def _decide(said: Said, text: str, *, form: str | None = None, answers: bool = False) -> tuple[Action, str]:
    decision = decide(
        said,
        text=text,
        form_intent=form,
        has_paused=False,
        answers_form=lambda: answers,
        handles=lambda intent: intent != "unknown",
    )
    return decision.action, decision.intent


@pytest.mark.parametrize("form", [None, "repair", "dispute", "volunteer", "points", "vote"])
def test_a_clear_alarm_outranks_every_form(form: str | None) -> None:
    said = Said("emergency", 0.99, hazard="gas")
    assert _decide(said, "厨房好大煤气味", form=form, answers=True) == (Action.EMERGENCY, "emergency")


def test_partial_evidence_is_urgent_not_ordinary() -> None:
    said = Said("repair", 0.6, candidates=(("repair", 0.6), ("emergency", 0.3)), hint="电线")
    assert _decide(said, "电线那里滋滋响 好吓人", form="repair")[0] is Action.URGENT


def test_an_emergency_third_in_a_near_tie_with_distress_is_urgent() -> None:
    candidates = (("unknown", 0.28), ("repair", 0.28), ("emergency", 0.27))
    said = Said("unknown", 0.28, candidates=candidates, hint="烫")
    assert _decide(said, "插座有点发烫 怎么办 好担心")[0] is Action.URGENT
    assert _decide(Said("unknown", 0.28, candidates=candidates), "插座有点发烫")[0] is Action.ROUTE


def test_question_words_without_a_question_mark() -> None:
    from bot.policy import is_question

    assert is_question("我上周报的楼道灯修了没有") and is_question("换个灯泡要不要钱")
    assert not is_question("不不不") and not is_question("水一直不停地流")


@pytest.mark.parametrize(
    "text",
    [
        "算了 不投诉了 取消吧",
        "取消 我再想想",
        "算了不用了 刚才它又亮了",
        "算了 我自己换个电池",
        "哦不对 我周六晚上没空 不报了",
    ],
)
def test_stopping_with_a_reason_cancels(text: str) -> None:
    said = Said("unknown", 0.3)
    assert _decide(said, text, form="repair", answers=True)[0] is Action.CANCEL


def test_stopping_right_after_a_hand_off_withdraws_it_not_the_form() -> None:
    from bot.policy import WITHDRAW_HANDOFF

    said = Said("greeting", 0.9)
    decision = decide(
        said,
        text="算了不用了",
        form_intent=None,
        has_paused=True,
        answers_form=lambda: False,
        handles=lambda intent: True,
        handed_off=lambda: True,
    )
    assert (decision.action, decision.intent) == (Action.ROUTE, WITHDRAW_HANDOFF)
    assert _decide(said, "算了不用了", form="dispute")[0] is Action.CANCEL  # no hand-off just asked


def test_a_reason_without_words_of_stopping_at_the_end_is_no_cancel() -> None:
    said = Said("repair", 0.9)
    assert _decide(said, "我周六晚上没空 不用来了吗", form="repair", answers=True)[0] is not Action.CANCEL
    assert _decide(said, "楼上说修好了又漏了", form="repair", answers=True)[0] is not Action.CANCEL


def test_stopping_then_a_new_request_is_no_cancel() -> None:
    said = Said("repair", 0.9)
    assert _decide(said, "算了 厨房也漏水", form="dispute", answers=True)[0] is not Action.CANCEL


def test_a_lone_character_is_never_an_alarm() -> None:
    said = Said("emergency", 0.7, candidates=(("emergency", 0.7),))
    assert _decide(said, "楼") == (Action.ROUTE, "unknown")


def test_a_short_answer_without_danger_words_stays_with_the_form() -> None:
    said = Said("emergency", 0.88, candidates=(("emergency", 0.88),))
    assert _decide(said, "幼儿园门口", form="repair", answers=True)[0] is Action.FORM
    assert _decide(said, "幼儿园门口")[0] is Action.EMERGENCY  # with no form there is nothing it answers


def test_a_question_inside_a_form_is_answered_first() -> None:
    said = Said("consult", 0.8)
    assert _decide(said, "物业费可以拖欠吗", form="repair", answers=True) == (Action.ROUTE, "consult")


def test_an_answer_stays_with_the_form() -> None:
    assert _decide(Said("repair", 0.9), "厨房", form="repair", answers=True)[0] is Action.FORM


def test_cancel_and_resume() -> None:
    assert _decide(Said("unknown", 0.1), "取消", form="repair")[0] is Action.CANCEL
    assert _decide(Said("unknown", 0.1), "继续")[0] is Action.RESUME


def test_a_cancel_that_names_its_object_goes_to_its_service_when_nothing_is_open() -> None:
    said = Said("volunteer", 0.9)
    assert _decide(said, "我不报名了") == (Action.ROUTE, "volunteer")
    assert _decide(said, "我不报名了", form="repair")[0] is Action.CANCEL
    assert _decide(said, "取消")[0] is Action.CANCEL  # bare: there is nothing open to cancel


@pytest.mark.parametrize("form", [None, "repair", "binding"])
def test_an_explicit_command_is_taken_whatever_form_is_open(form: str | None) -> None:
    decision = decide(
        Said("volunteer", 0.5), text="删除我的信息", form_intent=form, has_paused=False,
        answers_form=lambda: True, handles=lambda intent: True, explicit=True,
    )  # fmt: skip
    assert decision.action is Action.COMMAND


def test_danger_still_outranks_an_explicit_command() -> None:
    decision = decide(
        Said("emergency", 0.99, hazard="fire"), text="着火了 导出我的信息", form_intent=None, has_paused=False,
        answers_form=lambda: False, handles=lambda intent: True, explicit=True,
    )  # fmt: skip
    assert decision.action is Action.EMERGENCY


@pytest.mark.parametrize("form", [None, "repair"])
def test_a_staff_command_goes_through_a_form_and_yields_only_to_words_of_danger(form: str | None) -> None:
    def staff(said: Said, text: str) -> Action:
        return decide(
            said,
            text=text,
            form_intent=form,
            has_paused=False,
            answers_form=lambda: True,  # a free-text slot would take anything
            handles=lambda intent: True,
            staff_command=True,
        ).action

    assert staff(Said("unknown", 0.3), "派单 R1009 王师傅") is Action.COMMAND
    assert staff(Said("emergency", 0.62), "巡查发现楼道有人睡在楼梯上") is Action.COMMAND
    assert staff(Said("emergency", 0.99, hazard="fire"), "巡查发现3栋楼道着火了") is Action.EMERGENCY


def test_staff_words_about_their_work_are_a_command_and_from_the_scene_a_report_whatever_they_name() -> None:
    def report(said: Said, text: str, *, on_incident: bool, form: str | None = None) -> Decision:
        return decide(
            said,
            text=text,
            form_intent=form,
            has_paused=False,
            answers_form=lambda: True,
            handles=lambda intent: True,
            reports_work=True,
            on_incident=on_incident,
        )

    scene = report(Said("dispute", 0.38), "到现场了 是有人在楼道烧纸 已经灭了 没事了", on_incident=True)
    assert scene.action is Action.COMMAND and not scene.caution
    fire = report(Said("emergency", 0.99, hazard="fire"), "到现场了 火还很大 已经叫了119", on_incident=True)
    assert fire.action is Action.COMMAND and fire.caution  # the incident told from the scene
    assert (
        report(Said("progress", 0.69), "我到了 正在修", on_incident=False, form="repair").action
        is Action.COMMAND
    )
    gas = report(Said("emergency", 0.99, hazard="gas"), "我到了 发现煤气漏了", on_incident=False)
    assert gas.action is Action.EMERGENCY  # a new danger found at a repair


def test_words_of_work_are_about_the_work_held_unless_they_are_another_request() -> None:
    assert about_held_work(Said("progress", 0.52), "修好了 换了个新的角阀", {"repair"})
    assert about_held_work(Said("progress", 0.52), "修好了 换了个新的角阀", ())  # none held: told so
    assert not about_held_work(Said("consult", 0.51), "楼上漏水了 我到了家才发现", {"repair"})
    assert not about_held_work(Said("dispute", 1.0), "隔壁装修太吵了 上门说过了没用", {"repair"})
    assert about_held_work(Said("dispute", 1.0), "隔壁装修太吵了 上门说过了没用", {"dispute"})
    assert not about_held_work(Said("progress", 0.9), "R1001修好了没有", {"repair"})


def _at_confirm(said: Said, text: str, *, answers: bool = True) -> tuple[Action, str]:
    decision = decide(
        said,
        text=text,
        form_intent="repair",
        has_paused=False,
        answers_form=lambda: answers,
        handles=lambda intent: intent != "unknown",
        confirming=True,
    )
    return decision.action, decision.intent


def test_a_question_at_a_confirm_step_is_answered_not_filed() -> None:
    # the classifier hears a repair; the form would take it as the new description
    assert _at_confirm(Said("repair", 0.85), "那我家热水器要不要关") == (Action.ROUTE, "consult")
    assert _at_confirm(Said("notice", 0.99), "明天停水吗") == (Action.ROUTE, "notice")


def test_a_sure_request_of_another_kind_at_a_confirm_step_is_handled() -> None:
    assert _at_confirm(Said("vote", 0.99), "充电桩那个我同意") == (Action.ROUTE, "vote")
    # not sure enough: the form reads it (a detail added before the yes)
    assert _at_confirm(Said("dispute", 0.7), "楼上卫生间也在漏") == (Action.FORM, "")


def test_a_time_asked_about_the_visit_changes_the_form() -> None:
    said = Said("progress", 0.83, slots={"when": "2026-12-02 上午"})
    assert _at_confirm(said, "能不能明天上午来") == (Action.FORM, "")


def test_words_that_only_look_like_questions() -> None:
    from bot.policy import is_question

    assert is_question("等等 先问下 这个换玻璃是物业出钱还是我自己出")
    assert is_question("这个是物业出钱对不对")
    assert not is_question("不对不对 我刚想起来下午要去医院 改成后天上午")
    assert not is_question("就是 打火有声音 不出热水 也没有什么气味")
    assert not is_question("现在没事，就是怕哪天着火")
    assert not is_question("哪天都行") and not is_question("什么时候来都可以")


def test_a_weak_lean_with_no_word_of_danger_does_not_alarm_inside_a_form() -> None:
    said = Said("emergency", 0.6, candidates=(("emergency", 0.6), ("progress", 0.13)))
    assert _at_confirm(said, "随时都可以，我不出门", answers=False)[0] is Action.FORM
    assert _decide(said, "随时都可以，我不出门")[0] is Action.EMERGENCY  # no form: the lean stands
    sure = Said("emergency", 0.6, hazard="fire")
    assert _at_confirm(sure, "厨房冒烟了", answers=False)[0] is Action.EMERGENCY


def _after_a_list(said: Said, text: str, *, picks: bool) -> tuple[Action, str]:
    decision = decide(
        said,
        text=text,
        form_intent=None,
        has_paused=False,
        answers_form=lambda: False,
        handles=lambda intent: intent != "unknown",
        choice_intent="volunteer",
        answers_choice=lambda: picks,
    )
    return decision.action, decision.intent


def test_a_pick_from_the_list_just_shown_answers_it() -> None:
    assert _after_a_list(Said("volunteer", 0.94), "义诊那个，我想去量量血压", picks=True)[0] is Action.FORM
    assert _after_a_list(Said("progress", 0.41), "周四晚上那个", picks=True)[0] is Action.FORM
    # picking nothing, asking, or surely asking for something else: handled as ever
    assert _after_a_list(Said("points", 0.9), "我的积分还有多少", picks=False) == (Action.ROUTE, "points")
    assert _after_a_list(Said("volunteer", 0.9), "义诊那个几点开始", picks=True) == (
        Action.ROUTE,
        "volunteer",
    )
    assert _after_a_list(Said("repair", 0.95), "楼道灯坏了", picks=True) == (Action.ROUTE, "repair")


def test_a_stop_after_its_reason_told_as_a_clause_is_a_stop() -> None:
    said = Said("volunteer", 0.6)
    assert _decide(said, "哎呀那天要带孙子去打疫苗，取消吧")[0] is Action.CANCEL
    # a word that says what stops, with nothing open, goes to its handler (the sign-up's cancel)
    assert _decide(said, "周六家里来客人，不去了") == (Action.ROUTE, "volunteer")
    assert (
        _decide(Said("repair", 0.6), "师傅明天再说吧，不用来了", form="repair", answers=True)[0]
        is Action.CANCEL
    )
    assert _decide(said, "那天几点开始，取消吗")[0] is not Action.CANCEL  # a question stops nothing
