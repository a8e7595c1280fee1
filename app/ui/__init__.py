"""The web app: Prepare, Rehearse, Draft, Ask, History and Settings, one module per tab.

Handlers are thin: they call the same services the CLI calls. Building the Blocks loads no model
and opens no index; those happen on first use, with a visible placeholder while they load.
Each browser gets its own random owner id (kept in its localStorage), which filters History,
and its own Rehearsal object and model choice in gr.State, so sessions never see each other.
"""

from __future__ import annotations

import secrets
from functools import partial

import gradio as gr

from app.config import Settings, data_dir, get_settings, private_file, private_umask
from app.errors import ConfigError
from app.services import Services
from app.ui import ask, draft, history_tab, prepare, rehearse, settings_tab
from app.ui.common import Shared, new_owner
from app.ui.exports import use_private_temp
from app.ui.login import LoginThrottle
from app.ui.warmup import WarmUp, limit_malloc_arenas, skip_matplotlib_import

__all__ = ["CSS", "build_ui", "serve"]

CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto !important; overflow-x: hidden; }
.gradio-container * { overflow-wrap: anywhere; }
#privacy-notice { font-size: 0.9em; opacity: 0.85; }
.alert { border-left: 4px solid #d97706; padding: 6px 10px !important; background: rgba(217, 119, 6, 0.08); }
details.cite { margin: 4px 0; padding: 4px 8px; border: 1px solid var(--border-color-primary); border-radius: 6px; }
details.cite summary { cursor: pointer; }
.prose pre, .prose code { white-space: pre-wrap; word-break: break-word; }
@media (max-width: 640px) {
  .gradio-container { padding: 6px !important; }
  .tab-wrapper button, [role="tab"] { padding: 4px 6px !important; }
  h1 { font-size: 1.4em !important; }
}
"""


def browser_secret(settings: Settings) -> str:
    """A per-installation secret for the encrypted localStorage owner id, so it survives restarts."""
    path = data_dir(settings) / "ui-secret"
    if not path.is_file():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    private_file(path)
    return path.read_text(encoding="utf-8").strip()


def services_for(given: Services | Settings | None) -> Services:
    """The Services the app runs on: the ones given, or built here from settings (the environment's if none)."""
    if isinstance(given, Services):
        return given
    return Services(given or get_settings())


def build_ui(services: Services | Settings | None = None) -> gr.Blocks:
    """The Blocks app; creating it loads no model and opens no index.

    Gradio's temp directory moves inside the (private) data directory first, so uploads and
    exports never land in a shared /tmp.
    """
    services = services_for(services)
    settings = services.settings
    use_private_temp(settings)
    shared = Shared(settings=settings)
    with gr.Blocks(title="Upward") as demo:
        gr.Markdown("# Upward\nPrepare, rehearse and draft the conversation you dread with your manager.")
        # Filled on page load: resolving a model imports litellm, which should not slow start-up.
        header = gr.Markdown("Checking where your text goes…", elem_id="privacy-notice")
        shared.owner = gr.BrowserState("", storage_key="upward-owner", secret=browser_secret(settings))
        shared.model = gr.State(settings.model)
        shared.rehearsal = gr.State(None)
        with gr.Tabs(elem_id="tabs") as tabs:
            shared.tabs = tabs
            with gr.Tab("Prepare", id="prepare", elem_id="tab-prepare"):
                prepare.build(shared)
            with gr.Tab("Rehearse", id="rehearse", elem_id="tab-rehearse"):
                rehearse.build(shared)
            with gr.Tab("Draft", id="draft", elem_id="tab-draft"):
                draft.build(shared)
            with gr.Tab("Ask", id="ask", elem_id="tab-ask"):
                ask.build(shared)
            with gr.Tab("History", id="history", elem_id="tab-history") as history:
                history_tab.build(shared, history)
            with gr.Tab("Settings", id="settings", elem_id="tab-settings"):
                settings_tab.build(shared, header)
        # the owner id first, then what belongs to it (this browser's saved profile back in the form)
        demo.load(new_owner, shared.owner, shared.owner).then(
            partial(prepare.on_page_load, settings=settings), shared.owner,
            [shared.profile_saved, *shared.profile_fields])
        demo.load(partial(settings_tab.notice, settings=settings), shared.model, header)
    return demo


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def auth_for(settings: Settings) -> LoginThrottle | None:
    """Gradio auth for a non-loopback host (throttled); refusing to serve one without a username and password."""
    if _loopback(settings.host):
        return None
    if not (settings.username and settings.password):
        raise ConfigError(
            f"Serving on {settings.host} would expose your conversations to the network without a login.",
            "set UPWARD_USERNAME and UPWARD_PASSWORD, or serve on 127.0.0.1",
        )
    return LoginThrottle(settings.username, settings.password)


def serve(services: Services | Settings | None = None, *, block: bool = True, warm: bool = True) -> gr.Blocks:
    """Start the app; a non-loopback host requires a username and password.

    `block=False` returns the running Blocks at once (tests close it with `.close()`). `warm` loads
    the services, the index and the model in the background while the server starts (app/ui/warmup.py).
    """
    services = services_for(services)
    settings = services.settings
    auth = auth_for(settings)
    private_umask()  # history, index, uploads and exports: owner-only
    limit_malloc_arenas()
    skip_matplotlib_import()
    demo = build_ui(services)
    if warm:
        warmup = WarmUp(settings)
        warmup.gate(demo)
        warmup.start()  # before launch: its imports overlap the server's start-up
    try:
        demo.queue(default_concurrency_limit=4).launch(
            server_name=settings.host, server_port=settings.port, share=False, auth=auth, show_error=True,
            inbrowser=False, css=CSS, prevent_thread_lock=True, quiet=not block, max_file_size="60mb",
            footer_links=["gradio", "settings"],
        )
    except OSError as exc:  # Gradio's own message names GRADIO_SERVER_PORT, which is not our setting
        raise ConfigError(
            f"Cannot listen on {settings.host}:{settings.port}: the port is in use, or the address is not "
            "one of this machine's.",
            "pass --port with a free port (or set UPWARD_PORT), or stop the program using it",
        ) from exc
    print(f"Upward on http://{settings.host}:{settings.port}  ({settings.model})", flush=True)
    if block:
        demo.block_thread()
    return demo
