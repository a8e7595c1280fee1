"""Reading the person's line: which of the manager's concerns it answers and what it does.

A 135M model cannot be trusted to understand a line, so code does, with what ships on board: the
MiniLM sentence embeddings (similarity to exemplar answers of each concern and to exemplar lines of
each act, in prompts/exemplars/) and Snowball-stemmed cue phrases (so "picks up" and "trained"
match "pick up" and "train"). Everything here is deterministic: the same line always reads the
same, which keeps rewind, resume and the debrief exact.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import snowballstemmer  # type: ignore[import-untyped]

from app.coach.rehearsal.cues import (
    ACCUSING,
    ADMITS,
    ASIDE,
    ASK_CUES,
    BLAME,
    CAPITALISED,
    CHANGE,
    CLOSING,
    DEFERS,
    FIGURE,
    HYPOTHETICAL,
    INPUT_CUES,
    LEAVING,
    MEASURE,
    MODEST,
    NEGATION,
    NOT_DONE,
    OUTCOME,
    PRIORITY_CUES,
    PROPOSES,
    REASSURES,
    REFUSES,
    REQUESTS,
    SEQUENCE,
    SOLUTION_CUES,
    SPECIFIC,
    STRONG_SOLUTION,
    THEIRS,
    THREAT_FRAME,
    VAGUE,
    WISH,
    threatens,
)
from app.coach.scenarios import Concern, Scenario
from app.text import STOP as FUNCTION_WORDS
from app.text import first_sentence, only_questions
from app.yamlfile import load_yaml

ACTS = ("evidence", "solution", "ask", "input", "priorities", "ultimatum", "blame", "offtopic", "closing")
NOT_ANSWERS = ("ultimatum", "blame", "offtopic", "closing", "none")
TOKEN = re.compile(r"[a-z0-9][a-z0-9'%$-]*")
# Blame that counts against a line's specifics: a jibe at the listener, or disowning one's own part ("That's not on
# me"). Naming a cause, even a colleague ("Marco never read the vendor changelog"), is an answer to "how did it
# happen?", however bluntly put.
RUDE = re.compile(r"\byou(r|rs|rself)?\b|\bnot (on|down to) me\b|\bnot my (fault|problem)\b|\bnothing to do with me\b")
QUOTED = re.compile(r"\"[^\"]{1,80}\"|(?<!\w)'[^']{1,80}'(?!\w)|“[^”]{1,80}”")  # someone else's words, quoted

# Thresholds tuned on evals/understanding.yaml only (the held-back files, evals/understanding_heldout*.yaml, are not).
TOPIC_SIM = 0.30        # close enough to a concern's exemplars (answers or near misses) to be about it
TOPIC_SIM_CUED = 0.25   # ... when one of the concern's cue phrases (stemmed) also occurs
ANSWER_SIM = 0.50       # so close to an exemplar answer that it is about the concern whatever the words
ANSWER_LEAD = 0.05      # closer to the answers than to the near misses by this much counts as substance
NEAR_MARGIN = 0.15      # a line much closer to a near miss than to any answer does not answer
FOCUS_MARGIN = 0.10     # ... nor one that is plainly about another of the manager's concerns
SUBSTANCE_P = 0.6       # the pooled answer-or-near-miss classifier hears an answer in the line (or a part) ...
SUBSTANCE_SLACK = 0.12  # ... and it is not plainly closer to a near miss of this concern than to its answers
UNPROMPTED_SIM = 0.45   # answering a concern not raised yet: its cue, or this close to an exemplar answer
SHARED_MARGIN = 0.05    # ... and nearly as close to it as to another concern (one line can answer both)
STUFFED = 5             # this many of a concern's cue words (distinct stems) and no figure or name: stuffing
TOPIC_FIRST = 0.0       # the topic classifier puts the worry asked this far ahead of the others: it is about it
CHRONICLE = (35, 10)     # a story of this many words with this many names, dates and figures, told in sequence,
#                          answers only at ANSWER_SIM
SALAD_CUES = 3          # a list of fragments with this many of the concern's cue words is a heap, not clipped speech
TELEGRAPHIC_LEAD = 0.12  # ... and a heap with a figure or name in it answers only this much nearer an answer
LONG_LINE = 40           # a line of this many words has a name or a figure by chance: its specifics earn no slack
CROSS_MARGIN = 0.45     # the scenario's topic classifier puts another worry this far ahead (and first in every part)
WEAK, LIKELY, STRONG, CERTAIN = 0.3, 0.5, 0.8, 0.92  # act classifier probabilities: with a cue, with support,
# alone; threats and blame alone need near-certainty from the classifier (their own patterns catch most)
THREAT, ACCUSED = 0.55, 0.5  # ... or less, in a threat's frame (a condition, an either/or) or blame's stance

_stem_lock = threading.Lock()
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    with _stem_lock:  # the Snowball stemmer object keeps state between calls
        return str(_stemmer.stemWord(word))


def stems(text: str) -> list[str]:
    """The line's words, lower-cased and Snowball-stemmed, in order."""
    low = text.lower().replace("’", "'")
    return [stem(w.strip("'")) for w in TOKEN.findall(low) if w.strip("'")]


def cue_hits(text_stems: Sequence[str], cues: Sequence[str]) -> list[str]:
    """The cue phrases whose stemmed words occur in order, adjacent, in the line (symbols by containment)."""
    joined = " " + " ".join(text_stems) + " "
    found = []
    for cue in cues:
        cue_stems = stems(cue)
        if not cue_stems:
            continue
        if " " + " ".join(cue_stems) + " " in joined:
            found.append(cue)
    return found


@dataclass(frozen=True)
class Bank:
    """Exemplars, embedded once: per concern (answers, near misses) and a one-vs-rest linear classifier
    per act, fitted on prompts/exemplars/acts.yaml (deterministic: fixed steps from zeros)."""

    concerns: dict[str, tuple[np.ndarray, np.ndarray]]
    weights: np.ndarray  # (len(ACTS), 385): 384 embedding dims + bias
    negated: dict[str, np.ndarray] = field(default_factory=dict)  # per concern: which answers are said negated
    substance: np.ndarray = field(default_factory=lambda: np.zeros(385))  # answers against near misses, pooled
    topics: tuple[tuple[str, ...], np.ndarray] = ((), np.zeros((0, 385)))  # which of the scenario's concerns
    substance_by: dict[str, np.ndarray] = field(default_factory=dict)  # per concern: the pooled model, adapted


def _embed(texts: Sequence[str]) -> np.ndarray:
    from app.retrieval.embedding import embed

    return embed(list(texts)) if texts else np.zeros((0, 384), dtype=np.float32)


def _exemplar_vectors(texts: Sequence[str], cache_dir: Path | None = None) -> np.ndarray:
    """`_embed` for the shipped exemplars, kept on disk in `cache_dir` (the data directory's cache), keyed
    by the embedding model and the exact texts: a served app's first reply no longer waits for seconds of
    embedding. Without a folder, or with any trouble in it (read-only, a torn file), it just embeds."""
    from app.retrieval.embedding import MODEL_ID

    if not texts:
        return _embed(texts)
    from app.retrieval.embedding import embed_cached

    # kept in this process too: another data directory's bank (tests, evals) holds the same exemplars
    return _kept([MODEL_ID, *texts], (len(texts), 384), lambda: embed_cached(list(texts)), cache_dir)


def _kept(key_parts: Sequence[str], shape: tuple[int, ...], compute: Callable[[], np.ndarray],
          cache_dir: Path | None) -> np.ndarray:
    """`compute()`, kept as .npy in `cache_dir` under a hash of `key_parts` (everything it depends on)."""
    from app.config import write_private
    from app.errors import UpwardError

    if cache_dir is None:
        return compute()
    key = hashlib.sha256("\n".join(key_parts).encode()).hexdigest()[:32]
    path = Path(cache_dir) / f"{key}.npy"
    try:
        if path.is_file():
            kept = np.load(path, allow_pickle=False)
            if kept.shape == shape:
                return kept
    except (OSError, ValueError):
        pass  # torn or unreadable: computed and written again
    value = compute()
    buffer = io.BytesIO()
    np.save(buffer, value, allow_pickle=False)
    with contextlib.suppress(OSError, UpwardError):  # a read-only data directory: compute again next time
        write_private(path, buffer.getvalue())
    return value


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = load_yaml(path, "Exemplar file") or {}
    return data if isinstance(data, dict) else {}


def _fit_softmax(x: np.ndarray, y: np.ndarray, k: int, steps: int = 500, rate: float = 2.0,
                 l2: float = 1e-3) -> np.ndarray:
    """Multinomial logistic regression by plain gradient descent from zeros: the same weights every time."""
    xb = np.hstack([x, np.ones((len(x), 1), dtype=np.float32)]).astype(np.float64)
    w = np.zeros((k, xb.shape[1]))
    target = np.eye(k)[y]
    for _ in range(steps):
        z = xb @ w.T
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - target).T @ xb / len(y)
        grad[:, :-1] += l2 * w[:, :-1]
        w -= rate * grad
    return w


def _balance(y: np.ndarray) -> np.ndarray:
    """Per-example weights that give the positives and the negatives equal say, however many of each."""
    pos = max(1.0, float(y.sum()))
    return np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * max(1.0, len(y) - pos)))


def _fit(x: np.ndarray, y: np.ndarray, steps: int = 400, rate: float = 2.0, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression by plain gradient descent from zeros: the same weights every time."""
    xb = np.hstack([x, np.ones((len(x), 1), dtype=np.float32)]).astype(np.float64)
    w = np.zeros(xb.shape[1])
    balance = _balance(y)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ ((p - y) * balance) / len(y) + l2 * np.r_[w[:-1], 0.0]
        w -= rate * grad
    return w


@lru_cache(maxsize=16)
def _acts_model(path: Path, mtime_ns: int, cache_dir: Path | None = None) -> np.ndarray:
    data = _read_yaml(path)
    texts: list[str] = []
    labels: list[str] = []
    for key in (*ACTS, "none"):
        for item in data.get(key) or []:
            texts.append(str(item))
            labels.append(key)
    if not texts:
        return np.zeros((len(ACTS), 385))
    from app.retrieval.embedding import MODEL_ID

    def fit() -> np.ndarray:
        x = _exemplar_vectors(texts, cache_dir)
        weights = np.zeros((len(ACTS), 385))
        for i, act in enumerate(ACTS):
            y = np.array([1.0 if label == act else 0.0 for label in labels])
            if y.sum():
                weights[i] = _fit(x, y)
        return weights

    # the fitted weights are kept too: fitting nine classifiers costs ~0.1 s of every process's first reply
    labelled = (f"{label}\t{text}" for label, text in zip(labels, texts, strict=True))
    return _kept(["acts-fit", repr(_fit.__defaults__), MODEL_ID, *ACTS, *labelled], (len(ACTS), 385), fit, cache_dir)


SUBSTANCE_FILE = "substance.json"  # the fitted weights, shipped beside the exemplars they were fitted on


def _substance_texts(folder: Path) -> tuple[list[str], list[str]]:
    """Every scenario's exemplar answers, and what answers nothing: every near miss and dodge (long lines that
    sound concrete and say nothing: rambling, history, blame, promises of a later answer), and the act
    exemplars of threats, blame, chat, goodbyes and filler."""
    answers: list[str] = []
    near: list[str] = []
    acts = _read_yaml(folder / "acts.yaml")
    for key in NOT_ANSWERS:
        near += [str(x) for x in acts.get(key) or []]
    for path in sorted(folder.glob("*.yaml")):
        raw = _read_yaml(path).get("concerns") if path.name != "acts.yaml" else None
        for entry in raw.values() if isinstance(raw, dict) else ():
            entry = entry if isinstance(entry, dict) else {}
            answers += [str(x) for x in entry.get("answers") or []]
            near += [str(x) for x in [*(entry.get("near_misses") or []), *(entry.get("dodges") or [])]]
    return answers, near


def substance_key(folder: Path) -> str:
    """What the substance weights depend on: the embedding model, the fitting, and the exemplar files' bytes."""
    from app.retrieval.embedding import MODEL_ID

    digest = hashlib.sha256(repr((MODEL_ID, _fit.__defaults__, NOT_ANSWERS)).encode())
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def fit_substance(folder: Path, cache_dir: Path | None = None) -> np.ndarray:
    """Fit the pooled classifier: an answer against everything that answers nothing, across all scenarios."""
    answers, near = _substance_texts(folder)
    if not (answers and near):
        return np.zeros(385)
    x = np.vstack([_exemplar_vectors(answers, cache_dir), _exemplar_vectors(near, cache_dir)])
    return _fit(x, np.r_[np.ones(len(answers)), np.zeros(len(near))])


@lru_cache(maxsize=8)
def _substance_model(folder: Path, stamp: tuple[tuple[str, int], ...], cache_dir: Path | None = None) -> np.ndarray:
    key = substance_key(folder)
    shipped = folder / SUBSTANCE_FILE
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(shipped.read_text(encoding="utf-8"))
        if data["key"] == key and len(data["weights"]) == 385:
            return np.array(data["weights"], dtype=np.float64)
    # exemplars edited since the weights were shipped: fit them (embedding ~1,800 lines once), kept on disk
    return _kept(["substance-fit", key], (385,), lambda: fit_substance(folder, cache_dir), cache_dir)


def substance_model(prompts_dir: Path, cache_dir: Path | None = None) -> np.ndarray:
    """One linear classifier, fitted on every scenario's exemplar answers against their near misses (and lines
    that answer nothing): what an answer has that a near miss lacks (a mechanism, a fact, a commitment) sounds
    alike whatever the topic, so it also hears answers worded unlike any exemplar of their own concern."""
    folder = prompts_dir / "exemplars"
    stamp = tuple((path.name, _mtime(path)) for path in sorted(folder.glob("*.yaml")))
    return _substance_model(folder, stamp, cache_dir)


def write_substance(prompts_dir: Path) -> Path:
    """Refit the substance weights from the exemplar files and ship them beside them (after editing exemplars:
    `python -m app.coach.rehearsal.understanding`; a test fails while they are stale)."""
    folder = prompts_dir / "exemplars"
    weights = fit_substance(folder)
    path = folder / SUBSTANCE_FILE
    path.write_text(json.dumps({"key": substance_key(folder), "weights": [round(float(w), 6) for w in weights]})
                    + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=64)
def _concern_bank(path: Path, mtime_ns: int, key: str,
                  cache_dir: Path | None = None) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    data = _read_yaml(path)
    raw = data.get("concerns") or {}
    out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if isinstance(raw, dict):
        for cid, entry in raw.items():
            entry = entry if isinstance(entry, dict) else {}
            answers = [str(x) for x in entry.get("answers") or []]
            out[str(cid)] = (_exemplar_vectors(answers, cache_dir),
                             _exemplar_vectors([str(x) for x in entry.get("near_misses") or []], cache_dir),
                             _negated(answers))
    return out


@lru_cache(maxsize=64)
def _topic_model(path: Path, mtime_ns: int, key: str,
                 cache_dir: Path | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    """One softmax classifier per scenario over its concerns, fitted on each concern's answers and near misses:
    which worry a line is about, learnt against the scenario's other worries rather than by nearest exemplar."""
    loaded = _concern_bank(path, mtime_ns, key, cache_dir)
    ids = tuple(cid for cid, (answers, near, _) in loaded.items() if len(answers) + len(near))
    if len(ids) < 2:
        return (), np.zeros((0, 385))
    x = np.vstack([np.vstack(loaded[cid][:2]) for cid in ids])
    labels = np.concatenate([np.full(sum(map(len, loaded[cid][:2])), i) for i, cid in enumerate(ids)])

    def fit() -> np.ndarray:
        return _fit_softmax(x, labels, len(ids))

    digest = hashlib.sha256(x.astype(np.float32).tobytes() + labels.astype(np.int64).tobytes()).hexdigest()
    return ids, _kept(["topic-fit", repr(_fit_softmax.__defaults__), digest], (len(ids), 385), fit, cache_dir)


CONCERN_L2 = 0.02  # how hard a concern's own substance model is held to the pooled one


def _fit_adapted(x: np.ndarray, y: np.ndarray, prior: np.ndarray, steps: int = 200, rate: float = 2.0,
                 l2: float = CONCERN_L2) -> np.ndarray:
    """Logistic regression started from `prior` and held to it: a concern's few exemplars bend the pooled model
    only where they disagree with it (deterministic: fixed steps)."""
    xb = np.hstack([x, np.ones((len(x), 1), dtype=np.float32)]).astype(np.float64)
    delta = np.zeros(xb.shape[1])
    balance = _balance(y)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ (prior + delta))))
        delta -= rate * (xb.T @ ((p - y) * balance) / len(y) + l2 * delta)
    return prior + delta


@lru_cache(maxsize=64)
def _concern_substance(path: Path, mtime_ns: int, key: str, prompts_dir: Path,
                       cache_dir: Path | None = None) -> dict[str, np.ndarray]:
    """Per concern, the pooled substance model adapted to that concern's answers against its near misses and
    dodges: what answers *this* worry ("I'm not speaking for the team" answers "is the team talking?") is often a
    stance, not a figure, and the pooled model alone hears too little in it."""
    prior = substance_model(prompts_dir, cache_dir)
    loaded = _concern_bank(path, mtime_ns, key, cache_dir)
    raw = _read_yaml(path).get("concerns") or {}
    out: dict[str, np.ndarray] = {}
    for cid, (answers, near, _) in loaded.items():
        entry = raw.get(cid) if isinstance(raw, dict) else None
        entry = entry if isinstance(entry, dict) else {}
        dodges = _exemplar_vectors([str(x) for x in entry.get("dodges") or []], cache_dir)
        if not (len(answers) and len(near) + len(dodges)):
            continue
        x = np.vstack([answers, near, dodges])
        y = np.r_[np.ones(len(answers)), np.zeros(len(near) + len(dodges))]
        out[cid] = _fit_adapted(x, y, prior)
    return out


def topic_probabilities(vec: np.ndarray, exemplars: Bank) -> dict[str, float]:
    ids, weights = exemplars.topics
    if not ids:
        return {}
    z = weights @ np.r_[vec.astype(np.float64), 1.0]
    p = np.exp(z - z.max())
    return dict(zip(ids, (p / p.sum()).tolist(), strict=True))


def negated(low: str, line_stems: Sequence[str]) -> bool:
    """A hedge or a denial ("not sure", "I haven't trained anyone yet"), unless what is not done yet comes with
    a commitment ("I haven't managed anyone; I'd propose Mia as my first report")."""
    low = ADMITS.sub("", MODEST.sub("but", low))
    # what the manager or others have not done is no hedge of the speaker's ("you can't say you haven't heard")
    # and a nervous "I guess" before a day, a time or a figure ("I guess... every Friday by noon") is no hedge
    firm = "i guess" in low and bool(FIGURE.search(low) or SPECIFIC.search(low))
    hedges = any(not re.search(r"\b(you|they|he|she)\s+$", low[max(0, m.start() - 8):m.start()])
                 and not (firm and m.group() == "i guess") for m in NEGATION.finditer(low))
    return hedges or bool(NOT_DONE.search(low) and not cue_hits(line_stems, STRONG_SOLUTION))


def _negated(texts: Sequence[str]) -> np.ndarray:
    """Which texts are said in the negative ("I haven't looked outside"): a negated line is compared with these."""
    lows = [t.lower().replace("’", "'") for t in texts]
    return np.array([negated(low, stems(low)) for low in lows], dtype=bool)


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.is_file() else 0


def bank(prompts_dir: Path, scenario: Scenario, extra: Sequence[Concern] = (), cache_dir: Path | None = None) -> Bank:
    """The exemplar bank for a scenario (cached by file and modification time), plus concerns made at
    run time (from the manager's pressures), whose exemplars are their own words. `cache_dir` keeps the
    exemplars' vectors on disk between runs."""
    acts_path = prompts_dir / "exemplars" / "acts.yaml"
    weights = _acts_model(acts_path, _mtime(acts_path), cache_dir)
    path = prompts_dir / "exemplars" / f"{scenario.id}.yaml"
    loaded = _concern_bank(path, _mtime(path), scenario.version, cache_dir)
    concerns = {cid: (answers, near) for cid, (answers, near, _) in loaded.items()}
    negated = {cid: mask for cid, (_, _, mask) in loaded.items()}
    for c in [*scenario.hidden_concerns, *extra]:
        if c.id not in concerns or not len(concerns[c.id][0]):
            texts = tuple(c.reactions) or (c.concern,)
            concerns[c.id] = (_extra_answers(texts), np.zeros((0, 384), np.float32))
            negated[c.id] = _negated(texts)
    return Bank(concerns=concerns, weights=weights, negated=negated, substance=substance_model(prompts_dir, cache_dir),
                topics=_topic_model(path, _mtime(path), scenario.version, cache_dir),
                substance_by=_concern_substance(path, _mtime(path), scenario.version, prompts_dir, cache_dir))


@lru_cache(maxsize=1024)
def _line_vectors(texts: tuple[str, ...]) -> np.ndarray:
    """A line's vector and its parts': the same line is read again on replay, resume and in the debrief."""
    vectors = _embed(list(texts))
    vectors.setflags(write=False)
    return vectors


def forget_lines() -> None:
    """Drop the kept line vectors (the bench times a line read for the first time)."""
    _line_vectors.cache_clear()


@lru_cache(maxsize=256)
def _extra_answers(texts: tuple[str, ...]) -> np.ndarray:
    return _embed(list(texts))


def _top(sims: np.ndarray, k: int = 1) -> float:
    if sims.size == 0:
        return 0.0
    return float(np.sort(sims)[-k:].mean())


def _probability(vecs: np.ndarray, weights: np.ndarray) -> float:
    """The highest probability a linear classifier gives the line or any of its parts."""
    z = vecs.astype(np.float64) @ weights[:-1] + weights[-1]
    return float(1 / (1 + np.exp(-z.max())))


def act_probabilities(vec: np.ndarray, exemplars: Bank) -> dict[str, float]:
    z = exemplars.weights @ np.r_[vec.astype(np.float64), 1.0]
    return {a: float(1 / (1 + np.exp(-v))) for a, v in zip(ACTS, z, strict=True)}


class Reading:
    """What one line does: the concerns it answers and its acts, plus the signals the debrief uses."""

    __slots__ = ("text", "words", "questions", "figures", "acts", "answers", "negated", "attack", "cues",
                 "answer_scores", "act_scores")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = len(text.split())
        self.questions = text.count("?")
        self.figures = len(FIGURE.findall(text))
        self.acts: list[str] = []
        self.answers: list[str] = []
        self.negated = False
        self.attack = False
        self.cues: dict[str, list[str]] = {}
        self.answer_scores: dict[str, float] = {}
        self.act_scores: dict[str, float] = {}

    def does(self, act: str) -> bool:
        return act in self.acts

    def digest(self) -> str:
        return hashlib.sha256(repr((self.acts, self.answers)).encode()).hexdigest()[:8]


def _best_part(vecs: np.ndarray, entry: tuple[np.ndarray, np.ndarray],
               only: Sequence[np.ndarray | None], concrete: Sequence[bool]) -> tuple[float, float]:
    """`_concern_score` of the whole line and of each of its parts: the part closest to an answer decides,
    with its own near miss, unless that part sits nearer a near miss and a `concrete` part plainly answers."""
    scored = [_concern_score(v, entry, m) for v, m in zip(vecs, only, strict=True)]
    top = max(scored, key=lambda s: s[0])
    # a concrete sentence that answers amid hedging ("nobody dropped the ball, I think? The printer changed
    # the paper stock...") decides when its lead over the near misses is an answer's and the top part's is not
    plain = [s for s, c in zip(scored, concrete, strict=True) if c and s[0] >= TOPIC_SIM]
    alt = max(plain, key=lambda s: s[0] - s[1], default=top)
    return alt if alt[0] - alt[1] >= ANSWER_LEAD > top[0] - top[1] else top


def _concern_score(vec: np.ndarray, entry: tuple[np.ndarray, np.ndarray],
                   only: np.ndarray | None = None) -> tuple[float, float]:
    """How close the line is to the concern's answers (the best two) and to its nearest near miss. `only` marks
    the answers said in the negative: a negated line can answer only a concern that denials answer ("I haven't
    looked outside" answers a worry about leaving; "we haven't started a fix" answers nothing)."""
    answers, near = entry
    if only is not None and not (len(only) == len(answers) and only.any()):
        answers = answers[:0]
    return _top(answers @ vec, 2), _top(near @ vec, 1)


def read_line(text: str, scenario: Scenario, *, current: str | None, prompts_dir: Path,
              extra: Sequence[Concern] = (), priorities: Sequence[str] = (), raised: Sequence[str] = (),
              cache_dir: Path | None = None) -> Reading:
    """Classify one line of the person's: its acts, then the concerns it answers.

    A line answers a concern when it is about that concern (close to its exemplar answers or near
    misses, or it uses one of the concern's cue phrases, stemmed) and says something a manager can
    hold on to (evidence, a plan or commitment, a name, date or figure, or it sits closer to the
    answers than to the near misses), and is not a hedge ("I haven't thought about it yet")."""
    reading = Reading(text)
    line_stems = stems(text)
    low = text.lower().replace("’", "'")
    parts = clauses(text)
    vecs = _line_vectors((text, *parts))
    vec = vecs[0]
    exemplars = bank(prompts_dir, scenario, extra, cache_dir)
    reading.negated = negated(low, line_stems)
    named = _named(text)
    specific = named or bool(SPECIFIC.search(text))
    # a heap of cue words is not a sentence: it does nothing, and answers nothing unless it is telegraphic, with a
    # figure, name or day in it and far nearer the concern's answers than its near misses ("Yes. Two. One's
    # interviewing elsewhere.")
    salad = word_salad(low)
    if salad and not specific:
        return reading
    reading.acts = [] if salad else _acts(text, low, line_stems, vec, exemplars, priorities, reading)
    concerns = [*scenario.hidden_concerns, *extra]
    content = [s for s in line_stems if len(s) > 2]
    own = QUOTED.sub("...", low)  # a hedge or a put-off quoted ("a new request gets 'let me check'") is not the line's
    vague = bool(VAGUE.search(own))
    # put off, or declined from the start ("I'd rather not get into individuals."; a refusal after the answer,
    # "... I won't say who", leaves the answer standing); a figure given now keeps one put-off from counting,
    # not a string of them ("let me pull it together ... I'll send it over ... give me a week")
    put_offs = len(DEFERS.findall(own))
    deferred = (bool(put_offs or REFUSES.search(QUOTED.sub("...", first_sentence(text).replace("’", "'"))))
                and (not reading.figures or put_offs >= 2))
    # the manager's question handed back, with nothing of the person's in it: no offer, figure, date or plan
    asked_back = only_questions(text) and not (PROPOSES.search(low) or reading.figures or SPECIFIC.search(text)
                                               or {"evidence", "solution"} & set(reading.acts))
    chronicle = (reading.words >= CHRONICLE[0] and bool(SEQUENCE.search(low)) and not CHANGE.search(low)
                 and reading.figures + len(CAPITALISED.findall(text[1:])) + len(SPECIFIC.findall(text)) >= CHRONICLE[1])
    # a part with a figure, a day or a name in it, not a question, is concrete
    concrete = [False] + [not p.endswith("?") and (_named(p) or bool(SPECIFIC.search(p))) for p in parts]
    # a hedging line hedges in every part but a concrete one ("... Last time we simply didn't have that data");
    # a part may hedge on its own ("Nobody put me up to this. I haven't asked")
    part_neg = [reading.negated] + [(reading.negated and not c) or negated(p.lower().replace("’", "'"), stems(p))
                                    for p, c in zip(parts, concrete[1:], strict=True)]
    scores = {c.id: _best_part(vecs, exemplars.concerns[c.id],
                               [exemplars.negated.get(c.id, np.zeros(0, bool)) if n else None for n in part_neg],
                               concrete)
              for c in concerns if c.id in exemplars.concerns}
    pooled = _probability(vecs, exemplars.substance)
    if ("offtopic" in reading.acts and not ASIDE.match(low)
            and max((b for b, _ in scores.values()), default=0.0) >= ANSWER_SIM):  # as close as that to an answer, the
        reading.acts.remove("offtopic")  # classifier's "off topic" heard a word ("car park"), not a change of subject
    topics = [topic_probabilities(v, exemplars) for v in vecs]  # the line's and each part's
    # a jibe with a date or a name in it earns no slack for its specifics; one with a measured figure in it
    # ("I sent you the numbers twice: $96k back on $30k") still gives the figure
    rude = "blame" in reading.acts and not MEASURE.search(text) and bool(RUDE.search(low))
    for c in concerns:
        if c.id not in scores:
            continue
        best, near = scores[c.id]
        reading.answer_scores[c.id] = round(best, 3)
        hits = cue_hits(line_stems, c.addressed_by)
        cue_words = len({" ".join(stems(h)) for h in hits})
        # clipped speech with few of the concern's words ("Nine weeks now. Getting worse.") is heard like any line;
        # a heap of them needs to sit well nearer an answer than a near miss
        heaped = salad and cue_words >= SALAD_CUES
        if (heaped and best < near + TELEGRAPHIC_LEAD) or (chronicle and best < ANSWER_SIM):
            continue
        if (len(content) < 3 or harmful_only(reading.acts) or (vague and not specific) or deferred or asked_back
                or (reading.negated and not best)):
            continue
        cued = bool(hits)
        if (cue_words >= STUFFED and not named
                and best < near + ANSWER_LEAD):  # the concern's words heaped up, nearer a stuffed near miss
            continue
        weights = exemplars.substance_by.get(c.id)
        solid = (pooled if weights is None else _probability(vecs, weights)) >= SUBSTANCE_P
        topical = max(best, near)
        rivals = max((max(v) for k, v in scores.items() if k != c.id), default=0.0)
        acted = bool({"evidence", "solution"} & set(reading.acts))
        about = topical >= TOPIC_SIM or (cued and topical >= TOPIC_SIM_CUED) or best >= ANSWER_SIM
        slack = 0.0 if rude or reading.words >= LONG_LINE else NEAR_MARGIN
        substance = ((acted and best >= near) or (specific and best >= near - slack)
                     or best >= near + ANSWER_LEAD  # a plan or a fact closer to a near miss is not an answer
                     or (solid and best >= near - SUBSTANCE_SLACK and not reading.negated and not rude))
        if not c.probe:  # the manager's own pressure: a plan or a figure that speaks to it answers it
            ok = acted and (cued or topical >= TOPIC_SIM)
        elif c.id == current or c.id in raised:  # the manager asked: an answer on topic counts
            # ... unless the line (and every part of it) is plainly about another of the scenario's worries
            lead = [max(v for k, v in t.items() if k != c.id) - t[c.id] if c.id in t else -1.0 for t in topics]
            elsewhere = rivals > topical - FOCUS_MARGIN and lead[0] >= CROSS_MARGIN and min(lead) > 0
            first = lead[0] <= -TOPIC_FIRST  # ... or the topic classifier puts the concern asked first
            ok = about and substance and (topical >= rivals - FOCUS_MARGIN or cued or first) and not elsewhere
        else:  # not asked yet: only a line (nearly) most about this worry answers it before it is raised; one
            # line can answer two ("over 50 thousand, I'd bring it to you first" is both risk and scope)
            ok = about and substance and (cued or best >= UNPROMPTED_SIM) and topical >= rivals - SHARED_MARGIN
        if ok:
            reading.answers.append(c.id)
    return reading


def _named(text: str) -> bool:
    """A figure or a name (a capitalised word not opening the text or a sentence) in `text`."""
    return bool(FIGURE.search(text) or CAPITALISED.search(text[1:]))


def clauses(text: str) -> list[str]:
    """The line's sentences and semicolon clauses when it has more than one, each of at least four words: one
    part often answers while the rest sets it up ("Nobody put me up to this. It's about how it affects my work")."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?;])\s+", text.strip()) if p.strip()]
    parts = [p for p in parts if len(p.split()) >= 4]
    return parts if len(parts) > 1 else []


def word_salad(low: str) -> bool:
    """A heap of cue words: almost no function words ("backfill handover plan successor team"), or a list
    of one- and two-word items ("Burnout, leaving, retention, morale, stress. It's all risk.")."""
    words = TOKEN.findall(low)
    if len(words) < 5:
        return False
    if sum(w in FUNCTION_WORDS for w in words) / len(words) < 0.12:
        return True
    items = [part.split() for part in re.split(r"[,;:]", re.split(r"[.!?]", low)[0])]
    short = [i for i in items if len(i) <= 2]  # ... and the short items are much of the line, not a tail to a sentence
    listed = len(items) >= 4 and len(short) >= 0.75 * len(items) and sum(map(len, short)) >= 0.4 * len(words)
    return listed and sum(w in FUNCTION_WORDS for w in words) / len(words) < 0.3


def harmful_only(acts: Sequence[str]) -> bool:
    """A threat answers nothing, nor does a line that only blames, chats or says goodbye (a rude line that
    also answers still answers: the rudeness is scored as blame)."""
    said = set(acts)  # ... even when it asks the manager something in passing ("also, are we still doing lunch?")
    return "ultimatum" in said or (bool(said & {"offtopic", "closing"}) and said <= {"offtopic", "closing", "input"})


def _acts(text: str, low: str, line_stems: list[str], vec: np.ndarray, exemplars: Bank,
          priorities: Sequence[str], reading: Reading) -> list[str]:
    acts: set[str] = set()
    p = act_probabilities(vec, exemplars)
    reading.cues = {
        "ask": cue_hits(line_stems, ASK_CUES), "solution": cue_hits(line_stems, SOLUTION_CUES),
        "input": cue_hits(line_stems, INPUT_CUES), "priorities": cue_hits(line_stems, PRIORITY_CUES),
    }
    reading.act_scores = {a: round(v, 3) for a, v in p.items()}
    outcome = any(s.startswith(OUTCOME) for s in line_stems)
    classified = p["ultimatum"] >= CERTAIN or (p["ultimatum"] >= THREAT and THREAT_FRAME.search(low))
    # the classifier's threat stands when the line says leaving or escalating as the person's own, undenied;
    # it falls when such words are denied or someone else's, or when the line reassures or asks something of them
    if threatens(low) or (classified and (threatens(low, LEAVING)
                                          or not (LEAVING.search(low) or REASSURES.search(low)
                                                  or REQUESTS.search(low) or THEIRS.search(low)
                                                  or ("?" in text and reading.cues["input"])))):
        acts.add("ultimatum")
    if BLAME.search(low) or p["blame"] >= CERTAIN or (p["blame"] >= ACCUSED and ACCUSING.search(low)):
        acts.add("blame")
    measured = bool(MEASURE.search(text))
    past = outcome or bool(re.search(r"\b\w{3,}ed\b", low))
    if not reading.negated and ((measured and past and p["evidence"] >= 0.15)
                                or (p["evidence"] >= LIKELY and (measured or (past and reading.figures)))
                                or (measured and p["evidence"] >= LIKELY and not HYPOTHETICAL.search(low))):
        acts.add("evidence")
    strong_plan = cue_hits(line_stems, STRONG_SOLUTION)
    if ((strong_plan or (reading.cues["solution"] and p["solution"] >= WEAK) or p["solution"] >= STRONG)
            and not reading.negated and "ultimatum" not in acts and not WISH.search(low)):
        acts.add("solution")
    wish = bool(WISH.search(re.sub(r"^\W*[a-z]+,\s*", "", low)))  # "Henrik, I'd like to...": a wish said to them
    if (reading.cues["ask"] and (p["ask"] >= WEAK or wish)) or p["ask"] >= STRONG:
        acts.add("ask")
    if (reading.cues["priorities"] and p["priorities"] >= LIKELY) or p["priorities"] >= STRONG:
        acts.add("priorities")
    if "?" in text and (reading.cues["input"] or p["input"] >= LIKELY):
        acts.add("input")
    if CLOSING.match(text.strip()) or (p["closing"] >= STRONG and reading.words <= 25):
        acts.add("closing")
    if ((p["offtopic"] >= STRONG or (ASIDE.match(low) and "?" in text))
            and not (acts - {"closing", "input"})):
        acts.add("offtopic")
    return [a for a in ACTS if a in acts]


if __name__ == "__main__":
    from app.config import load_settings

    print(write_substance(load_settings().prompts_dir))
