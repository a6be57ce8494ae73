"""alt-profanity-check's probabilities without scikit-learn: the exported numbers are the
installed package's, and every probability is the package's to the last bit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from checks.detectors import profanity_svm
from tests.imports import imported_by

DATA = Path(__file__).resolve().parents[1] / "checks" / "data"
EDGES = ["", "   ", "x", "a b c", "the and of", "F*CK this", "fuck fuck fuck shit",
         "ÉCOLE Straße naïve", "🙂🙂", "don't won't can't", "x" * 500, "FUCKING\nSHIT\tnow"]


def test_the_exported_numbers_are_the_installed_packages():
    exported = np.load(profanity_svm.ASSET, allow_pickle=False)
    package = profanity_svm.package_arrays()
    assert sorted(exported.files) == sorted(package)
    for name, values in package.items():
        assert exported[name].shape == values.shape, name
        assert np.array_equal(exported[name], values), name
    assert len(package["vocabulary"]) > 10_000 and package["coef"].shape[0] == 5


def test_every_probability_equals_the_packages_to_the_last_bit():
    from profanity_check import predict_prob

    texts = [json.loads(line)["text"] for path in sorted(DATA.glob("comment.*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines()] + EDGES
    assert len(texts) > 9_000
    ours = profanity_svm.predict_prob(texts)
    theirs = [float(p) for p in predict_prob(texts)]
    assert [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b] == []
    assert min(ours) < 0.05 and max(ours) > 0.95  # both ends are reached


def test_a_changed_model_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / profanity_svm.ASSET.name
    shutil.copy(profanity_svm.ASSET, bad)
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    monkeypatch.setattr(profanity_svm, "ASSET", bad)
    profanity_svm.model.cache_clear()
    try:
        with pytest.raises(profanity_svm.ProfanityModelError, match="expected 901dbe12"):
            profanity_svm.predict_prob(["hello"])
    finally:
        profanity_svm.model.cache_clear()


def test_scoring_comments_does_not_import_scikit_learn():
    code = ("from checks.detectors.comment import CommentDetector\n"
            "v = CommentDetector().classify([{'id': '1', 'text': 'what the f**k is this', "
            "'post': 'Band concert Thursday'}])\n"
            "assert v[0].label == 'obscene_profane', v[0].label")
    assert imported_by(code, ("sklearn", "scipy", "profanity_check", "joblib")) == []
