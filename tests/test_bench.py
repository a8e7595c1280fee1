"""The benchmark's report (table and bench.json) and the serve warm-up's handler gate; no timings asserted."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from app.benchmarks.report import Report, Row, pct, table
from app.config import Settings
from app.ui.warmup import WarmUp


def test_rows_report_ratio_and_goal_and_the_table_lists_every_path(tmp_path: Path) -> None:
    rows = [
        Row("processes", "upward search", 1.2, floor=1.0, floor_label="import chromadb", goal=1.5, goal_on="ratio"),
        Row("rehearsal", "first visible text p50", 0.7, floor=0.1, goal=0.5, note="3 turns without the model"),
        Row("processes", "peak RSS", 640, unit="MB", goal=700),
        Row("retrieval", "HNSW recall@4", 1.0, unit=""),
    ]
    assert rows[0].ratio == 1.2 and rows[0].meets is True
    assert rows[1].meets is False and rows[2].meets is True and rows[3].meets is None
    text = "\n".join(table(rows))
    for row in rows:
        assert row.path in text
    assert "OVER" in text and "1.20x" in text and "640 MB" in text and "3 turns without the model" in text
    report = Report(rows=rows)
    doc = json.loads(report.write(tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert doc["machine"]["nproc"] and len(doc["rows"]) == 4
    assert doc["rows"][0]["ratio"] == 1.2 and doc["rows"][1]["meets"] is False


def test_percentiles_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert pct(values, 0.5) == 11.0 and pct(values, 0.95) == 19.0 and pct([3.0], 0.95) == 3.0


def test_gated_handlers_wait_for_the_warm_up_imports_and_keep_their_shape(tmp_path: Path) -> None:
    settings = Settings(model="fake/bench", data_dir=tmp_path)
    warm = WarmUp(settings)

    def handler(message: str, history: list[str], *, settings: Settings) -> Iterator[str]:
        yield message

    def plain(message: str) -> str:
        return message.upper()

    gated, gated_plain = warm.after_imports(handler), warm.after_imports(plain)
    assert inspect.isgeneratorfunction(gated) and not inspect.isgeneratorfunction(gated_plain)
    assert list(inspect.signature(gated).parameters) == ["message", "history", "settings"]
    got: list[str] = []
    worker = threading.Thread(target=lambda: got.extend([*gated("hi", [], settings=settings), gated_plain("hi")]))
    worker.start()
    time.sleep(0.2)
    assert got == []  # still waiting for the imports
    warm.imported.set()
    worker.join(5)
    assert got == ["hi", "HI"]


def test_upward_search_starts_without_the_model_or_web_stack() -> None:
    """`upward search` is retrieval only: importing litellm, gradio or llama.cpp would triple its start-up."""
    code = ("import sys; from app.cli import main; code = main(['search', 'my boss explodes at bad news', '--json']); "
            "print(sorted(m for m in ('litellm', 'gradio', 'llama_cpp', 'pandas') if m in sys.modules)); "
            "sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=os.environ,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout[: proc.stdout.rindex("}") + 1])["hits"]
    assert proc.stdout.strip().splitlines()[-1] == "[]"
