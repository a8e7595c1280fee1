"""The `upward` command: parse, call a service, print. See the CLI contract in the README.

Exit codes: 0 success, 2 bad input (stderr says what and how to fix), 1 any other failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.config import get_settings, private_umask
from app.errors import BadInput, UpwardError
from app.services import Services

Handler = Callable[[argparse.Namespace, Services], int]


def _emit(args: argparse.Namespace, doc: dict[str, Any], text: str) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2) if getattr(args, "json", False) else text)


def _hits_text(hits: list[Any]) -> str:
    if not hits:
        return "No guidance found."
    return "\n\n".join(f"{i}. {h.title}  [{h.source}, {h.score:.2f}]\n   {h.text[:300]}"
                       for i, h in enumerate(hits, 1))


def cmd_serve(args: argparse.Namespace, services: Services) -> int:
    from app.llm import registry

    embedded = registry.in_process(services.settings.model, services.settings)
    if embedded is not None and embedded.loads_weights:
        from app import prompts

        # the weights load, and the first token is generated, while Gradio imports: a sooner first reply
        embedded.warm_soon(prime=prompts.warmup_messages(services.settings.prompts_dir))
    from app import ui

    ui.serve(services)
    return 0


def cmd_search(args: argparse.Namespace, services: Services) -> int:
    from app.retrieval.search import get_searcher, search_once

    hits = search_once(args.query, k=args.k, settings=services.settings)
    _emit(args, {"hits": [h.model_dump() for h in hits]}, _hits_text(hits))
    global _read_only
    _read_only = not get_searcher(services.settings).rebuilt
    return 0


def cmd_ask(args: argparse.Namespace, services: Services) -> int:
    from app.coach.guidance import ask

    answer = ask(args.question, k=args.k, model=services.settings.model, settings=services.settings)
    sources = "\n".join(f"[{i}] {h.title} ({h.source}: {h.card})" for i, h in enumerate(answer.citations, 1))
    _emit(args, answer.model_dump(), f"{answer.answer}\n\n{sources}".rstrip())
    return 0


def cmd_ingest(args: argparse.Namespace, services: Services) -> int:
    from app.retrieval.ingest import ingest

    report = ingest(args.paths, rebuild=args.rebuild, settings=services.settings)
    doc = {
        "added": report.added, "unchanged": report.unchanged, "chunks": report.chunks,
        "skipped": [{"path": str(s.path), "reason": s.reason} for s in report.skipped],
    }
    lines = [f"Ingested {len(report.added)} file(s), {report.chunks} chunk(s); "
             f"{len(report.unchanged)} unchanged."]
    lines += [f"Skipped {s.path}: {s.reason}" for s in report.skipped]
    _emit(args, doc, "\n".join(lines))
    return 0


def cmd_bench(args: argparse.Namespace, services: Services) -> int:
    from app import bench

    for line in bench.run(services.settings):
        print(line, flush=True)
    return 0


def _facts_arg(pairs: list[str] | None) -> dict[str, str]:
    facts: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"--fact '{pair}' is not name=value.", "write it as --fact new_date='June 15'")
        facts[name.strip()] = value.strip()
    return facts


def cmd_draft(args: argparse.Namespace, services: Services) -> int:
    from app.coach.drafting import check_kind, make_draft
    from app.coach.profiles import load_profile

    check_kind(args.kind)
    profile = load_profile(args.manager) if args.manager else None
    result = make_draft(args.kind, args.situation or "", profile=profile, facts=_facts_arg(args.fact),
                        model=services.settings.model, settings=services.settings)
    doc = result.draft.model_dump()
    doc["missing_facts"] = [f.question for f in result.missing]
    doc["draft_id"] = result.draft_id
    for line in result.notices if not args.json else []:
        print(f"note: {line}", file=sys.stderr)
    _emit(args, doc, result.markdown.rstrip())
    return 0


def _read_script(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    except FileNotFoundError as exc:
        raise BadInput(f"Script file {path} does not exist.", "pass a text file with one line per turn") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"Script file {path} could not be read as text: {exc}", "save it as UTF-8 text") from exc
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadInput(f"Script file {path} has no lines.", "write what you would say, one turn per non-empty line")
    return lines


def cmd_rehearse(args: argparse.Namespace, services: Services) -> int:
    from app import cli_rehearse as terminal  # the rehearsal modules: only this command needs them
    from app.coach.profiles import load_profile
    from app.coach.report import debrief_text

    settings = services.settings
    profile = load_profile(args.manager)
    if args.speak:  # no player: say so before the rehearsal, not after it
        from app.voice.playback import player

        player()
    if args.audio_dir:
        from app.voice.session import run_audio

        if args.script:
            raise BadInput("Give either --script or --audio-dir, not both.", "drop one of them")
        doc = run_audio(args.scenario, profile, args.audio_dir, difficulty=args.difficulty, model=settings.model,
                        settings=settings, situation=args.situation)
        talk = "\n".join(f"{'You' if t['role'] == 'user' else profile.name}: {t['content']}" for t in doc["transcript"])
        _emit(args, doc, f"{talk}\n\n{debrief_text(doc['debrief'])}")
        terminal.speak_transcript(args, doc)
        return 0
    if args.script:
        doc = terminal.scripted(args, settings, profile, _read_script(args.script))
        talk = "\n".join(f"{'You' if t['role'] == 'user' else profile.name}: {t['content']}" for t in doc["transcript"])
        _emit(args, doc, f"{talk}\n\n{debrief_text(doc['debrief'])}")
        terminal.speak_transcript(args, doc)
        return 0
    return terminal.interactive(args, settings, profile, _emit)


def cmd_history(args: argparse.Namespace, services: Services) -> int:
    from app.coach.report import session_markdown  # the debrief's renderer: only this command needs it

    store = services.history
    if args.id is None:
        sessions, drafts = store.sessions(), store.drafts()

        def when(ts: float) -> str:  # local time, to the minute: when it was last touched
            return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))

        lines = [f"rehearsal {s['id']}  {when(s['updated'])}  {s['scenario']:<16} {s['turns']:>2} turns  "
                 f"{'debriefed' if s['finished'] else 'open'}  {s['title']}" for s in sessions]
        lines += [f"draft     {d['id']}  {when(d['created'])}  {d['kind']:<16} {d['title']}" for d in drafts]
        _emit(args, {"sessions": sessions, "drafts": drafts}, "\n".join(lines) or "History is empty.")
        return 0
    try:
        doc = store.session(args.id)
        markdown = session_markdown(doc)
    except UpwardError:
        doc = store.draft(args.id)
        markdown = doc["markdown"]
    _emit(args, doc, markdown)
    return 0


def cmd_eval(args: argparse.Namespace, services: Services) -> int:
    """Run the offline eval suites; exit 1 when a gated metric is below its threshold."""
    from app.evals.report import summary_table, write_report
    from app.evals.runner import run_evals

    run = run_evals(args.suite, settings=services.settings, model=services.settings.model, judge=args.judge,
                    limit=args.limit, sample=args.sample)
    written = write_report(run, Path(args.report)) if args.report else []
    doc = {**run.model_dump(), "passed": run.passed, "report": [str(p) for p in written]}
    text = summary_table(run) + (f"\nReport: {written[0]}" if written else "")
    _emit(args, doc, text)
    return 0 if run.passed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="upward", description="Rehearse the conversation you dread with your manager."
    )
    sub = parser.add_subparsers(dest="command")

    def add(
        name: str, handler: Handler, help_: str, model: bool = False, json_: bool = False
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.set_defaults(handler=handler)
        if model:
            p.add_argument("--model", help="litellm model id (default local/smollm2 or UPWARD_MODEL)")
        if json_:
            p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        return p

    p = add("serve", cmd_serve, "start the web app", model=True)
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p = add("search", cmd_search, "retrieve guidance cards (no model)", json_=True)
    p.add_argument("query")
    p.add_argument("-k", type=int, default=4)
    p = add("ask", cmd_ask, "a grounded, cited answer", model=True, json_=True)
    p.add_argument("question")
    p.add_argument("-k", type=int, default=4)
    p = add("ingest", cmd_ingest, "add your own documents (md, txt, html, pdf)", json_=True)
    p.add_argument("paths", nargs="+")
    p.add_argument("--rebuild", action="store_true", help="clear previously ingested documents first")
    add("bench", cmd_bench, "benchmarks, printed as ratios against a baseline measured in the same run",
        model=True)
    p = add("draft", cmd_draft, "draft the opener, talking points, pushback replies and close", model=True,
            json_=True)
    p.add_argument("kind", help="career-goal, upward-feedback, bad-news, promotion, autonomy, status-report, "
                                "resource-request or workload")
    p.add_argument("--situation", required=True, help="your situation in your own words, with names, dates, numbers")
    p.add_argument("--manager", help="a YAML or JSON manager profile")
    p.add_argument("--fact", action="append", metavar="NAME=VALUE", help="give or correct one fact (repeatable)")
    p = add("rehearse", cmd_rehearse, "role-play your manager, then get a scored debrief", model=True, json_=True)
    p.add_argument("--scenario", default="promotion", help="one of the scenarios in prompts/scenarios/")
    p.add_argument("--manager", help="a YAML or JSON manager profile")
    p.add_argument("--difficulty", default="realistic", choices=["easy", "realistic", "tough"])
    p.add_argument("--script", help="a file of your lines, one turn per non-empty line ('-' reads stdin)")
    p.add_argument("--audio-dir", metavar="DIR", help="a folder of recordings, one WAV per turn, in name order; "
                                                      "transcribed locally, with delivery feedback in the debrief")
    p.add_argument("--speak", action="store_true", help="speak the manager's replies aloud (a local voice)")
    p.add_argument("--no-hints", action="store_true", help="no coaching hints (interactive only)")
    p.add_argument("--resume", help="continue a stored session by id (interactive)")
    p.add_argument("--situation", help="a few sentences about your real situation: names, figures, dates, what "
                                       "your manager worries about; the manager uses them")
    p = add("history", cmd_history, "list past rehearsals and drafts, or export one as Markdown/JSON", json_=True)
    p.add_argument("id", nargs="?", help="a session or draft id to export")
    p = add("eval", cmd_eval, "run the offline eval suites and gate them against evals/thresholds.yaml",
            model=True, json_=True)
    p.add_argument("--suite", action="append", help="retrieval, persona, drafts or debrief (repeatable; default all)")
    p.add_argument("--report", metavar="DIR", help="write report.md, report.json and a chart into DIR")
    p.add_argument("--judge", metavar="MODEL", help="a stronger model that grades persona realism and drafts")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N cases of each suite (quick check)")
    p.add_argument("--sample", type=int, metavar="N",
                   help="at most N cases per scenario / draft kind in the model-driven suites (stratified)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        parser.error("-k must be at least 1")
    if args.command is None:
        args = parser.parse_args(["serve", *(argv or [])])
    private_umask()  # history, index and exports are the person's alone: 0600 files, 0700 folders
    try:
        services = Services(get_settings().with_overrides(
            model=getattr(args, "model", None), host=getattr(args, "host", None), port=getattr(args, "port", None)
        ))
        return int(args.handler(args, services))
    except UpwardError as exc:
        print(f"upward: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"fix: {exc.fix}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        print(f"upward: invalid setting: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}", file=sys.stderr)
        print("fix: check your UPWARD_* environment variables and .env", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`upward search ... | head -1`): nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 1
    except RecursionError:
        print("upward: the input is nested too deeply to read.", file=sys.stderr)
        print("fix: simplify the file you passed", file=sys.stderr)
        return 2


# Set by a command that wrote nothing (a search that did not rebuild the index): the console script may
# then end without the interpreter's teardown of chromadb, onnxruntime and the Rust store, 0.1-0.15 s
# of a one-shot search's wall time in which nothing is left to save.
_read_only = False


def run() -> None:
    """The `upward` console script: `main`, then exit; at once when the command wrote nothing."""
    code = main()
    if _read_only:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
