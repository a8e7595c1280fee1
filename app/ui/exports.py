"""Downloads (History and Draft exports) live in a private folder inside the data directory and
are deleted once downloaded, or when they are older than EXPORT_MAX_AGE, or when the app restarts.

Gradio serves files from its temp directory; `use_private_temp` points that directory
(GRADIO_TEMP_DIR) inside the data directory before any component is built, so uploads and exports
never land in a world-readable /tmp/gradio.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from app.config import Settings, private_dir

EXPORT_GRACE = 10.0  # seconds a clicked download stays on disk for the browser to fetch it
EXPORT_MAX_AGE = 600.0  # an export never downloaded is removed after this long


def temp_dir(settings: Settings) -> Path:
    """Gradio's temp directory for this data directory."""
    return Path(settings.data_dir) / "tmp"


def use_private_temp(settings: Settings) -> Path:
    """Make Gradio keep uploads and served files under the data directory; clear earlier exports."""
    folder = private_dir(temp_dir(settings))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    shutil.rmtree(folder / "exports", ignore_errors=True)
    return folder


def exports_dir(settings: Settings | None = None) -> Path:
    """Where exports are written: the data directory's temp folder, or Gradio's configured one."""
    if settings is not None:
        base = temp_dir(settings)
    else:
        base = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
    return private_dir(base / "exports")


def new_export_folder(settings: Settings | None = None) -> Path:
    """A fresh private folder for one export; old, never-downloaded exports are swept first."""
    root = exports_dir(settings)
    sweep(root)
    return Path(tempfile.mkdtemp(prefix="upward-", dir=root))


def sweep(root: Path, max_age: float | None = None) -> None:
    """Remove export folders older than `max_age` (EXPORT_MAX_AGE) seconds."""
    cutoff = time.time() - (EXPORT_MAX_AGE if max_age is None else max_age)
    for folder in root.glob("upward-*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass


def forget(path: str | Path | None, delay: float | None = None) -> None:
    """Delete an export (and its folder) once the browser has had `delay` (EXPORT_GRACE) seconds to fetch it."""
    if not path:
        return
    delay = EXPORT_GRACE if delay is None else delay
    target = Path(path)
    folder = target.parent if target.parent.name.startswith("upward-") else None

    def remove() -> None:
        target.unlink(missing_ok=True)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    timer = threading.Timer(delay, remove)
    timer.daemon = True
    timer.start()
