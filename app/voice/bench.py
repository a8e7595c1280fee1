"""Voice benchmarks for `upward bench`: transcription speed and accuracy, and time to first audio.

Time to first audio is measured as the web app works, from the moment the person's recording is
complete: transcribe it, let the embedded model answer in the rehearsal, and synthesise the reply's
first complete sentence. Printed against the goals, never asserted.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.config import Settings

# What a person says in a rehearsal (asks, figures, names, dates); the tests use them too.
LINES = [
    "Have you got ten minutes? I would like to talk about the senior analyst role.",
    "Last quarter I cut the month end close from nine days to six.",
    "The vendor is two weeks late, so the launch moves from June first to June fifteenth.",
    "I have a plan to keep the pilot customers on the old system until then.",
    "Could we agree a check in every Friday while the migration runs?",
    "I would like to lead the platform migration next quarter.",
    "The team has worked fifty hour weeks for a month, and two people are close to burning out.",
    "What would you need to see from me to be ready for promotion in March?",
    "I can hand the reporting work to Priya, who has asked for more responsibility.",
    "When priorities change on Friday afternoon, we lose the weekend buffer and miss the Monday release.",
    "Would you be comfortable with me running the vendor work on a longer leash?",
    "My recommendation is to hire one contractor for three months.",
]
TURNS = [LINES[0], LINES[1], LINES[7], LINES[8]]  # a promotion rehearsal; the first warms the model
GOAL_RTF, GOAL_FIRST_AUDIO = 0.5, 1.5


def _first_audio(session: Any, samples: np.ndarray, voice: Any) -> tuple[float, float, float, float]:
    """(total, transcription, first sentence of the reply, its synthesis) in seconds for one turn."""
    from app.voice import stt, tts

    start = time.perf_counter()
    heard = stt.transcribe_samples(samples)
    heard_at = time.perf_counter()
    feed = tts.SentenceFeed()
    reply = session.reply(heard.text)
    first = next((ready[0] for snapshot in reply if (ready := feed.feed(snapshot))), "")
    if not first:  # a one-sentence reply is complete only when it ends
        first = (feed.finish(session.transcript[-1].content) or [""])[0]
    sentence_at = time.perf_counter()
    voice.synthesize(first)
    done = time.perf_counter()
    for _ in reply:  # the rest of the reply, so the turn is stored before the next one
        pass
    return done - start, heard_at - start, sentence_at - heard_at, done - sentence_at


def run(settings: Settings) -> list[str]:
    """Measure and return printable lines."""
    from app.voice import stt, tts
    from app.voice.audio import resample
    from app.voice.wer import wer

    voice = tts.Piper(noise=0.0)
    try:
        start = time.perf_counter()
        voice.warm()
        voice_load = time.perf_counter() - start
        speech = []
        for line in LINES:
            start = time.perf_counter()
            s = voice.synthesize(line)
            speech.append((line, s, time.perf_counter() - start))
        start = time.perf_counter()
        stt.warm()
        stt_load = time.perf_counter() - start
        samples = {line: resample(s.samples, s.rate) for line, s, _ in speech}
        stt.transcribe_samples(samples[LINES[0]])  # first call allocates; keep it out of the figures
        rows = []
        cpu = time.process_time()
        for line, s, _ in speech:
            heard = stt.transcribe_samples(samples[line])
            rows.append((line, heard.text, heard.transcribe_seconds, s.seconds))
        cpu_per_second = (time.process_time() - cpu) / sum(r[3] for r in rows)
        rtf = [r[2] / r[3] for r in rows]
        total_rtf = sum(r[2] for r in rows) / sum(r[3] for r in rows)
        tts_rtf = sum(t for _, _, t in speech) / sum(s.seconds for _, s, _ in speech)
        load = os.getloadavg()[0]
        out = [
            f"Voice: Whisper tiny.en int8 (faster-whisper), Piper en_US-joe-medium; {len(LINES)} synthesised lines; "
            f"load average {load:.1f} on {os.cpu_count()} cores",
            f"  model load: whisper {stt_load:.2f} s, piper voice process {voice_load:.2f} s",
            f"  transcription real-time factor  {total_rtf:6.3f} overall, median {statistics.median(rtf):.3f}, "
            f"worst {max(rtf):.3f}   (goal <= {GOAL_RTF})",
            f"  transcription CPU time          {cpu_per_second:6.3f} s per second of speech, all threads "
            f"(wall time above is this divided among the free cores)",
            f"  word error rate                 {wer([(r[0], r[1]) for r in rows]):6.3f}   (goal <= 0.15)",
            f"  Piper synthesis real-time factor {tts_rtf:5.3f}",
        ]
        out += _first_audio_lines(settings, samples, voice)
        return out
    finally:
        voice.close()


def _first_audio_lines(settings: Settings, samples: dict[str, np.ndarray], voice: Any) -> list[str]:
    from app.coach.profiles import load_profile
    from app.coach.rehearsal import Rehearsal

    with tempfile.TemporaryDirectory(prefix="upward-voice-bench-", ignore_cleanup_errors=True) as tmp:
        local = settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None, "model": "local/smollm2"})
        session = Rehearsal.start("promotion", load_profile(None), hints=False, model="local/smollm2",
                                  settings=local, greet=False)
        runs = [_first_audio(session, samples[line], voice) for line in TURNS]
    timed = runs[1:]  # the first turn loads the embedded model
    med = [statistics.median(r[i] for r in timed) for i in range(4)]
    return [
        f"  time to first audio (embedded model, median of {len(timed)} turns) {med[0]:.2f} s after the person "
        f"stops speaking   (goal <= {GOAL_FIRST_AUDIO} s)",
        f"    = transcription {med[1]:.2f} s + first sentence of the reply {med[2]:.2f} s + its synthesis "
        f"{med[3]:.2f} s; worst turn {max(r[0] for r in timed):.2f} s",
    ]
