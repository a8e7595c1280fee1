"""Rehearse out loud in headless Chromium: a fake microphone plays a synthesised line, the transcript
fills the box, is sent, the manager's reply plays, and the debrief has a delivery section.

Chromium's fake capture device reads a WAV file (`--use-file-for-fake-audio-capture`); the line in
it is synthesised by Piper, so the whole path (browser recording, upload, Whisper, Piper) is real.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright  # noqa: E402

from app.config import Settings  # noqa: E402
from app.llm import fake  # noqa: E402
from tests.test_ui_browser import ARGS, CHROMIUM, SHOTS, bot, field, free_port, idle, start_server, tab  # noqa: E402

pytestmark = pytest.mark.browser
expect.set_options(timeout=60_000)

MODEL = "fake/voice"
LINE = "I would like to lead the platform migration next quarter."
REPLY = "That is a big step. What would you hand over to make room for it?"


@pytest.fixture(scope="module")
def mic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake microphone's input: a second of quiet, the line, then quiet (played once, not looped)."""
    from app.voice import tts
    from app.voice.audio import wav_bytes

    voice = tts.Piper(noise=0.0)
    try:
        speech = voice.synthesize(LINE)
    finally:
        voice.close()
    quiet = np.zeros(speech.rate, dtype=np.int16)
    samples = np.concatenate([quiet, speech.samples, quiet, quiet, quiet])
    path = tmp_path_factory.mktemp("mic") / "line.wav"
    path.write_bytes(wav_bytes(samples, speech.rate))
    return path


@pytest.fixture(scope="module")
def voice_url(shared_data_dir: Path) -> Iterator[str]:
    engine = fake.engine(MODEL)
    engine.reset()
    engine.pace = 0.03
    settings = Settings(model=MODEL, data_dir=shared_data_dir, port=free_port(), hints=False)
    demo, url = start_server(settings)
    try:
        yield url
    finally:
        demo.close()
        engine.pace = 0.0


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make browser` (apt-get install -y chromium).")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def mic_browser(playwright: Playwright, mic_file: Path) -> Iterator[Browser]:
    fake_mic = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={mic_file}%noloop", "--autoplay-policy=no-user-gesture-required"]
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *fake_mic])
    yield b
    b.close()


def open_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["microphone"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#profile-name")
    return page


def voice_source(page: Page) -> str:
    return str(page.evaluate("() => { const a = document.querySelector('#rehearse-voice audio');"
                             " return a ? (a.currentSrc || a.src || '') : ''; }"))


def test_speak_a_line_hear_the_reply_and_get_delivery_feedback(mic_browser: Browser, voice_url: str) -> None:
    page = open_page(mic_browser, voice_url)
    tab(page, "Rehearse")
    page.locator("#rehearse-speak input").check()
    page.click("#rehearse-start")
    expect(bot(page)).to_have_count(1)
    idle(page)

    page.locator("#rehearse-mic").get_by_role("button", name="Record").first.click()
    page.wait_for_timeout(6000)  # the fake microphone plays the whole file
    page.locator("#rehearse-mic").get_by_role("button", name="Stop").first.click()
    box = field(page, "rehearse-msg")
    expect(box).to_have_value(re.compile("migration", re.I))  # transcribed on the server, put in the box
    expect(page.locator("#rehearse-alert")).to_contain_text("what I heard")

    fake.engine(MODEL).enqueue(REPLY)
    page.click("#rehearse-send")
    expect(bot(page)).to_have_count(2)
    expect(bot(page).last).to_contain_text(REPLY)
    idle(page)
    page.wait_for_function("() => { const a = document.querySelector('#rehearse-voice audio');"
                           " return a && (a.currentSrc || a.src); }")
    assert voice_source(page).startswith("blob:")
    # it is the reply's audio (two sentences, a few seconds) and it plays
    page.wait_for_function("() => { const a = document.querySelector('#rehearse-voice audio');"
                           " return a.duration > 1 && a.currentTime > 0; }")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rehearse-voice.png"), full_page=True)

    page.click("#rehearse-end")
    expect(page.locator("#debrief-notes")).to_contain_text("How you sounded")
    expect(page.locator("#debrief-notes")).to_contain_text("words a minute")
    expect(page.locator("#debrief-notes")).to_contain_text("Talk time")
    page.locator("#debrief-notes").screenshot(path=str(SHOTS / "debrief-delivery.png"))


def test_a_denied_microphone_gets_a_clear_message_and_typing_still_works(playwright: Playwright,
                                                                          voice_url: str) -> None:
    denied = ["--use-fake-device-for-media-stream", "--deny-permission-prompts"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *denied])
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # microphone not granted
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(voice_url)
        page.wait_for_selector("#profile-name")
        tab(page, "Rehearse")
        page.click("#rehearse-start")
        expect(bot(page)).to_have_count(1)
        idle(page)
        page.locator("#rehearse-mic").get_by_role("button", name="Record").first.click()
        problem = page.locator("#rehearse-mic-note .mic-problem")
        expect(problem).to_be_visible()
        expect(problem).to_contain_text("blocked the microphone")
        expect(problem).to_contain_text("type your line")
        fake.engine(MODEL).enqueue(REPLY)
        field(page, "rehearse-msg").fill("Could we agree a check in every Friday?")
        page.click("#rehearse-send")
        expect(bot(page).last).to_contain_text(REPLY)
    finally:
        browser.close()
