"""The privacy promise in code: switch off every phone-home before any third-party import.

litellm fetches a model-cost map at import, Gradio sends analytics, Chroma sends telemetry,
onnxruntime (1.29+) starts a native telemetry uploader that resolves mobile.events.data.microsoft.com,
Hugging Face clients and tiktoken download files. Each has an environment switch; we set them
before those libraries are imported (app/__init__ runs this first). tests/test_network.py checks
the result under strace, so native code is covered too, not just Python sockets.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

FORCED = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "ORT_DISABLE_TELEMETRY": "1",  # read once, when onnxruntime's environment starts
}


def litellm_tokenizer_dir() -> Path | None:
    """Where litellm ships tiktoken's cl100k/o200k files, found without importing litellm."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return path if path.is_dir() else None


def apply() -> None:
    """Set the offline switches; safe to call more than once."""
    for key, value in FORCED.items():
        os.environ[key] = value
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        tok_dir = litellm_tokenizer_dir()
        if tok_dir is not None:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(tok_dir)
