"""How a rehearsal and its debrief read: one renderer, as Markdown (web page, History export) or as
plain text (CLI), so the three places that show a debrief show the same sections in the same order."""

from __future__ import annotations

from typing import Any

from app.voice.delivery import Delivery, delivery_markdown, delivery_text

SECTIONS = (("Strengths", "strengths"), ("To improve", "improvements"), ("Turning points", "moments"))


def _doc(debrief: Any) -> dict[str, Any]:
    return debrief if isinstance(debrief, dict) else debrief.model_dump(mode="json")


def debrief_notes(debrief: Any, *, markdown: bool = True) -> list[str]:
    """Strengths, improvements, turning points and (when the turns were spoken) delivery, as lines."""
    doc = _doc(debrief)
    out: list[str] = []
    for head, key in SECTIONS:
        items = doc.get(key) or []
        if not items:
            continue
        if markdown:
            out += [f"**{head}**", *[f"- {i}" for i in items], ""]
        else:
            out += [f"{head}:", *[f"  - {i}" for i in items]]
    if doc.get("delivery"):
        delivery = Delivery.model_validate(doc["delivery"])
        out += [delivery_markdown(delivery), ""] if markdown else [delivery_text(delivery)]
    if markdown:
        out += [f"*{n}*" for n in doc.get("notes") or [] if n.startswith("Delivery feedback")]
    return out


def debrief_text(debrief: Any) -> str:
    """The whole debrief as plain text: score, dimensions, notes, the guidance behind them (CLI)."""
    doc = _doc(debrief)
    out = [f"Debrief: {doc['overall']}/100"]
    out += [f"  {dim:<11} {score}/4" for dim, score in doc["scores"].items()]
    notes = debrief_notes(doc, markdown=False)
    delivery = notes.pop() if doc.get("delivery") else None
    out += notes
    out += ["Guidance:", *[f"  - {h['title']} ({h['source']}: {h['card']})" for h in doc.get("citations") or []]]
    if delivery:
        out.append(delivery)
    return "\n".join(out)


def debrief_markdown(debrief: Any) -> str:
    """The whole debrief as Markdown: score, dimensions, notes, guidance (History export)."""
    doc = _doc(debrief)
    lines = [f"Overall: {doc.get('overall', '?')}/100", ""]
    lines += [f"- {k}: {v}/4" for k, v in (doc.get("scores") or {}).items()]
    lines += ["", *debrief_notes(doc)]
    cites = doc.get("citations") or []
    if cites:
        lines += ["**Guidance**", *[f"- {c['title']} ({c['source']})" for c in cites]]
    return "\n".join(lines).rstrip()


def session_markdown(session: dict[str, Any]) -> str:
    """A rehearsal as Markdown: transcript, then the debrief if there is one."""
    lines = [f"# Rehearsal: {session['title']}", "",
             f"Scenario: {session['scenario']} · difficulty: {session['difficulty']} · model: {session['model']}", ""]
    for t in session["turns"]:
        who = "**You**" if t["role"] == "user" else "**Manager**"
        lines += [f"{who}: {t['content']}", ""]
    if session.get("debrief"):
        lines += ["## Debrief", "", debrief_markdown(session["debrief"])]
    return "\n".join(lines).rstrip() + "\n"
