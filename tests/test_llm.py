"""The model boundary, through its public functions, on the scripted fake provider."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from app.errors import BadInput, ConfigError, ProviderUnavailable, StructuredOutputError, UnknownModel
from app.llm import fake, gateway
from app.llm.budget import fit_messages

ROOT = Path(__file__).resolve().parent.parent


class Verdict(BaseModel):
    verdict: str
    score: int


def test_only_the_gateway_imports_litellm() -> None:
    importers = []
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "litellm" or n.startswith("litellm.") for n in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["app/llm/gateway.py"]


def test_complete_reaches_the_fake_engine(fake_model: str) -> None:
    fake.engine(fake_model).enqueue("Let's look at the numbers first.")
    out = gateway.complete([{"role": "user", "content": "Can we talk?"}], model=fake_model)
    assert out.text == "Let's look at the numbers first."
    assert fake.engine(fake_model).history[-1].messages[-1]["content"] == "Can we talk?"


def test_in_process_models_never_import_litellm() -> None:
    """The embedded and fake engines are called directly: litellm (3 s, 140 MB) is for providers only."""
    code = ("import sys; from app.config import load_settings; from app.llm import registry; "
            "m = registry.model('fake/quiet', load_settings()); "
            "print(m.complete([{'role': 'user', 'content': 'hi'}]).text); "
            "print(''.join(m.stream([{'role': 'user', 'content': 'hello there'}]))); "
            "print('litellm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "False" and "hello there" in out.stdout


def test_stream_yields_pieces_in_order(fake_model: str) -> None:
    fake.engine(fake_model).enqueue("one two three four")
    s = gateway.stream([{"role": "user", "content": "hi"}], model=fake_model)
    pieces = list(s)
    assert len(pieces) == 4 and "".join(pieces) == "one two three four" == s.text


def test_structured_validates_and_reasks_with_the_error(fake_model: str) -> None:
    eng = fake.engine(fake_model).enqueue('{"verdict": "good"}', '{"verdict": "good", "score": 3}')
    out = gateway.structured([{"role": "user", "content": "rate it"}], Verdict, model=fake_model)
    assert out == Verdict(verdict="good", score=3)
    reask = eng.history[-1].messages[-1]["content"]
    assert "score" in reask and "not valid" in reask
    assert eng.history[0].params["json_schema"]["title"] == "Verdict"


def test_structured_gives_up_with_the_last_output(fake_model: str) -> None:
    fake.engine(fake_model).enqueue("nope", "still nope", "never JSON")
    with pytest.raises(StructuredOutputError) as err:
        gateway.structured([{"role": "user", "content": "rate it"}], Verdict, model=fake_model, retries=2)
    assert err.value.last_output == "never JSON"


def test_provider_dying_mid_stream_keeps_the_partial_text(fake_model: str) -> None:
    fake.engine(fake_model).enqueue(fake.Die("I was about to say"))
    s = gateway.stream([{"role": "user", "content": "hi"}], model=fake_model)
    got = []
    with pytest.raises(ProviderUnavailable) as err:
        for piece in s:
            got.append(piece)
    assert "".join(got) == "I was about to say" == err.value.partial
    assert err.value.exit_code == 1  # an outage, not bad input


def test_unknown_model_says_how_to_configure() -> None:
    for bad in ("local/gpt-9", "nosuchprovider/model-x", "   "):
        with pytest.raises(UnknownModel) as err:
            gateway.resolve(bad)
        assert "UPWARD_MODEL" in (err.value.fix or "") and err.value.exit_code == 2


def test_missing_api_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError) as err:
        gateway.resolve("openai/gpt-4o-mini")
    assert "OPENAI_API_KEY" in err.value.message and "local/smollm2" in (err.value.fix or "")


def test_unreachable_server_is_a_clear_provider_error(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    cfg = settings.with_overrides(api_base=f"http://127.0.0.1:{port}/v1", retries=0, timeout=5)
    with pytest.raises(ProviderUnavailable) as err:
        gateway.complete([{"role": "user", "content": "hi"}], model="openai/some-model", settings=cfg)
    assert f"127.0.0.1:{port}" in err.value.message and err.value.exit_code == 1


def test_empty_message_is_bad_input(fake_model: str) -> None:
    with pytest.raises(BadInput, match="empty"):
        gateway.complete([{"role": "user", "content": "   "}], model=fake_model)


def test_message_far_over_the_context_is_trimmed_with_a_notice(fake_model: str, settings) -> None:
    cfg = settings.with_overrides(local_context=1024)
    huge = "word " * 20000
    out = gateway.complete([{"role": "system", "content": "Be brief."}, {"role": "user", "content": huge}],
                           model=fake_model, settings=cfg, max_tokens=100)
    sent = fake.engine(fake_model).history[-1].messages
    assert sent[0]["content"] == "Be brief."
    assert len(sent[-1]["content"]) < len(huge)
    assert any("too long" in n for n in out.notices)


def test_fit_keeps_system_and_newest_and_drops_oldest_first() -> None:
    msgs = [{"role": "system", "content": "sys"}]
    msgs += [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn{i} " + "x " * 50}
             for i in range(10)]
    msgs.append({"role": "user", "content": "newest"})
    fitted = fit_messages(msgs, lambda t: len(t.split()), budget=200)
    assert fitted.messages[0]["content"] == "sys" and fitted.messages[-1]["content"] == "newest"
    assert fitted.dropped_turns >= 7 and fitted.tokens <= 200
    kept = [m["content"].split()[0] for m in fitted.messages[1:-1]]
    assert kept == sorted(kept, key=lambda w: int(w[4:]))  # the survivors are the newest, in order
    assert "earlier turn" in fitted.notices[0]


def test_privacy_notice_tells_local_from_remote(settings) -> None:
    assert gateway.privacy_notice(gateway.resolve("local/smollm2")).startswith("Local")
    remote = gateway.resolve("openai/gpt-4o-mini", settings.with_overrides(api_base="https://llm.example.com/v1"))
    assert "llm.example.com" in gateway.privacy_notice(remote)
