"""All seven draft kinds on the real embedded model, through the CLI contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.coach.drafting import KINDS

pytestmark = pytest.mark.local
MODEL = "local/smollm2"
ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "evals" / "drafts.yaml").read_text())["cases"]
FIRST_OF_KIND = {c["kind"]: c for c in reversed(CASES)}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_on_the_embedded_model(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    case = FIRST_OF_KIND[kind]
    code = main(["draft", kind, "--situation", case["situation"], "--manager",
                 str(ROOT / "evals" / "managers" / case["manager"]), "--model", MODEL, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)
    assert doc["kind"] == kind and doc["opener"].strip() and doc["close"].strip() and "?" in doc["close"]
    assert doc["talking_points"] and all(p.strip() for p in doc["talking_points"])
    assert len(doc["anticipated_pushback"]) >= 2
    assert all(p["objection"].strip() and p["response"].strip() for p in doc["anticipated_pushback"])
    assert doc["citations"]
    assert all((ROOT / "knowledge" / f"{h['card']}.md").is_file() for h in doc["citations"])
    said = "\n".join([doc["opener"], *doc["talking_points"], doc["close"],
                      *(p["objection"] + " " + p["response"] for p in doc["anticipated_pushback"])]).lower()
    assert all(fact.lower() in said for fact in case["facts"]), [f for f in case["facts"] if f.lower() not in said]
    assert not any(b in said for b in ("you always", "you never", "you should"))
