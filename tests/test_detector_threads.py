"""How many ONNX calls the detectors run side by side: ``$SOCIALAUDIT_DETECTOR_THREADS``, else up
to 2; a bad value is a clear error naming the variable; under pytest-xdist each worker gets its
share of the cores; and the count changes no score."""

from __future__ import annotations

import os

import numpy as np
import pytest

from checks.detectors import threads
from checks.detectors.threads import THREADS_ENV, ThreadsSettingError, detector_threads
from tests.conftest import CALLER_THREADS

TEXTS = ["I know where the principal parks", "Go Tigers!!", "Resign. This is a disgrace.",
         "what time does the concert start"]


def test_unset_means_the_available_cores_at_most_two(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: 1)
    assert detector_threads() == 1
    monkeypatch.setattr(threads, "available_cores", lambda: 16)
    assert detector_threads() == threads.DEFAULT_MAX == 2


def test_the_variable_sets_the_count(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, " 3 ")
    assert detector_threads() == 3


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5", "²"])
def test_a_bad_value_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv(THREADS_ENV, raw)
    with pytest.raises(ThreadsSettingError, match=f"{THREADS_ENV} must be a whole number.*"
                                                  f"'{raw}'"):
        detector_threads()


def test_the_encoder_and_the_fine_tuned_classifiers_use_it(monkeypatch):
    from checks.detectors import comment
    from checks.detectors.embedding import Encoder
    from checks.detectors.finetuned import FineTunedEnsemble, onnx_paths

    model = comment.CommentModel.load(comment.MODEL_PATH)
    members = list(zip(onnx_paths(comment.NAME), model.finetuned_sha256, strict=True))
    scores = {}
    for count in (1, 2):
        monkeypatch.setenv(THREADS_ENV, str(count))
        encoder = Encoder()
        ensemble = FineTunedEnsemble(members, comment.LABELS)
        # the setting is how many calls run side by side, each call on one thread
        assert [encoder.workers] + [m.workers for m in ensemble.members] == [count] * 3
        sessions = [encoder.session] + [m.session for m in ensemble.members]
        assert [s.get_session_options().intra_op_num_threads for s in sessions] == [1] * 3
        scores[count] = (encoder.encode(TEXTS), ensemble.predict_proba(TEXTS))
    assert np.array_equal(scores[1][0], scores[2][0])
    assert np.array_equal(scores[1][1], scores[2][1])
    assert Encoder(threads=2).workers == 2


def test_xdist_workers_get_their_share_of_the_cores_unless_the_caller_set_it(pytestconfig):
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers == 1:
        pytest.skip("not run by pytest-xdist workers")  # scripts/test.sh runs -n 2
    caller = pytestconfig.stash[CALLER_THREADS]
    expected = caller if caller is not None else str(max(1, threads.available_cores() // workers))
    assert os.environ.get(THREADS_ENV) == expected
