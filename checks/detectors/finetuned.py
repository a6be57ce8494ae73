"""Fine-tuned MiniLM text classifiers, run offline with onnxruntime (int8 ONNX, committed).

A detector has one or more fine-tuned classifiers (``MEMBERS``: each fine-tuned with its own seed,
some on copies of the rows with typos added); its probabilities are their mean
(``FineTunedEnsemble``). The model files are written by ``checks.detectors.finetune`` and each is
checked against the sha256 its detector's model JSON records before first use, so a swapped or
stale file fails loudly. They read the same committed tokenizer as ``checks.detectors.embedding``
(truncated to the detector's token limit, as in training). onnxruntime and tokenizers are
imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from checks.detectors.embedding import ModelFileError, _sha256
from checks.detectors.threads import detector_threads

MAX_TOKENS = 96  # default truncation; each model records its own, used in training and here
MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class Member:
    """One fine-tuned classifier of a detector: its files' suffix, the seed it is fine-tuned
    (and its folds split) with, and the share of training rows also fed with typos added."""

    suffix: str
    seed: int
    typo_share: float = 0.0

    def onnx_path(self, detector: str) -> Path:
        return MODELS_DIR / f"{detector}-finetuned{self.suffix}.onnx"

    def oof_path(self, detector: str) -> Path:
        return MODELS_DIR / f"{detector}-finetuned{self.suffix}.oof.json"


#: each detector's fine-tuned classifiers; the comment detector averages two (the second one
#: fine-tuned on typo'd copies of 40 % of the rows too): see checks/docs/comment.md
MEMBERS: dict[str, tuple[Member, ...]] = {
    "comment": (Member("", 7), Member("-2", 11, 0.4)),
    "confidential": (Member("", 7),),
    "teacher-content": (Member("", 7),),
}


def onnx_paths(detector: str) -> list[Path]:
    """The ONNX files of ``detector``'s fine-tuned classifiers, in ``MEMBERS`` order."""
    return [member.onnx_path(detector) for member in MEMBERS[detector]]


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
                 max_tokens: int = MAX_TOKENS, threads: int | None = None):
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
        self.workers = threads or detector_threads()
        options = onnxruntime.SessionOptions()
        # one thread per call, calls side by side: a single short text keeps a second intra-op
        # thread idle, while two calls at once nearly double the throughput on 2 cores
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path), options,
                                                    providers=["CPUExecutionProvider"])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One text per call: the int8 model quantizes its activations per call, so in a batch
        a text's probabilities would depend on the texts beside it (by up to 0.14 measured).
        Alone, a text always gets the same answer, which the cache by content hash relies on.
        The calls run on ``workers`` threads (onnxruntime's ``run`` is thread-safe and releases
        the GIL); each writes its own row, so the result does not depend on the order."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        feeds = [encode(self.tokenizer, [text or ""]) for text in texts]

        def one(i: int) -> None:
            logits = self.session.run(None, feeds[i])[0].astype(np.float64)[0]
            logits -= logits.max()
            exp = np.exp(logits)
            out[i] = exp / exp.sum()

        if self.workers > 1 and len(texts) > 1:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(texts))) as pool:
                list(pool.map(one, range(len(texts))))
        else:
            for i in range(len(texts)):
                one(i)
        return out


class FineTunedEnsemble:
    """The mean of several ``FineTunedClassifier`` s' probabilities (one of them: its own)."""

    def __init__(self, members: Sequence[tuple[str | Path, str]], labels: Sequence[str], *,
                 max_tokens: int = MAX_TOKENS, threads: int | None = None):
        if not members:
            raise ValueError("an ensemble needs at least one fine-tuned classifier")
        self.labels = tuple(labels)
        self.members = [FineTunedClassifier(path, labels, sha, max_tokens=max_tokens,
                                            threads=threads) for path, sha in members]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = self.members[0].predict_proba(texts)
        for member in self.members[1:]:
            out = out + member.predict_proba(texts)
        return out / len(self.members)


def for_detector(detector: str, labels: Sequence[str], sha256s: str | Sequence[str], *,
                 max_tokens: int = MAX_TOKENS) -> FineTunedEnsemble:
    """``detector``'s fine-tuned classifiers (``MEMBERS`` order), each checked against the
    sha256 its model JSON records (one string when it has one member), as their mean."""
    shas = [sha256s] if isinstance(sha256s, str) else list(sha256s)
    return FineTunedEnsemble(list(zip(onnx_paths(detector), shas, strict=True)), labels,
                             max_tokens=max_tokens)
