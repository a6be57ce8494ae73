"""Logistic-regression models stored as plain JSON and applied with numpy (no pickle).

A detector that puts a linear classifier on top of features (sentence embeddings, cue counts, ...)
fits it with :func:`fit_logistic` (scikit-learn, training only), writes it with
:meth:`LinearModel.save` and loads it at run time with :meth:`LinearModel.load`. The JSON holds
everything needed to score and to audit the model:

- ``classes``: the labels, in the order of the probability columns; for a binary model the second
  one is the *positive* class, whose probability is compared with ``threshold``;
- ``coef`` (one row for a binary model, one row per class for a multinomial one) and ``intercept``;
- ``mean`` / ``scale``: optional per-feature standardisation applied before the dot product;
- ``feature_names``: one name per column (embedding columns may be named ``emb[0]`` ...);
- ``train_sha256``: the SHA-256 of the training file, so a test can tell whether the committed
  model was trained on the current data; ``embedding_model``: the encoder id the features came from;
- ``meta``: free-form provenance (hyper-parameters, cross-validation results, library versions).

Floats are written with Python's shortest round-trip repr, so a model that is saved and loaded
scores bit-for-bit like the one that was fitted. numpy is imported lazily; scikit-learn only when
fitting.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

FORMAT = "socialaudit.linear/1"


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class LinearModel:
    """A fitted (binary or multinomial) logistic regression, scored with numpy."""

    classes: list[str]
    coef: list[list[float]]
    intercept: list[float]
    threshold: float = 0.5
    feature_names: list[str] = field(default_factory=list)
    mean: list[float] | None = None
    scale: list[float] | None = None
    train_sha256: str = ""
    embedding_model: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rows = len(self.coef)
        if len(self.classes) < 2:
            raise ValueError("a model needs at least two classes")
        expected_rows = 1 if len(self.classes) == 2 else len(self.classes)
        if rows != expected_rows or len(self.intercept) != rows:
            raise ValueError(f"{len(self.classes)} classes need {expected_rows} coefficient row(s)"
                             f" and intercept(s), got {rows} and {len(self.intercept)}")
        width = {len(row) for row in self.coef}
        if len(width) != 1:
            raise ValueError("coefficient rows differ in length")
        for name, vec in (("feature_names", self.feature_names), ("mean", self.mean),
                          ("scale", self.scale)):
            if vec and len(vec) != self.n_features:
                raise ValueError(f"{name} has {len(vec)} entries for {self.n_features} features")

    # -- shape -----------------------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return len(self.coef[0])

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    @property
    def positive(self) -> str:
        """The class whose probability ``threshold`` applies to (binary models)."""
        return self.classes[1]

    # -- scoring ---------------------------------------------------------------------------------
    def _standardise(self, features: np.ndarray) -> np.ndarray:
        import numpy as np

        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected (n, {self.n_features}) features, got {x.shape}")
        if self.mean is not None:
            x = x - np.asarray(self.mean)
        if self.scale is not None:
            x = x / np.asarray(self.scale)
        return x

    def decision(self, features: np.ndarray) -> np.ndarray:
        """Raw scores: (n,) for a binary model, (n, k) for a multinomial one."""
        import numpy as np

        z = self._standardise(features) @ np.asarray(self.coef).T + np.asarray(self.intercept)
        return z[:, 0] if self.binary else z

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """(n, k) class probabilities, columns in ``classes`` order."""
        import numpy as np

        z = self.decision(features)
        if self.binary:
            p = 1.0 / (1.0 + np.exp(-z))
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def positive_proba(self, features: np.ndarray) -> np.ndarray:
        """(n,) probability of the positive class (binary models)."""
        if not self.binary:
            raise ValueError("positive_proba is for binary models")
        return self.predict_proba(features)[:, 1]

    def predict(self, features: np.ndarray) -> list[str]:
        """Labels: thresholded for a binary model, arg-max for a multinomial one."""
        proba = self.predict_proba(features)
        if self.binary:
            return [self.classes[int(p >= self.threshold)] for p in proba[:, 1]]
        return [self.classes[int(i)] for i in proba.argmax(axis=1)]

    def contributions(self, features: np.ndarray, names: Sequence[str] | None = None,
                      ) -> list[dict[str, float]]:
        """Per-item contribution (coef * standardised value) of the named columns to the binary
        score: evidence for reasons. ``names`` defaults to all named non-embedding features."""
        import numpy as np

        if not self.binary:
            raise ValueError("contributions are for binary models")
        x = self._standardise(features)
        if names is None:
            names = [n for n in self.feature_names if not n.startswith("emb")]
        index = {n: i for i, n in enumerate(self.feature_names)}
        cols = [index[n] for n in names]
        coef = np.asarray(self.coef[0])
        return [{n: float(x[r, c] * coef[c]) for n, c in zip(names, cols, strict=True)}
                for r in range(x.shape[0])]

    # -- persistence -----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "classes": self.classes, "threshold": self.threshold,
                "intercept": self.intercept, "coef": self.coef,
                "feature_names": self.feature_names, "mean": self.mean, "scale": self.scale,
                "train_sha256": self.train_sha256, "embedding_model": self.embedding_model,
                "meta": self.meta}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"

    def save(self, path: str | Path) -> str:
        """Write the model; returns the SHA-256 of the written bytes."""
        text = self.dumps()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model (format={data.get('format')!r})")
        coef = [[float(v) for v in row] for row in data["coef"]]
        values = [v for row in coef for v in row] + [float(v) for v in data["intercept"]]
        if not all(math.isfinite(v) for v in values):
            raise ValueError("model has non-finite coefficients")
        return cls(classes=list(data["classes"]), coef=coef,
                   intercept=[float(v) for v in data["intercept"]],
                   threshold=float(data.get("threshold", 0.5)),
                   feature_names=list(data.get("feature_names") or []),
                   mean=data.get("mean"), scale=data.get("scale"),
                   train_sha256=data.get("train_sha256", ""),
                   embedding_model=data.get("embedding_model", ""),
                   meta=dict(data.get("meta") or {}))

    @classmethod
    def load(cls, path: str | Path) -> LinearModel:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def model_digest(path: str | Path, length: int = 8) -> str:
    """Short hash of a model file, for detector version strings."""
    return file_sha256(path)[:length]


def fit_logistic(features: np.ndarray, labels: Sequence[str], classes: Sequence[str], *,
                 C: float = 1.0, standardise: bool | Sequence[bool] = False,
                 column_scale: Sequence[float] | None = None,
                 class_weight: str | None = None, threshold: float = 0.5,
                 feature_names: Sequence[str] = (), train_sha256: str = "",
                 embedding_model: str = "", meta: Mapping[str, Any] | None = None,
                 max_iter: int = 10000, tol: float = 1e-10) -> LinearModel:
    """Fit an L2 logistic regression (lbfgs, deterministic) and wrap it as a ``LinearModel``.

    ``classes`` fixes the column order (for two classes the second is the positive one).
    ``standardise``: True to z-score every column, or one flag per column (e.g. scale the cue
    counts but leave unit-length embedding columns as they are). ``column_scale``: fixed divisors
    per column, applied after standardising; a divisor below 1 weakens the L2 penalty on that
    column relative to the others (a "feature weight"). The mean/scale used are stored, so the
    saved model takes raw features. The default ``tol`` is tight so that refitting the same data
    reproduces the coefficients to ~1e-9 (use 1e-4 inside cross-validation loops for speed).
    """
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(features, dtype=np.float64)
    classes = list(classes)
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise ValueError(f"labels not in classes: {unknown}")
    y = np.array([index[label] for label in labels])
    mean = scale = None
    flags = ([bool(standardise)] * x.shape[1] if isinstance(standardise, bool)
             else [bool(f) for f in standardise])
    if len(flags) != x.shape[1]:
        raise ValueError("standardise needs one flag per feature column")
    if any(flags):
        mask = np.array(flags)
        mu = np.where(mask, x.mean(axis=0), 0.0)
        sd = x.std(axis=0)
        sd = np.where(mask & (sd > 1e-12), sd, 1.0)
        mean, scale = mu.tolist(), sd.tolist()
        x = (x - mu) / sd
    if column_scale is not None:
        divisors = np.asarray(column_scale, dtype=np.float64)
        if divisors.shape != (x.shape[1],) or not np.all(divisors > 0):
            raise ValueError("column_scale needs one positive divisor per feature column")
        scale = (np.asarray(scale) * divisors if scale is not None else divisors).tolist()
        x = x / divisors
    clf = LogisticRegression(C=C, class_weight=class_weight, max_iter=max_iter, tol=tol)
    clf.fit(x, y)
    coef = clf.coef_.tolist()
    intercept = clf.intercept_.tolist()
    info = {"C": C, "class_weight": class_weight, "solver": "lbfgs", "tol": tol,
            "n_train": int(len(y)),
            "sklearn": sklearn.__version__}
    info.update(meta or {})
    return LinearModel(classes=classes, coef=coef, intercept=intercept, threshold=threshold,
                       feature_names=list(feature_names), mean=mean, scale=scale,
                       train_sha256=train_sha256, embedding_model=embedding_model, meta=info)


BUNDLE_FORMAT = "socialaudit.linear-bundle/1"


@dataclass
class ModelBundle:
    """Several named ``LinearModel`` s that one detector combines (e.g. a per-comment model whose
    outputs feed a per-thread one), with the combination's parameters, in one JSON file.

    ``params`` holds what the detector needs beyond the models (threshold, combination rule,
    caps); ``train_sha256`` maps each training file name to its SHA-256; ``meta`` is provenance.
    """

    models: dict[str, LinearModel]
    params: dict[str, Any] = field(default_factory=dict)
    train_sha256: dict[str, str] = field(default_factory=dict)
    embedding_model: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"format": BUNDLE_FORMAT, "params": self.params,
                "train_sha256": self.train_sha256, "embedding_model": self.embedding_model,
                "meta": self.meta,
                "models": {name: m.to_json() for name, m in self.models.items()}}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"

    def save(self, path: str | Path) -> str:
        """Write the bundle; returns the SHA-256 of the written bytes."""
        text = self.dumps()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelBundle:
        if data.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"not a {BUNDLE_FORMAT} file (format={data.get('format')!r})")
        return cls(models={k: LinearModel.from_json(v) for k, v in data["models"].items()},
                   params=dict(data.get("params") or {}),
                   train_sha256=dict(data.get("train_sha256") or {}),
                   embedding_model=data.get("embedding_model", ""),
                   meta=dict(data.get("meta") or {}))

    @classmethod
    def load(cls, path: str | Path) -> ModelBundle:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
