"""A fine-tuned MiniLM text classifier, run offline with onnxruntime (int8 ONNX, committed).

The model file is written by ``checks.detectors.finetune`` and checked against the sha256 its
detector's model JSON records before first use, so a swapped or stale file fails loudly. It reads
the same committed tokenizer as ``checks.detectors.embedding`` (truncated to ``MAX_TOKENS``, as in
training). onnxruntime and tokenizers are imported on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from checks.detectors.embedding import ModelFileError, _sha256

MAX_TOKENS = 96  # default truncation; each model records its own, used in training and here


def tokenizer(max_tokens: int = MAX_TOKENS) -> Any:
    """The committed MiniLM tokenizer (sha256-checked), truncating and padding batches."""
    from importlib import resources

    from tokenizers import Tokenizer

    from checks.detectors.embedding import TOKENIZER_SHA256, _verified

    ref = resources.files("checks.detectors").joinpath("assets/minilm-tokenizer.json")
    with resources.as_file(ref) as path:
        _verified(path, TOKENIZER_SHA256, "MiniLM tokenizer")
        tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_tokens)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    return tok


def encode(tok: Any, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """int64 arrays ``input_ids``, ``attention_mask``, ``token_type_ids`` for a batch."""
    encodings = tok.encode_batch(list(texts))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


class FineTunedClassifier:
    """``predict_proba(texts)`` -> (n, len(labels)) softmax probabilities; thread-safe."""

    def __init__(self, path: str | Path, labels: Sequence[str], sha256: str, *,
                 max_tokens: int = MAX_TOKENS, threads: int = 2):
        import onnxruntime

        path = Path(path)
        if not path.exists():
            raise ModelFileError(f"fine-tuned classifier not found at {path}: train it with "
                                 f"'python -m checks.detectors.finetune'")
        actual = _sha256(path)
        if actual != sha256:
            raise ModelFileError(f"fine-tuned classifier at {path} has sha256 {actual}, its "
                                 f"model JSON expects {sha256}: retrain the detector")
        self.labels = tuple(labels)
        self.tokenizer = tokenizer(max_tokens)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path), options,
                                                    providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One text at a time: the int8 model quantizes its activations per call, so in a batch
        a text's probabilities would depend on the texts beside it (by up to 0.14 measured).
        Alone, a text always gets the same answer, which the cache by content hash relies on."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        for i, text in enumerate(texts):
            feed = encode(self.tokenizer, [text or ""])
            with self._lock:
                logits = self.session.run(None, feed)[0].astype(np.float64)[0]
            logits -= logits.max()
            exp = np.exp(logits)
            out[i] = exp / exp.sum()
        return out
