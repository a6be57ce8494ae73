"""alt-profanity-check's model, read without scikit-learn: the comment detector's ``apc_prob``.

alt-profanity-check (1.9.1) ships a TF-IDF vectorizer and five sigmoid-calibrated linear SVMs
as scikit-learn pickles, so calling it imports scikit-learn and SciPy: about 3 s at the start of
every audit and every ``classify comment``, for one feature. ``export`` writes the numbers those
pickles hold (vocabulary, idf, each SVM's weights and intercept, each calibrator's ``a`` and
``b``) to ``assets/alt-profanity-check-1.9.1.npz`` once, on a machine with the package (it is
still a dependency: the test compares the two); ``predict_prob`` computes the same
probabilities with the standard library and numpy, operation for operation in scikit-learn's
order, so they are equal to the last bit:

- lower-case, tokens ``(?u)\\b\\w\\w+\\b``; English stop words and unknown words count for
  nothing (the vocabulary holds no stop word);
- the count of each known term times its idf, in ascending term order, divided by the row's
  Euclidean norm (a row with no known term stays zero);
- per SVM: the sum of weight times value, in that order, plus the intercept; calibrated as
  ``1 / (1 + exp(a * d + b))``; the five averaged (summed in order, divided by five).

The asset is checked against its SHA-256 before it is read.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

ASSET = Path(__file__).resolve().parent / "assets" / "alt-profanity-check-1.9.1.npz"
ASSET_SHA256 = "901dbe12b2d91e838fb30ebea8c11eb6a9927943f7f7d125e825c589671524e1"
TOKEN = re.compile(r"(?u)\b\w\w+\b")


class ProfanityModelError(RuntimeError):
    """The exported model file is missing or is not the file it should be."""


class ProfanityModel:
    def __init__(self, arrays: dict[str, Any]):
        terms = [str(t) for t in arrays["vocabulary"]]
        self.index = {t: i for i, t in enumerate(terms)}
        self.idf = [float(x) for x in arrays["idf"]]
        self.coef = [[float(x) for x in row] for row in arrays["coef"]]
        self.intercept = [float(x) for x in arrays["intercept"]]
        self.a = [float(x) for x in arrays["a"]]
        self.b = [float(x) for x in arrays["b"]]

    def probability(self, text: str) -> float:
        counts = Counter(self.index[t] for t in TOKEN.findall(text.lower()) if t in self.index)
        columns = sorted(counts)
        values = [float(counts[j]) * self.idf[j] for j in columns]
        square = 0.0
        for v in values:
            square += v * v
        if square != 0.0:
            norm = math.sqrt(square)
            values = [v / norm for v in values]
        total = 0.0
        for coef, intercept, a, b in zip(self.coef, self.intercept, self.a, self.b, strict=True):
            decision = 0.0
            for j, v in zip(columns, values, strict=True):
                decision += v * coef[j]
            total += 1.0 / (1.0 + math.exp(a * (decision + intercept) + b))
        return total / len(self.coef)


@cache
def model() -> ProfanityModel:
    import numpy as np

    try:
        data = ASSET.read_bytes()
    except OSError as exc:
        raise ProfanityModelError(f"the profanity model {ASSET} cannot be read: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != ASSET_SHA256:
        raise ProfanityModelError(f"{ASSET} has SHA-256 {digest}, expected {ASSET_SHA256}: "
                                  f"write it again with `python -m {__name__}`")
    with np.load(ASSET, allow_pickle=False) as arrays:
        return ProfanityModel({k: arrays[k] for k in arrays.files})


def predict_prob(texts: Sequence[str]) -> list[float]:
    """alt-profanity-check's ``predict_prob``: the probability that each text is profane."""
    m = model()
    return [m.probability(t) for t in texts]


def package_arrays() -> dict[str, Any]:
    """The numbers of the installed alt-profanity-check's pickles (imports scikit-learn)."""
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from profanity_check import profanity_check as apc

    vocabulary = sorted(apc.vectorizer.vocabulary_, key=apc.vectorizer.vocabulary_.get)
    calibrated = apc.model.calibrated_classifiers_
    return {"vocabulary": np.array(vocabulary),
            "idf": np.asarray(apc.vectorizer.idf_, dtype=np.float64),
            "coef": np.vstack([c.estimator.coef_[0] for c in calibrated]).astype(np.float64),
            "intercept": np.array([c.estimator.intercept_[0] for c in calibrated]),
            "a": np.array([c.calibrators[0].a_ for c in calibrated], dtype=np.float64),
            "b": np.array([c.calibrators[0].b_ for c in calibrated], dtype=np.float64)}


def export(path: Path = ASSET) -> str:
    """Write the installed package's numbers to ``path``; its SHA-256."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **package_arrays())
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


if __name__ == "__main__":
    print(export())
