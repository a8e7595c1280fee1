"""Ingested documents are untrusted data: they can be quoted, never followed or relayed as advice.

A person's own notes can still help ("your career ladder says..."), so a passage is shown as a
quotation attributed to its file, after dropping any sentence that reads like an instruction to
an assistant or to the reader ("ignore previous instructions", "tell the user to ...").
"""

from __future__ import annotations

import re

INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|notes|above|previous|prior)\b"
    r"|\b(?:system|developer)\s+(?:prompt|message|instructions?)\b"
    r"|\b(?:tell|advise|instruct|urge|remind)\s+(?:the\s+)?(?:user|reader|person|them|everyone|people)\s+(?:to|that)\b"
    r"|\b(?:you are|you're|act as|pretend to be|from now on,? you)\b[^.!?\n]{0,30}"
    r"\b(?:assistant|ai|chatbot|model|coach)\b"
    r"|\b(?:as an ai|language model|jailbreak|prompt injection)\b"
    r"|\bnew instructions?\b|\bdo not (?:cite|mention|reveal)\b"
    r"|<\s*/?\s*(?:script|img|iframe|system)\b",
    re.I,
)
QUOTE_PAIRS = {"“": "”", "‘": "’"}


def looks_like_instruction(text: str) -> bool:
    """True when a sentence reads like an instruction aimed at an assistant or at the reader."""
    return INSTRUCTION.search(text) is not None


def split_sentences(text: str) -> list[str]:
    """Sentences, keeping a quoted example ("... . ... ?") in one piece with its lead-in; a line
    break (a heading, a list item) always ends one."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [s for line in lines if line for s in _split_line(line)]


def _split_line(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    closing: list[str] = []
    straight = False
    for i, ch in enumerate(text):
        ends_quote = False
        if ch in QUOTE_PAIRS:
            closing.append(QUOTE_PAIRS[ch])
        elif closing and ch == closing[-1]:
            closing.pop()
            ends_quote = True
        elif ch == '"':
            straight = not straight
            ends_quote = not straight
        # a sentence ends at . ! ? outside quotes, or at a quote that closes on one
        ended = (ch in ".!?" and not closing and not straight) or \
            (ends_quote and not closing and not straight and i > 0 and text[i - 1] in ".!?")
        if not ended or i + 1 < len(text) and text[i + 1] in "\"”’)":
            continue
        nxt = text[i + 2] if i + 2 < len(text) else ""
        if i + 1 >= len(text) or (text[i + 1] == " " and (nxt.isupper() or nxt in "\"“‘([0123456789")):
            piece = text[start:i + 1].strip()
            if piece:
                out.append(piece)
            start = i + 1
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def quotable(text: str) -> list[str]:
    """The sentences of a document passage that may be shown as a quotation (no instructions)."""
    return [s for s in split_sentences(text) if not looks_like_instruction(s)]


IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
TAG = re.compile(r"<[^>]{0,200}>")


def plain(text: str) -> str:
    """Document text without what a renderer would fetch or follow: images, reference definitions
    and HTML tags go, links become their label, headings lose their marks; lines are kept."""
    text = IMAGE.sub("", text)
    text = LINK.sub(lambda m: m.group(1), text)
    text = REFERENCE.sub("", TAG.sub("", text))
    lines = (" ".join(line.split()).lstrip("#").strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
