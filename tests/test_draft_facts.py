"""Facts found by the rules where people actually put them: inside another clause, two to a clause,
with no cue word at all, after a label or a vocative. No model: the embedded one is not asked."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.coach.drafting import draft_text, make_draft
from app.coach.drafting.facts import rule_values
from app.coach.drafting.kinds import load_kind
from app.coach.drafting.voice import second_person
from app.coach.profiles import load_profile

ROOT = Path(__file__).resolve().parent.parent
CASES = {c["id"]: c for c in yaml.safe_load((ROOT / "evals" / "drafts.yaml").read_text())["cases"]}
MANAGERS = ROOT / "evals" / "managers"


def facts(kind: str, situation: str) -> dict[str, str]:
    return rule_values(load_kind(kind), situation, {})


def test_a_cause_inside_the_sentence_about_what_happened_is_found_and_said_once() -> None:
    got = facts("bad-news", CASES["d36"]["situation"])
    assert got["cause"] == "a server move"
    assert got["what_happened"] == "Our survey vendor lost three days of responses from the Leeds site"
    got = facts("bad-news", "The payroll export failed twice overnight when the bank changed its file format. "
                            "About 140 contractors won't be paid on Friday. I've asked the bank for the new spec. "
                            "I need you to approve a manual run; we can pay everyone by Monday March 10.")
    assert got["cause"] == "the bank changed its file format"
    assert got["what_happened"] == "The payroll export failed twice overnight"
    assert got["impact"] == "About 140 contractors won't be paid on Friday", "no cue word: placed by the story"
    assert got["new_date"] == "Monday March 10"


def test_an_explanation_after_a_colon_is_the_cause() -> None:
    got = facts("bad-news", "We lost the Harbor Foods renewal this morning: their new CFO moved all logistics to "
                            "one vendor. That takes $310,000 out of our Q4 forecast. I'm already talking to their "
                            "operations lead. I need you to join the call on Thursday.")
    assert got["what_happened"] == "We lost the Harbor Foods renewal this morning"
    assert got["cause"] == "their new CFO moved all logistics to one vendor"
    assert got["impact"] == "That takes $310,000 out of our Q4 forecast"


def test_two_facts_in_one_clause_are_split_between_their_fields() -> None:
    got = facts("autonomy", CASES["d54"]["situation"])
    assert got["checkins"] == "I'd send Henrik a weekly summary every Friday"
    assert got["escalate"] == "bring anything over $15,000 to him first"
    got = facts("workload", CASES["d58"]["situation"])
    assert got["proposal"] == "pause the Berlin migration until January"
    got = facts("career-goal", CASES["d57"]["situation"])
    assert got["learn"] == "I'd like to get experience with hiring and budgets", "'and budgets' is not cut off"


def test_a_label_is_not_a_fact_and_the_old_date_is_not_the_new_one() -> None:
    got = facts("bad-news", CASES["d60"]["situation"])
    assert got["what_happened"] == "the ad campaign for the spring sale will go out a week late"
    got = facts("status-report", CASES["d52"]["situation"])
    assert got["done"] == "the pricing page redesign shipped on Tuesday"
    got = facts("bad-news", CASES["d44"]["situation"])
    assert got["new_date"] == "February 24", "Sunday is when it stalled"


def test_the_manager_addressed_by_name_is_not_turned_into_you_comma() -> None:
    assert second_person("Henrik, the Q3 study will be late. Thanks, Henrik.", "Henrik Adler") == \
        "The Q3 study will be late. Thanks."
    assert second_person("Dr. Tanaka, I need you to tell the leads.", "Dr. Aiko Tanaka") == \
        "I need you to tell the leads."
    assert second_person("Aiko, Priya and I met.", "Dr. Aiko Tanaka") == "You, Priya and I met."


def test_new_cases_leave_no_placeholder_for_a_value_given(fake_model: str, settings) -> None:
    for cid in ("d36", "d40", "d42", "d45", "d51", "d55"):
        c = CASES[cid]
        result = make_draft(c["kind"], c["situation"], profile=load_profile(MANAGERS / c["manager"]),
                            model=fake_model, save=False, settings=settings)
        text = draft_text(result.draft)
        assert "to confirm]" not in text, (cid, text)
        assert all(f in text for f in c["facts"]), (cid, text)


def test_the_manager_as_subject_agrees_behind_adverbs_inserts_and_a_second_verb() -> None:
    assert second_person("Since May, Gary texts the crew directly and skips me.", "Gary Pruitt") == \
        "Since May, you text the crew directly and skip me."
    assert second_person("Marisol personally reviews every rota and then changes it.", "Marisol Vega") == \
        "You personally review every rota and then change it."
    assert second_person("Henrik, who usually sends the targets late, wants them earlier.", "Henrik Adler") == \
        "You, who usually send the targets late, want them earlier."
    assert second_person("My manager, Henrik, wants the pack by 9am.", "Henrik Adler") == "You want the pack by 9am."
    assert second_person("Gary only ever calls when the crew leads ask.", "Gary Pruitt") == \
        "You only ever call when the crew leads ask.", "'asks' belongs to the crew leads"
    assert second_person("Gary texts the crew and Lena calls the client.", "Gary Pruitt") == \
        "You text the crew and Lena calls the client."


def test_relative_dates_are_whole_spans_and_the_date_moved_from_is_not_the_new_one() -> None:
    from app.coach.drafting.spans import date_span

    assert date_span("a complete scorecard is realistic by Friday week") == "Friday week"
    assert date_span("Glazing should restart by the end of next month") == "the end of next month"
    assert date_span("putting last-patient-in at the end of October") == "the end of October"
    assert date_span("Flyers would reach stores on the 21st rather than the 17th") == "the 21st"
    assert date_span("moved from the 17th to the 21st") == "the 21st"


def test_a_cue_finds_its_inflected_forms() -> None:
    from app.coach.drafting.facts import _cue_hits

    assert _cue_hits(["reduce"], "it reduced the queue") == 1.0
    assert _cue_hits(["drop"], "that should be dropping") == 1.0
    assert _cue_hits(["carry"], "she carries it") == 1.0
    assert _cue_hits(["run"], "a running total") == 1.0
    assert _cue_hits(["cost"], "the costume") == 0.0


def test_after_a_conjunction_the_manager_with_a_verb_is_a_subject_and_agrees() -> None:
    said = second_person("The units get one owner and Henrik gets his Fridays back.", "Henrik Adler")
    assert said == "The units get one owner and you get your Fridays back."
    assert second_person("I'd ask Sam and Henrik to join.", "Henrik Adler") == "I'd ask Sam and you to join."


def test_a_frame_announcing_the_fact_is_not_part_of_it() -> None:
    got = facts("bad-news", "The scorecard won't be ready on the 29th because two buyers used the old scale. "
                            "I'm converting the ratings now. What I'd ask of Henrik is a nod to drop the two late "
                            "regions; a complete scorecard is realistic by Friday week.")
    assert got["need"] == "a nod to drop the two late regions"
    assert got["new_date"] == "Friday week"


def test_a_required_date_inside_another_fact_still_answers_it() -> None:
    got = facts("bad-news", "Recruitment has fallen behind: we're at 164 of 250 patients. Two sites paused "
                            "screening when their nurses left. I've been re-training the coordinators. The ask is "
                            "that you approve a six-week extension, putting last-patient-in at the end of October.")
    assert got["new_date"] == "the end of October"
    assert got["need"].startswith("you approve a six-week extension")


def test_a_payoff_said_as_what_drops_is_the_payoff() -> None:
    got = facts("resource-request", CASES["dev4-d24"]["situation"])
    assert "1 in 20" in got["payoff"]


def test_a_required_field_takes_a_value_the_rules_gave_an_optional_one() -> None:
    got = facts("resource-request", "I'm asking for a second bladder scanner for $7,200. "
                                    "It supports the infection-rate goal for this year.")
    assert got["payoff"] == "It supports the infection-rate goal for this year"
    assert "goal" not in got


def test_a_frame_before_a_colon_and_a_header_sentence_are_not_facts() -> None:
    got = facts("bad-news", "Bad news on the Crestview refit: the shopfitters went bust on Monday, so nothing "
                            "will be installed before the opening on the 8th. We've lined up Harlow Interiors. "
                            "I need you to sign the new contract. Realistically we open on the 22nd.")
    assert got["what_happened"] == "the shopfitters went bust on Monday"
    assert got["new_date"] == "the 22nd"
    got = facts("status-report", "Status on the audit prep. The fixed-asset register has been reconciled. I'm "
                                 "partway through the lease schedule. The property team is sitting on two lease "
                                 "contracts. I recommend you escalate to their director. Following that, I'll test "
                                 "revenue cut-off on the 4th.")
    assert got["done"] == "The fixed-asset register has been reconciled"
    assert "audit prep" not in " ".join(got.values())


def test_a_second_verb_in_the_negative_agrees_too() -> None:
    said = second_person("Dr. Tanaka often asks for analyses in the corridor and doesn't follow up in writing.",
                         "Dr. Aiko Tanaka")
    assert said == "You often ask for analyses in the corridor and don't follow up in writing."


def test_contractions_and_verbs_in_a_series_agree_with_you() -> None:
    assert second_person("Marisol would say no, since she's short of staff.", "Marisol Vega") == \
        "You would say no, since you're short of staff."
    assert second_person("Aiko agreed the plan, but she's since changed it.", "Dr. Aiko Tanaka") == \
        "You agreed the plan, but you've since changed it."
    assert second_person("Tomás texts late, replies to nobody, and changes the plan.", "Tomás Reyes") == \
        "You text late, reply to nobody, and change the plan."
    assert second_person("Gary yells, then apologises.", "Gary Pruitt") == "You yell, then apologise."


def test_a_cost_in_people_or_time_and_dates_said_in_weeks_fill_their_fields() -> None:
    got = facts("resource-request", "I'd like one more analyst for the close team, a single FTE. The two of us work "
                                    "roughly 15 hours of overtime each at month-end. Another analyst would bring "
                                    "close back to 5 days.")
    assert got["cost"] == "a single FTE"
    got = facts("bad-news", "The interim database lock will be late. Site 07 uploaded 140 lab values with the "
                            "wrong units. Data management have started re-keying. I need your view on asking the "
                            "DMC chair to delay. Lock is now the week after next.")
    assert got["new_date"] == "the week after next"


def test_the_manager_after_a_comma_is_a_subject_and_has_put_is_not_a_possessive() -> None:
    assert second_person("On the regional call, Tomás announces the targets.", "Tomás Reyes") == \
        "On the regional call, you announce the targets."
    assert second_person("Gary's put me on two jobs at once.", "Gary Pruitt") == "You've put me on two jobs at once."


def test_an_optional_fact_sharing_a_clause_with_a_required_one_gets_its_part() -> None:
    got = facts("workload", CASES["d32"]["situation"])
    assert got["proposal"] == "pause the new cost-allocation report until the migration is stable"
    assert got["need"] == "get Henrik's approval for a contractor for two months"


def test_a_required_field_cued_to_a_clause_an_optional_one_took_gets_it() -> None:
    got = facts("resource-request", "For the imaging sub-study I'm asking for a cloud GPU budget. We'd spend about "
                                    "$600 a month. The current CPU runs take 26 hours per batch; with GPUs it's under "
                                    "2, which would let us finish the reader study before the October deadline.")
    assert "would let us finish the reader study" in got["payoff"]
    assert "$600" not in got["payoff"]


def test_the_manager_after_than_or_like_is_a_subject_and_names_s_the_is_is() -> None:
    assert second_person("It always takes longer than Henrik expects.", "Henrik Adler") == \
        "It always takes longer than you expect."
    assert second_person("Gary's the one who answers to the owner.", "Gary Pruitt") == \
        "You're the one who answers to the owner."


def test_a_required_fact_sharing_one_clause_is_split_off_rather_than_left_as_a_placeholder() -> None:
    got = facts("status-report", "Signage is up in all 8 stores and the tills are being reprogrammed (5 of 8 "
                                 "done), but the price file from head office hasn't come through, so I'd ask you to "
                                 "nudge the pricing team; next up is staff training on the 12th.")
    assert got["done"] == "Signage is up in all 8 stores"
    assert got["doing"] == "the tills are being reprogrammed (5 of 8 done)"
    assert got["proposed_fix"] == "I'd ask you to nudge the pricing team"


def test_of_two_dates_cued_alike_the_later_is_the_new_one() -> None:
    got = facts("bad-news", "Our courier lost 40 display units, so the store can't open its new section on "
                            "Saturday. I've filed a claim. I need you to okay the express shipping; the section "
                            "opens next Thursday instead.")
    assert got["new_date"] == "next Thursday"


def test_a_new_date_said_as_tonight_or_as_when_it_will_be_final() -> None:
    got = facts("bad-news", "I double-booked two nurses on the night rota and left Saturday night one short. I've "
                            "called the bank office. Could you approve the bank shift? The fixed rota goes out "
                            "tonight.")
    assert got["new_date"] == "tonight"


def test_the_date_a_slip_moves_to_is_the_new_date_over_a_loose_cue() -> None:
    """'slips from June 1 to June 15' names the new date even inside what happened; 'tell finance now or
    after Wednesday's re-run' is a decision, not a delivery date."""
    got = facts("bad-news", "The Ledgerline go-live slips from June 1 to June 15 because 7% of invoices matched "
                            "the wrong purchase order in testing. We kept the old process running. I need you to "
                            "decide whether we tell finance now or after Wednesday's re-run.")
    assert got["new_date"] == "June 15"
