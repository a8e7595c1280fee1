"""The web app's handlers on the fake model: errors a person would see, and what must survive them."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.errors import ConfigError
from app.history import get_history
from app.llm import fake
from app.ui import auth_for, draft, history_tab, prepare, rehearse, serve, settings_tab

PROFILE = ["Dana", "Engineering manager", "ship the Q3 migration", "a new director", "direct", "busy", ""]


def owner() -> str:
    return uuid.uuid4().hex


def started(settings: Settings, model: str, who: str = "") -> Any:
    steps = list(rehearse.on_start("promotion", "realistic", False, model, who or owner(), *PROFILE,
                                   settings=settings))
    rehearsal, chat = steps[-1][0], steps[-1][1]
    assert chat and chat[-1]["role"] == "assistant" and chat[-1]["content"].strip()
    return rehearsal


def test_an_empty_message_is_refused_in_the_page_and_the_conversation_stays(settings: Settings,
                                                                          fake_model: str) -> None:
    r = started(settings, fake_model)
    before = list(rehearse.on_send("I led the payments migration and cut latency by 30%.", r, settings))[-1][1]
    assert [m["role"] for m in before] == ["assistant", "user", "assistant"]
    out = list(rehearse.on_send("   ", r, settings))
    chat, shown, box = out[-1][1], out[-1][3], out[-1][5]
    assert chat == before
    assert shown["visible"] and "empty" in shown["value"].lower()
    assert box == {"__type__": "update"}  # what was typed is left in the box
    assert len(r.transcript) == 3


def test_provider_dying_mid_stream_keeps_the_conversation_and_retry_answers(settings: Settings,
                                                                           fake_model: str) -> None:
    r = started(settings, fake_model)
    list(rehearse.on_send("I'd like to move to senior engineer this cycle.", r, settings))
    fake.engine(fake_model).enqueue(fake.Die("Well, I think we"))
    out = list(rehearse.on_send("Can we agree the criteria and a date?", r, settings))
    assert any(step[1][-1]["content"] == "Well, I think we" for step in out)  # the partial was streamed
    final = out[-1]
    chat, shown, retry, box = final[1], final[3], final[4], final[5]
    assert [m["content"] for m in chat if m["role"] == "user"] == [
        "I'd like to move to senior engineer this cycle.", "Can we agree the criteria and a date?"]
    assert len(chat) == 4 and chat[-1]["role"] == "user"  # greeting, line, reply, the unanswered line
    assert "part-way" in shown["value"] and "Well, I think we" in shown["value"] and "Retry" in shown["value"]
    assert retry["visible"] is True and box == ""  # the line is stored, so the box is cleared
    answered = list(rehearse.on_retry(r, settings))[-1]
    assert answered[1][-1]["role"] == "assistant" and answered[4]["visible"] is False
    assert len(r.transcript) == 5


def test_provider_down_before_the_first_word_keeps_the_line_for_retry(settings: Settings, fake_model: str) -> None:
    r = started(settings, fake_model)
    fake.engine(fake_model).enqueue(ConnectionError("connection refused"))
    final = list(rehearse.on_send("Could we talk about my next step?", r, settings))[-1]
    assert "could not be reached" in final[3]["value"]
    assert final[1][-1]["content"] == "Could we talk about my next step?"


def test_rewind_takes_back_the_last_exchange(settings: Settings, fake_model: str) -> None:
    r = started(settings, fake_model)
    list(rehearse.on_send("First line about my promotion case.", r, settings))
    list(rehearse.on_send("Second line with numbers: 30% faster.", r, settings))
    view = rehearse.on_rewind(r)
    assert [m["content"] for m in view[1] if m["role"] == "user"] == ["First line about my promotion case."]


def test_end_and_debrief_gives_a_chart_of_every_dimension(settings: Settings, fake_model: str) -> None:
    r = started(settings, fake_model)
    list(rehearse.on_send("I led the payments migration, which cut latency 30%. I'd like the senior role.", r,
                          settings))
    final = list(rehearse.on_finish(r, settings))[-1]
    group, overall, frame, notes, cites = final[5:]
    assert group["visible"] and "/100" in overall
    assert len(frame) == 7 and frame["score"].between(0, 4).all()
    assert "“" in notes  # improvements and strengths quote the person's own lines
    assert "<details" in cites and "card:" in cites


def test_start_with_a_bad_profile_says_which_field(settings: Settings, fake_model: str) -> None:
    bad = ["Dana", "", "", "", "", "busy", ""]  # name without a role
    step = list(rehearse.on_start("promotion", "realistic", False, fake_model, owner(), *bad, settings=settings))[-1]
    assert "'role'" in step[3]["value"] and step[3]["visible"]


def test_host_0000_without_credentials_is_refused(settings: Settings) -> None:
    exposed = settings.with_overrides(host="0.0.0.0")
    with pytest.raises(ConfigError, match="UPWARD_USERNAME and UPWARD_PASSWORD"):
        serve(exposed)
    login = auth_for(exposed.with_overrides(username="me", password="s3cret"))
    assert login is not None and login("me", "s3cret") and not login("me", "wrong")
    assert auth_for(settings) is None


def test_building_the_app_loads_no_model_client_or_index(tmp_path: Path) -> None:
    code = ("import sys, app; from app.config import Settings; from app.ui import build_ui; "
            f"build_ui(Settings(model='local/smollm2', data_dir={str(tmp_path)!r})); "
            "print(sorted(m for m in ('litellm', 'llama_cpp', 'chromadb', 'onnxruntime') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_profiles_save_load_and_import_with_clear_errors(settings: Settings, tmp_path: Path) -> None:
    s = settings.with_overrides(data_dir=tmp_path)
    mine, theirs = owner(), owner()
    saved, shown = prepare.on_save(s, mine, *PROFILE)
    assert saved["value"] == "dana" and "dana" in saved["choices"]
    loaded = prepare.on_load("dana", mine, s)
    assert loaded[:2] == ["Dana", "Engineering manager"] and loaded[5] == "busy"
    # another browser can neither list nor load it; the owner's folder and file are private
    assert "dana" not in prepare.on_page_load(theirs, s)[0]["choices"]
    assert "no saved profile 'dana' in this browser" in prepare.on_load("dana", theirs, s)[-1]["value"]
    folder = tmp_path / "profiles" / mine
    assert folder.stat().st_mode & 0o777 == 0o700 and (folder / "dana.yaml").stat().st_mode & 0o777 == 0o600
    # a new visit of the same browser gets it back in the form
    back = prepare.on_page_load(mine, s)
    assert back[0]["value"] == "dana" and back[1:3] == ["Dana", "Engineering manager"]
    assert "has not finished loading" in prepare.on_save(s, "", *PROFILE)[1]["value"]
    bad = tmp_path / "boss.yaml"
    bad.write_text("name: Sam\nrole: Director\ntemperament: grumpy\nmood: bad\n")
    out = prepare.on_import(str(bad), s)
    assert "temperament" in out[-1]["value"] and "mood" in out[-1]["value"] and out[0] == {"__type__": "update"}
    good = tmp_path / "sam.json"
    good.write_text(json.dumps({"name": "Sam", "role": "Director", "priorities": ["retention"]}))
    assert prepare.on_import(str(good), s)[:3] == ["Sam", "Director", "retention"]
    assert "not a YAML or JSON" in prepare.on_import(str(tmp_path / "x.txt"), s)[-1]["value"]


def test_history_lists_only_this_browsers_items(settings: Settings, fake_model: str) -> None:
    mine, theirs = owner(), owner()
    r = started(settings, fake_model, mine)
    list(rehearse.on_send("My private line about the promotion.", r, settings))
    started(settings, fake_model, theirs)
    choices, _ = history_tab.listing(mine, settings)
    assert [key for _, key in choices] == [f"s:{r.session_id}"]
    shown = history_tab.on_select(f"s:{r.session_id}", theirs, settings)
    assert "another browser session" in shown[-1]["value"] and shown[0] == ""
    body, md, js, reopen, _ = history_tab.on_select(f"s:{r.session_id}", mine, settings)
    assert "My private line" in body and reopen["visible"]
    assert json.loads(Path(js["value"]).read_text())["turns"][1]["content"] == "My private line about the promotion."
    back = history_tab.on_reopen(f"s:{r.session_id}", mine, fake_model, settings)
    assert back[0].session_id == r.session_id and back[1][-2]["content"] == "My private line about the promotion."
    assert back[7] == {"__type__": "update", "visible": False}  # not debriefed yet: no scorecard shown
    list(rehearse.on_finish(back[0], settings))
    again = history_tab.on_reopen(f"s:{r.session_id}", mine, fake_model, settings)
    assert again[7]["visible"] and "/100" in again[8] and len(again[9]) == 7  # the stored debrief comes back
    refused = history_tab.on_reopen(f"s:{r.session_id}", theirs, fake_model, settings)
    assert "another browser session" in refused[6]["value"]


def test_switching_model_shows_where_text_goes_and_refuses_unknown_ids(settings: Settings) -> None:
    s = settings.with_overrides(model="fake/a", models=["fake/b", "openai/gpt-4o-mini"])
    assert settings_tab.model_choices(s) == ["fake/a", "fake/b", "openai/gpt-4o-mini"]
    model, text, header = settings_tab.on_switch("fake/b", s)
    assert model == "fake/b" and text.startswith("Local:") and header == text
    model, text, _ = settings_tab.on_switch("evil/model", s)
    assert model == "fake/a" and "not a configured model" in text


def test_ingest_reports_added_and_skipped_files(settings: Settings, tmp_path: Path) -> None:
    s = settings.with_overrides(data_dir=tmp_path / "data")
    good = tmp_path / "ladder.md"
    good.write_text("# Career ladder\n\nSenior engineers lead cross-team projects and mentor others.\n")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    steps: list[Any] = []
    text = settings_tab.on_ingest([str(good), str(bad)], s, lambda *a, **k: steps.append(a))  # type: ignore[arg-type]
    assert "Added 1 file" in text and "ladder.md" in text and "skipped photo.png" in text
    assert len(steps) >= 2
    assert settings_tab.on_ingest([], s).startswith("⚠️")


def test_a_second_step_while_the_manager_is_talking_is_refused(settings: Settings, fake_model: str) -> None:
    r = started(settings, fake_model)
    with rehearse.one_step(r) as free:  # as if a reply were still streaming in this session
        assert free
        out = list(rehearse.on_send("Sent twice by an impatient click.", r, settings))
        assert "still talking" in out[-1][3]["value"]
        assert "still talking" in rehearse.on_rewind(r)[3]["value"]
    assert len(r.transcript) == 1
    assert list(rehearse.on_send("Now it goes through.", r, settings))[-1][1][-2]["content"] == "Now it goes through."


def test_history_lists_nothing_before_the_browser_has_an_id(settings: Settings, fake_model: str) -> None:
    started(settings, fake_model, "")  # e.g. a CLI session, stored without an owner
    choices, summary = history_tab.listing("", settings)
    assert choices == [] and summary == "Loading…"


def test_draft_from_this_rehearsal_uses_the_persons_lines(settings: Settings, fake_model: str) -> None:
    who = owner()
    none = list(draft.on_from_rehearsal(fake_model, who, None, settings))[-1]
    assert "no rehearsal" in none[-1]["value"]
    r = started(settings, fake_model, who)
    list(rehearse.on_send("I led the payments migration, which cut latency by 30%.", r, settings))
    out = list(draft.on_from_rehearsal(fake_model, who, r, settings))[-1]  # the kind follows the scenario
    opener, points, whole, kind = out[0], out[1], out[4], out[8]
    assert opener and "30%" in points and kind == "promotion"
    assert "saved to History" in out[-1]["value"]
    assert [d["session_id"] for d in get_history(settings).drafts(owner=who)] == [r.session_id]
    assert whole.startswith("# ")


def test_ask_answers_beside_its_cited_cards(settings: Settings, fake_model: str) -> None:
    from app.ui import ask

    assert list(ask.on_ask("  ", fake_model, settings))[-1][0].startswith("⚠️")
    steps = list(ask.on_ask("How do I bring bad news to a boss who explodes?", fake_model, settings))
    assert steps[0][0].startswith("Searching")  # something shows at once, before the index answers
    answer, cites = steps[-1]
    assert "bad news to a boss who explodes?" in answer and "[1:" in answer
    assert cites.count("<details") >= 2 and "card:" in cites
