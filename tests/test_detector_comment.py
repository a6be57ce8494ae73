"""The ``comment`` detector (rule ``removable_comment``) and its lexicons.

- lexicon patterns: obfuscated profanity is found, mild words are not; violent idioms are not
  threats, veiled threats are; spam links; insults aimed at a person vs criticism of conduct;
- the detector: protected criticism gets ``none``, a threat wins over other grounds, profanity
  counts even in a supportive comment, empty text is not scored, batches keep their order and
  make one ``encode`` call, bad input raises ``InputError``, versions are stable and follow the
  model JSON and the thresholds; a threat only the classifier found is read again with its
  spelling corrected and lowered when that reading is no threat, other verdicts are not;
- the committed model was trained on the current training files (never a blind test file),
  its two fine-tuned classifiers are the committed ONNX files and their mean is what it reads,
  and retraining reproduces the model;
- on the four blind test files of longer comments and on test6, test9 and test10 it meets the
  threat-recall, removable-recall, protected and precision bars; on test7, test8, test11 and
  test12 (short comments) it holds what was measured, and the bars are a strict ``xfail``;
  the simulated district's protected comments are left alone and nearly all its planted
  removable comments are found (the rest is a strict ``xfail``: see ``checks/README.md``).

Example comments here were written for this test, not taken from the data files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from checks.detectors import comment
from checks.detectors import lexicons as lx
from checks.detectors.base import InputError
from checks.detectors.linear import file_sha256
from checks.detectors.replies import strip_addressee
from tests.blind_scores import comment_metrics
from tests.imports import imported_by
from tests.recording import Recording
from tests.reply_tags import without_reply_tag

DATA = Path(__file__).resolve().parents[1] / "checks" / "data"
POST = "Reminder: the spring band concert is Thursday at 7 pm in the Lincoln Middle School gym."


@pytest.fixture(scope="module")
def real_encoder():
    from checks.detectors.embedding import encoder

    return encoder()


@pytest.fixture(scope="module")
def det(real_encoder):
    return comment.CommentDetector(encoder=real_encoder)


def _labels(det, texts, post=POST):
    return [v.label for v in det.classify([{"id": i, "text": t, "post": post}
                                           for i, t in enumerate(texts)])]


# --------------------------------------------------------------------------------------------
# lexicons
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "f.u.c.k this district", "f*ck the new schedule", "what the f**k", "f***ing joke",
    "this is a f'n disaster", "wtf is this", "cut the BS", "sh!t show", "that's some bullsh*t",
    "kiss my a$$", "what a b1tch", "motherf*ckers", "lit af", "what a load of buullshit",
])
def test_obfuscated_profanity_is_found(text):
    assert lx.find_profanity(text), text


@pytest.mark.parametrize("text", [
    "damn, these kids are good", "hell yeah Eagles", "this schedule sucks", "what a crap call",
    "I'm pissed about the bus", "freaking awesome", "she graduated summa cum laude",
    "the class assessment is Friday", "pass the bass, Dickens", "Hancock Elementary",
])
def test_mild_words_and_lookalikes_are_not_profanity(text):
    assert lx.find_profanity(text) == [], text


def _strong_threats(text: str) -> list[tuple[str, str]]:
    return [(k, m) for k, m in lx.find_threats(text) if k not in lx.WEAK_THREAT_KINDS]


@pytest.mark.parametrize("text", [
    "The girls are going to kill it at state!", "Y'all were killing it tonight",
    "Murdered that test, Jaylen!", "Shoot me an email and I'll send the form",
    "Photo shoot for the seniors is Monday", "Our defense destroyed them", "Bomb job on the play",
    "I'd kill for a snow day", "Break a leg, cast!", "the fight song slaps",
    "this lunch is a crime",
    "Bring your hot glue gun for the float", "Beat Central!", "We're going to beat them Friday",
])
def test_violent_idioms_are_not_threats(text):
    assert _strong_threats(text) == [], text


@pytest.mark.parametrize("text", [
    "I know where that teacher parks.",
    "Someone should teach that bus driver a lesson he won't forget.",
    "Tell her to start her car very carefully from now on.",
    "If this happens again I'm bringing more than a sign.",
    "He'd better watch his back.",
    "If my son gets moved again, somebody is going to get hurt.",
    "Don't send your kids to school Monday.",
    "That coach deserves a beating.",
    "I'm going to beat him up after the game.",
    "It would be a shame if something happened to that bus barn.",
    "Parents are going to take matters into their own hands.",
])
def test_veiled_and_explicit_threats_are_found(text):
    assert _strong_threats(text), text


def test_a_hazard_warning_is_only_a_weak_threat_cue():
    found = lx.find_threats("No lights in the parking lot at night. Someone's going to get hurt.")
    assert found and {k for k, _ in found} <= lx.WEAK_THREAT_KINDS


@pytest.mark.parametrize("text, kind", [
    ("50% off tees at spiritwear dot shop, code GOEAGLES", "link"),
    ("Make $400 a day from home https://bit.ly/3xYz", "shortener"),
    ("Earn passive income with crypto, DM me", "money"),
    ("Senior sessions booked! link in bio", "dm"),
    ("Follow back for follow back, get 10k followers in a day", "social"),
])
def test_spam_cues(text, kind):
    assert kind in {k for k, _ in lx.find_spam(text)}, lx.find_spam(text)


def test_insults_aim_at_people_not_at_conduct():
    assert lx.find_insults("Pathetic response from leadership. Do better.") == []
    assert lx.find_insults("Holy cow, 40 kids in one class?") == []
    assert {k for k, _ in lx.find_insults("Mrs. Dale is a lazy old cow")} == {"person"}
    assert "insult" in {k for k, _ in lx.find_insults("the principal is a moron")}


def test_criticism_and_politics_cues():
    assert lx.find_criticism("You should all resign. This is a disgrace.")
    assert lx.find_offtopic("We will remember at the next board election") == []
    assert lx.find_offtopic("MAGA! Vote Republican in the midterms")


@pytest.mark.parametrize("text, found", [
    ("What channel is the OU game on?", "OU game"),
    ("OSU football kickoff moved to 11", "OSU football kickoff"),
    ("nfl draft tonight who yall got", "nfl"),
    ("chiefs sunday? my fantasy team is cooked", "fantasy team"),
    ("Boomer Sooner! 🏈", "Boomer Sooner"),
])
def test_professional_and_college_sports_are_an_off_topic_cue(text, found):
    assert ("pro_sports", found) in lx.find_offtopic(text), lx.find_offtopic(text)


@pytest.mark.parametrize("text", [
    "thank ou for the update",  # "you" with a letter dropped: OU counts only in capitals
    "what channel is the ou game on",
    "OSU accepted my daughter!",  # no sport named after it
    "Go Eagles! Beat the Chiefs on Friday",  # pro teams' names are school mascots too
    "Who is streaming the Thunder game tonight?",
])
def test_school_mascots_and_lower_case_ou_are_no_sports_cue(text):
    assert "pro_sports" not in {k for k, _ in lx.find_offtopic(text)}


def test_reply_tags_are_stripped_for_the_embedding():
    assert strip_addressee("@coach_b @mom.of.3 thanks!") == "thanks!"
    assert strip_addressee("Replying to @EaglesHS: so proud") == "so proud"
    assert strip_addressee("@only") == "@only"  # nothing else to judge: keep it


# --------------------------------------------------------------------------------------------
# the detector
# --------------------------------------------------------------------------------------------

def test_protected_criticism_gets_none(det):
    texts = [
        "This board is a clown show. Every one of you should resign.",
        "THE BUS WAS 40 MINUTES LATE AGAIN. UNACCEPTABLE.",
        "You should all be fired for this calendar. Nobody asked the parents.",
        "Respectfully, this lunch is a crime. My son came home starving.",
        "Another raise for the superintendent while teachers buy their own paper? Shameful.",
    ]
    assert _labels(det, texts) == ["none"] * len(texts)


def test_clear_grounds(det):
    texts = [
        "Selling carts and vapes by the bus stop, cash only, hmu",
        "Make $500 a day from home!! Click www.easycash-daily.biz now",
        "Mr. Fenton is a fat ugly slob and a moron",
        "Lost my golden retriever near Elm and 5th, please call if you see him",
    ]
    assert _labels(det, texts) == ["illegal_activity", "spam_advertising", "harassment_abuse",
                                   "off_topic"]


def test_threat_wins_over_other_grounds(det):
    texts = [
        "I know where you park, you f*cking moron. Watch your back.",
        "The principal is a fat pig and I know where she lives. She'll regret this.",
    ]
    verdicts = det.classify([{"id": i, "text": t, "post": POST} for i, t in enumerate(texts)])
    assert [v.label for v in verdicts] == ["threat_violence", "threat_violence"]
    assert all(v.flagged and v.score >= 0.5 for v in verdicts)
    assert any(r.startswith("threat pattern: ") for r in verdicts[0].reasons)
    assert any(r.startswith("profanity: ") for r in verdicts[0].reasons)


def test_profanity_counts_even_when_supportive(det):
    verdict = det.classify([{"id": 1, "text": "Hell yes, these kids are f*cking amazing!",
                             "post": POST}])[0]
    assert verdict.label == "obscene_profane" and verdict.flagged
    assert "'f*cking'" in " ".join(verdict.reasons)


def test_idioms_and_support_are_not_flagged(det):
    texts = ["These kids are going to kill it at state!", "Shoot me a message about tickets",
             "So proud of our band 💙", "What time do doors open?"]
    assert _labels(det, texts) == ["none"] * len(texts)


def test_a_threat_only_a_typo_made_is_read_again_and_lowered(det):
    (v,) = det.classify([{"id": 1, "text": "these kiids are going places"}])
    assert (v.label, v.flagged) == ("none", False)
    assert v.details["as_written"]["label"] == "threat_violence"
    assert v.details["spelling_corrected"] == [["kiids", "kids"]]
    assert "'kiids' -> 'kids'" in v.reasons[1] and "not a threat" in v.reasons[1]


def test_a_threat_that_stays_one_when_corrected_is_kept(det, real_encoder):
    counting = Recording(det.classifier, "predict_proba")
    d = comment.CommentDetector(encoder=real_encoder, classifier=counting)
    (v,) = d.classify([{"id": 1, "text": "gonna make that principal bleed tomorow"}])
    assert v.label == "threat_violence" and v.details["decided_by"] == "classifier"
    assert "as_written" not in v.details
    assert counting.calls == [["gonna make that principal bleed tomorow"],
                              ["gonna make that principal bleed tomorrow"]]


def test_threat_patterns_and_other_grounds_are_not_read_again(det, real_encoder):
    counting = Recording(det.classifier, "predict_proba")
    d = comment.CommentDetector(encoder=real_encoder, classifier=counting)
    texts = ["I will shoot the principal tomorow", "Buy cheep followers at fastfame dot shop",
             "So prowd of this team"]
    verdicts = d.classify([{"id": i, "text": t} for i, t in enumerate(texts)])
    assert verdicts[0].label == "threat_violence"
    assert verdicts[0].details["decided_by"] == "threat pattern"
    assert [v.label for v in verdicts[1:]] == ["spam_advertising", "none"]
    assert counting.calls == [texts]  # one batch, no second reading


def test_batches_keep_order_and_encode_once(real_encoder):
    counting = Recording(real_encoder, "encode")
    d = comment.CommentDetector(encoder=counting)
    items = [
        {"id": "a", "text": "So proud of these musicians!", "post": POST},
        {"id": "b", "text": "f*ck this school"},
        {"id": "c", "text": ""},
        {"id": "d", "text": "Buy followers at growfast dot shop, code FAME",
         "post": {"text": POST}},
        {"id": "e", "text": "I know where that band director parks. Watch your back.",
         "post": POST},
    ]
    d.classify(items[:1])  # the first call also encodes the prototypes
    counting.calls.clear()
    forward = d.classify(items)
    assert len(counting.calls) == 1
    assert sorted(counting.calls[0]) == sorted(
        [strip_addressee(i["text"]) for i in items if i["text"]] + [POST])
    backward = d.classify(items[::-1])[::-1]
    labels = [v.label for v in forward]
    assert labels == [v.label for v in backward]
    assert labels == ["none", "obscene_profane", "none", "spam_advertising", "threat_violence"]
    assert forward[2].score == 0.0 and "no text" in forward[2].reasons[0]
    assert d.classify([]) == []


@pytest.mark.parametrize("item, message", [
    ({"id": 7}, r"input #1 \(id 7\): missing 'text'"),
    ({"id": 7, "text": None}, "missing 'text'"),
    ({"id": 7, "text": 3}, "'text' must be a string"),
    ({"id": 7, "text": "ok", "post": ["x"]}, "'post' must be a string"),
    ("just a string", "expected an object with 'text'"),
])
def test_bad_input_raises_input_error(item, message, real_encoder):
    counting = Recording(real_encoder, "encode")
    d = comment.CommentDetector(encoder=counting)
    with pytest.raises(InputError, match=message):
        d.classify([{"id": 0, "text": "fine"}, item])
    assert counting.calls == []  # nothing is scored when any item is bad
    with pytest.raises(InputError):
        d.validate(item)


def test_version_is_stable_and_follows_model_and_thresholds(tmp_path):
    base = comment.detector()
    assert comment.detector() is base
    again = comment.CommentDetector()
    assert again.version == base.version and base.version.startswith(comment.METHOD_VERSION + "+")
    th = base.thresholds
    assert comment.CommentDetector(flag=th.flag).version == base.version
    changed = {comment.CommentDetector(flag=0.9).version,
               comment.CommentDetector(threat=0.9).version,
               comment.CommentDetector(pattern=0.95).version}
    assert base.version not in changed and len(changed) == 3
    data = json.loads(comment.MODEL_PATH.read_text())
    data["combiner"]["intercept"][0] += 0.25
    assert comment.CommentDetector(model_path=model_copy(tmp_path, data)).version != base.version
    with pytest.raises(ValueError, match="outside"):
        comment.CommentDetector(flag=2.0)


def model_copy(folder, data: dict) -> Path:
    """``data`` as a model file in ``folder``, with the committed neighbours file beside it."""
    path = folder / "comment.json"
    path.write_text(json.dumps(data))
    neighbours = comment.MODEL_PATH.with_name(comment.NEIGHBOURS_FILE)
    (folder / comment.NEIGHBOURS_FILE).write_bytes(neighbours.read_bytes())
    return path


def test_a_stale_model_file_is_refused(tmp_path):
    data = json.loads(comment.MODEL_PATH.read_text())
    data["combiner"]["coef"] = [row[:-1] for row in data["combiner"]["coef"]]
    data["combiner"]["feature_names"] = data["combiner"]["feature_names"][:-1]
    data["combiner"]["mean"] = data["combiner"]["mean"][:-1]
    data["combiner"]["scale"] = data["combiner"]["scale"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        comment.CommentDetector(model_path=model_copy(tmp_path, data))


def test_a_missing_or_changed_neighbours_file_is_refused(tmp_path):
    path = model_copy(tmp_path, json.loads(comment.MODEL_PATH.read_text()))
    neighbours = tmp_path / comment.NEIGHBOURS_FILE
    assert comment.CommentDetector(model_path=path).version == comment.detector().version
    raw = neighbours.read_bytes()
    neighbours.write_bytes(raw[:-4] + bytes(4))  # the last embedding's last number zeroed
    with pytest.raises(comment.NeighboursFileError, match="sha256 [0-9a-f]{64}, the model"):
        comment.CommentDetector(model_path=path)
    neighbours.unlink()
    with pytest.raises(comment.NeighboursFileError, match=f"{comment.NEIGHBOURS_FILE} is missing"):
        comment.CommentDetector(model_path=path)


def test_neighbour_similarity_by_hand():
    """Per ground, the mean cosine of the K nearest reference comments of that ground; with
    groups, a comment's own group (its post) is left out; a ground with fewer references than K
    averages those it has, and one with none gives 0."""
    k = comment.NEIGHBOURS_K
    angle = np.linspace(0.0, 1.5, 12)
    ref = np.column_stack([np.cos(angle), np.sin(angle)])  # unit vectors, more and more apart
    labels = np.array([0] * 8 + [1] * 3 + [2])
    query = ref[:1]
    got = comment.neighbour_similarity(query, ref, labels)
    assert got.shape == (1, len(comment.LABELS))
    assert got[0, 0] == pytest.approx(np.mean(np.cos(angle[:k])))
    assert got[0, 1] == pytest.approx(np.mean(np.cos(angle[8:11])))
    assert got[0, 2] == pytest.approx(np.cos(angle[11]))
    assert (got[0, 3:] == 0).all()
    groups = np.array([0] * 3 + [1] * 9)
    left_out = comment.neighbour_similarity(query, ref, labels, groups[:1], groups)
    assert left_out[0, 0] == pytest.approx(np.mean(np.cos(angle[3:3 + k])))
    assert left_out[0, 1] == got[0, 1]


def test_decide_rules():
    th = comment.Thresholds(flag=0.6, threat=0.4, pattern=0.3)
    p = np.array([
        [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01],  # none
        [0.3, 0.05, 0.05, 0.1, 0.1, 0.05, 0.35],  # off_topic, but profane -> obscene
        [0.2, 0.45, 0.05, 0.2, 0.05, 0.03, 0.02],  # threat by the combiner
        [0.05, 0.05, 0.02, 0.08, 0.75, 0.03, 0.02],  # obscene, but a threat pattern matched
        [0.75, 0.1, 0.05, 0.05, 0.02, 0.02, 0.01],  # a pattern, not removable enough: none
        [0.1, 0.05, 0.6, 0.05, 0.1, 0.05, 0.05],  # illegal stays, profanity or not
    ])
    pattern = np.array([False, False, False, True, True, False])
    profane = np.array([False, True, False, True, False, True])
    labels, scores, hows = comment.decide(p, pattern, profane, th)
    assert [comment.LABELS[i] for i in labels] == [
        "none", "obscene_profane", "threat_violence", "threat_violence", "none",
        "illegal_activity"]
    assert [comment.HOW[h] for h in hows] == [
        "classifier", "profanity rule over a lesser ground", "combined threat probability",
        "threat pattern", "classifier", "classifier"]
    assert scores[2] == pytest.approx(0.8)


def test_the_protected_cap_holds_for_short_and_longer_comments_each():
    """One longer protected comment among ten that the hard threats cannot be caught without
    flagging: under the pooled cap (1 of 110 protected) the search takes it; with the cap per
    length (1 of 10 longer) it gives the hard threats up."""
    none, threat = [0.97, 0.03] + [0.0] * 5, [0.1, 0.9] + [0.0] * 5
    hard, doubtful = [0.55, 0.45] + [0.0] * 5, [0.5, 0.5] + [0.0] * 5
    p = np.array([none] * 100 + [none] * 9 + [doubtful] + [threat] * 20 + [hard] * 10)
    gold = np.array([0] * 110 + [comment.LABELS.index("threat_violence")] * 30)
    protected = np.array([True] * 110 + [False] * 30)
    short = np.array([True] * 100 + [False] * 10 + [True] * 30)
    nothing = np.zeros(len(p), dtype=bool)
    runs = [(p, p)]
    pooled, _ = comment._choose_thresholds(runs, nothing, nothing, gold, protected)
    each, summary = comment._choose_thresholds(runs, nothing, nothing, gold, protected, short)
    assert comment.decide(p, nothing, nothing, pooled)[0][-1] != 0  # hard threats caught
    assert comment.decide(p, nothing, nothing, each)[0][-1] == 0
    assert summary["protected_longer"] == 0.0
    assert summary["threat_recall"] == pytest.approx(2 / 3, abs=1e-3)
    # rows of one length only: the other length has nothing to flag, the pooled choice stands
    only_short = np.ones(len(p), dtype=bool)
    same, summary = comment._choose_thresholds(runs, nothing, nothing, gold, protected,
                                               only_short)
    assert same == pooled and summary["protected_longer"] == 0.0
    same, summary = comment._choose_thresholds(runs, nothing, nothing, gold, protected,
                                               ~only_short)
    assert same == pooled and summary["protected_short"] == 0.0
    assert comment.is_short("one two three four five six seven eight nine ten")
    assert not comment.is_short("one two three four five six seven eight nine ten eleven")


# --------------------------------------------------------------------------------------------
# the committed model
# --------------------------------------------------------------------------------------------

def test_model_records_the_current_training_files_and_classifier():
    from checks import datasets

    model = comment.CommentModel.load(comment.MODEL_PATH)
    paths = datasets.training_paths("comment")
    assert [p.name for p in paths] == ["comment.train.jsonl", "comment.dev.jsonl",
                                       "comment.eval.jsonl"]
    assert model.train_sha256 == datasets.joined_sha256(paths)
    assert model.meta["lexicon_sha256"] == comment.lexicon_digest()
    assert model.combiner.feature_names == comment.meta_feature_names()
    from checks.detectors.finetuned import MEMBERS, onnx_paths

    members = MEMBERS["comment"]
    assert len(members) == 2 and len({m.seed for m in members}) == 2
    assert model.finetuned_sha256 == [file_sha256(p) for p in onnx_paths(comment.NAME)]
    for member, sha in zip(members, model.finetuned_sha256, strict=True):
        oof = json.loads(member.oof_path("comment").read_text())
        assert oof["onnx_sha256"] == sha
        assert oof["train_sha256"] == model.train_sha256
        assert (oof["seed"], oof["typo_share"]) == (member.seed, member.typo_share)


def test_out_of_fold_probabilities_of_another_member_are_refused():
    from checks import datasets
    from checks.detectors.finetune import read_oof
    from checks.detectors.finetuned import MEMBERS, Member

    paths = datasets.training_paths("comment")
    rows, sha = datasets.load_all(paths)[:50], datasets.joined_sha256(paths)
    first = MEMBERS["comment"][0]
    probas, _ = read_oof("comment", rows, sha, comment.LABELS, first)
    assert probas.shape == (50, len(comment.LABELS))
    for other in (Member(first.suffix, first.seed + 1, first.typo_share),
                  Member(first.suffix, first.seed, first.typo_share + 0.3)):
        with pytest.raises(ValueError, match="fine-tune that member again"):
            read_oof("comment", rows, sha, comment.LABELS, other)


def test_a_swapped_classifier_file_is_refused(tmp_path):
    from checks.detectors.embedding import ModelFileError
    from checks.detectors.finetuned import FineTunedEnsemble, onnx_paths

    first, second = onnx_paths(comment.NAME)
    swapped = tmp_path / second.name
    swapped.write_bytes(second.read_bytes()[:-1] + b"\0")
    model = comment.CommentModel.load(comment.MODEL_PATH)
    with pytest.raises(ModelFileError, match="expects"):
        FineTunedEnsemble(list(zip([first, swapped], model.finetuned_sha256, strict=True)),
                          comment.LABELS)


def test_the_ensemble_is_the_mean_of_its_members(det):
    from checks.detectors.finetuned import FineTunedClassifier, onnx_paths

    texts = ["see you at the board meeting, all of us", "i know wich car is yours coach"]
    mean = det.classifier.predict_proba(texts)
    alone = [FineTunedClassifier(path, comment.LABELS, sha).predict_proba(texts)
             for path, sha in zip(onnx_paths(comment.NAME), det.model.finetuned_sha256,
                                  strict=True)]
    assert not np.allclose(alone[0], alone[1], atol=1e-3)  # two different classifiers
    assert np.allclose(mean, (alone[0] + alone[1]) / 2, atol=1e-12)


def test_the_classifier_runs_texts_side_by_side_with_the_answers_of_one_at_a_time():
    """Texts are scored on several threads, each alone (so each gets the answer it gets on its
    own, in its own row), and no worse: the same probabilities as one thread, in input order."""
    from checks.detectors.finetuned import FineTunedClassifier, onnx_paths
    from tests.recording import SessionCalls

    path, sha = onnx_paths(comment.NAME)[0], comment.CommentModel.load(
        comment.MODEL_PATH).finetuned_sha256[0]
    texts = [f"comment {n}: the bus was late again on route {n}" for n in range(24)]
    texts[5] = "I know where the principal parks and he won't see it coming"
    serial = FineTunedClassifier(path, comment.LABELS, sha, threads=1)
    parallel = FineTunedClassifier(path, comment.LABELS, sha, threads=2)
    parallel.session = seen = SessionCalls(parallel.session)
    one_by_one = np.vstack([serial.predict_proba([t]) for t in texts])
    assert np.array_equal(parallel.predict_proba(texts), one_by_one)
    assert np.array_equal(serial.predict_proba(texts), one_by_one)
    assert len(seen.calls) == len(texts) and {size for _, size in seen.calls} == {1}
    assert len(seen.threads) == 2
    assert one_by_one[5].argmax() == comment.LABELS.index("threat_violence")


def test_the_fine_tuned_classifier_reads_threats_apart_from_criticism(det):
    probs = det.classifier.predict_proba([
        "I know where the principal parks and he won't see it coming",
        "The principal should resign, this is a disgrace",
    ])
    threat = comment.LABELS.index("threat_violence")
    assert probs.shape == (2, len(comment.LABELS))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert probs[0, threat] > 0.5 > probs[1, threat]


def test_retraining_reproduces_the_committed_model(real_encoder):
    committed = comment.CommentModel.load(comment.MODEL_PATH)
    retrained = comment.train(out_path=None, search=False, encoder=real_encoder,
                              log=lambda *_: None)
    assert retrained.thresholds == committed.thresholds
    neighbours = comment.MODEL_PATH.with_name(comment.NEIGHBOURS_FILE)
    assert retrained.neighbours_bytes() == neighbours.read_bytes()
    assert np.array_equal(retrained.neighbour_labels, committed.neighbour_labels)
    for a, b in ((retrained.embedding, committed.embedding),
                 (retrained.combiner, committed.combiner)):
        assert np.allclose(a.coef, b.coef, atol=1e-6, rtol=0)
        assert np.allclose(a.intercept, b.intercept, atol=1e-6, rtol=0)


# --------------------------------------------------------------------------------------------
# quality bars on the blind test files (measured, never tuned on)
# --------------------------------------------------------------------------------------------

#: blind test file -> (comments, protected comments). Measured for the committed version
#: 4+952e4a3e.674c87: threat recall 51/55, 103/110, 94/102, 96/101; removable recall 0.983 /
#: 0.961 / 0.951 / 0.987, precision 0.978 / 0.982 / 0.991 / 0.965; protected given a ground 2 of
#: 85, 1 of 101, 0 of 111, 4 of 111. On the short comments of test6, test7 and test8: threat
#: recall 51/54, 51/61 and 56/68, removable recall 0.963, 0.930 and 0.905, precision 0.989,
#: 0.954 and 0.977, protected 0 of 73, 4 of 76 and 4 of 84. On test9 and test10 (short, each
#: read first for that version): threat recall 66/72 and 65/69, removable recall 0.948 and
#: 0.947, precision 0.987 and 0.991, protected 1 of 91 and 1 of 89. Version 5 (the same models,
#: threats only the classifier found read again with their spelling corrected) read each file
#: once more: the same everywhere but test8 (a false threat became harassment, as labelled) and
#: test10 (a threat lost to a wrong correction, "hed" -> "he": 64/69). test11 (short, written
#: blind at stop 15 and held unread until a new version was kept) was read once, for version 5:
#: threat recall 62/71, removable recall 0.926, precision 0.968, protected 4 of 89. test12
#: (short, written blind at stop 19, held unread until round 15 was decided, not kept) was read
#: once, for version 5: threat recall 62/71, removable recall 0.943, precision 0.968, protected 4
#: of 88. Version 6 (round 18: the combiner also reads the nearest training comments of each
#: ground) read each file once: threat recall 51/55, 104/110, 95/102, 94/101; removable recall
#: 0.978 / 0.966 / 0.960 / 0.982; protected 2 of 85, 1 of 101, 0 of 111, 4 of 111; short files
#: test6 to test12: threat recall 50/54, 52/61, 57/68, 67/72, 66/69, 64/71, 65/71 (421 of 466),
#: protected 0, 4, 2, 0, 0, 3 and 3. The label audit (stop 23, checks/docs/label-audit-rule.txt)
#: changed 7 of the 4,350 labels: three longer comments of test and two of test12 became
#: protected, test7's "I'll be at the March 11 hearing" is no longer protected, and test10's
#: "taco monday, cafeteria staff better wear kevlar lol" and test12's "Cut orchestra and watch
#: what happens at the meeting" are no longer threats. Version 6 on the audited labels: threats
#: 51/55, 104/110, 95/102, 94/101 and 50/54, 52/61, 57/68, 67/72, 66/68, 64/71, 64/70 (420 of
#: 464 short); protected given a ground 3 of 88, 1, 0, 4 and 0, 4 of 75, 2, 0, 0, 3, 4 of 90.
#: test13 (short, written blind at stop 23) was read once, for version 6: threat recall 61/70,
#: removable recall 0.930, precision 0.986, protected 3 of 91. Version 7 (round 34's off-topic
#: cue, kept under round 35's rule) gives every one of these files' verdicts as version 6.
#: test14 (short, written blind at stop 23) and test15 (students' and parents' replies, written
#: blind at stop 24) were held unread until then, and read once for versions 6 and 7 at the
#: same time (equal verdicts): threats 64/70 and 59/60, removable 216/226 and 140/140,
#: protected given a ground 9 of 84 and 4 of 60. test16 (replies) and test17 (short), written
#: blind at stop 28, were held unread until round 43's rule read them once, for round 43 and
#: version 7 at the same time (stop 29): version 7's threats 58/64 and 65/74, removable 148/159
#: and 215/239, protected given a ground 3 of 62 and 4 of 94. test18 (replies) and test19
#: (short), written blind at stop 29, were held unread until round 44's rule read them once, for
#: round 43's model and version 7 at the same time (stop 30): version 7's threats 59/61 and
#: 71/73, removable 143/147 and 229/240, precision 0.817 and 0.966, protected given a ground 0 of
#: 63 and 4 of 90. test20 (short) and test21 (replies), written blind at stop 32, were held
#: unread until round 47's rule read them once, for round 47 and version 7 at the same time (stop
#: 33): version 7's threats 71/76 and 65/66, removable 221/232 and 152/154, precision 0.953 and
#: 0.835, protected given a ground 3 of 82 and 6 of 65. test22 (short) and test23 (replies),
#: written blind at stop 33, were held unread until round 48's rule read them once, for round 48
#: and version 7 at the same time (stop 33; equal verdicts): threats 68/73 and 58/62, removable
#: 223/237 and 146/151, precision 0.996 and 0.890, protected given a ground 0 of 91 and 4 of 62.
BLIND_FILES = {"test": (423, 88), "test2": (422, 101), "test3": (422, 111), "test4": (422, 111),
               "test6": (332, 73), "test7": (337, 75), "test8": (398, 84), "test9": (404, 91),
               "test10": (398, 89), "test11": (397, 89), "test12": (395, 90),
               "test13": (399, 91), "test14": (391, 84), "test15": (392, 60),
               "test16": (414, 62), "test17": (404, 94), "test18": (409, 63),
               "test19": (408, 90), "test20": (393, 82), "test21": (398, 65),
               "test22": (402, 91), "test23": (411, 62)}
BARS = {"threat_recall": 0.9, "removable_recall": 0.85, "protected_flagged_rate": 0.05}
#: blind files where the bars are not all met, and what was measured there for the committed
#: version (held, so it cannot get worse unnoticed); test6 meets every bar since round 8, test9
#: and test10 do, and test11 and test12 since version 6. All short files (at most 10 words)
#: but test15, test21 and test23, replies files.
UNMET_FILES = {"test7": {"threat_recall": 0.85, "removable_recall": 0.94,
                         "protected_flagged_rate": 0.054},
               "test8": {"threat_recall": 0.83, "removable_recall": 0.92,
                         "protected_flagged_rate": 0.024},
               "test13": {"threat_recall": 0.87, "removable_recall": 0.93,
                          "protected_flagged_rate": 0.033},
               "test14": {"threat_recall": 0.91, "removable_recall": 0.95,
                          "protected_flagged_rate": 0.108},
               "test15": {"threat_recall": 0.98, "removable_recall": 1.0,
                          "protected_flagged_rate": 0.067},
               "test17": {"threat_recall": 0.87, "removable_recall": 0.89,
                          "protected_flagged_rate": 0.043},
               "test21": {"threat_recall": 0.98, "removable_recall": 0.98,
                          "protected_flagged_rate": 0.093},
               "test23": {"threat_recall": 0.93, "removable_recall": 0.96,
                          "protected_flagged_rate": 0.065}}
#: removable precision has no bar in the issue; every blind file is held to 0.9 but these five
#: of students' replies, where harmless replies are given a ground they do not have
PRECISION_FLOORS = {"test15": 0.83, "test16": 0.87, "test18": 0.81, "test21": 0.83,
                    "test23": 0.89}


@pytest.fixture(scope="module")
def blind_metrics(tmp_path_factory):
    """split -> the committed detector's metrics, every blind file scored once per session."""
    metrics = comment_metrics(tmp_path_factory)
    assert set(metrics) == set(BLIND_FILES)
    return metrics


@pytest.mark.parametrize("split", BLIND_FILES)
def test_the_bars_on_every_blind_test_file(blind_metrics, split):
    rows, protected = BLIND_FILES[split]
    m = blind_metrics[split]
    assert m["n"] == rows and m["protected"] == protected
    held = UNMET_FILES.get(split, BARS)
    assert m["threat_recall"] >= held["threat_recall"], m
    assert m["removable_recall"] >= held["removable_recall"], m
    assert m["protected_flagged_rate"] <= held["protected_flagged_rate"], m
    assert m["removable_precision"] >= PRECISION_FLOORS.get(split, 0.9), m


@pytest.mark.xfail(strict=True, reason="threat recall is 0.85 (52 of 61, test7), 0.84 (57 of "
                                       "68, test8), 0.87 (61 of 70, test13) and 0.88 (65 of 74, "
                                       "test17); protected comments are given a ground at 5.3 % "
                                       "(test7), 10.7 % (test14), 6.7 % (test15), 9.2 % "
                                       "(test21) and 6.5 % (test23); see checks/README.md")
@pytest.mark.parametrize("split", UNMET_FILES)
def test_the_bars_on_every_file_where_they_are_not_met(blind_metrics, split):
    m = blind_metrics[split]
    assert m["threat_recall"] >= BARS["threat_recall"], m
    assert m["removable_recall"] >= BARS["removable_recall"], m
    assert m["protected_flagged_rate"] <= BARS["protected_flagged_rate"], m


def test_pooled_over_all_the_blind_files_the_bars_hold(blind_metrics):
    """Per file, test7, test8, test13 and test17 miss the threat bar and test7, test14, test15,
    test21 and test23 the protected one (above); pooled over all twenty-two files they do not
    (version 7: 1,463 of 1,581 threats, protected given a ground 61 of 1,846;
    ``python -m checks.blind``)."""
    from checks import blind

    lines = {x.name: x for x in blind.summary(blind_metrics)}
    everything = lines["all"]
    assert everything.threats == sum(lines[s].threats for s in BLIND_FILES)
    assert everything.threat_recall >= BARS["threat_recall"], everything
    assert everything.removable_recall >= BARS["removable_recall"], everything
    assert everything.protected_flagged_rate <= BARS["protected_flagged_rate"], everything


def test_pooled_over_the_short_blind_files_the_threat_bar_holds(blind_metrics):
    """Version 7 finds 820 of the thirteen short files' 900 threats (0.911). It was under the bar
    with ten (610 of 678, 0.8997) from test17's read at stop 29 to test19's at stop 30."""
    from checks import blind

    lines = {x.name: x for x in blind.summary(blind_metrics)}
    short = lines["short"]
    assert short.threats_found == sum(lines[s].threats_found for s in BLIND_FILES
                                      if s not in (*blind.LONGER, *blind.REPLIES))
    assert short.threat_recall >= BARS["threat_recall"], short


def test_evaluate_offers_every_blind_file_and_no_other(capsys):
    from checks import datasets

    assert datasets.test_splits(comment.NAME) == list(BLIND_FILES)
    with pytest.raises(SystemExit):
        comment.main(["evaluate", "--split", "test5"])  # retired into training
    assert "invalid choice" in capsys.readouterr().err


def test_metrics_by_hand():
    m = comment.metrics(["none", "threat_violence", "off_topic", "none"],
                        ["none", "threat_violence", "spam_advertising", "threat_violence"],
                        [True, False, False, False])
    assert m["removable_recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["removable_precision"] == 1.0
    assert m["threat_recall"] == 0.5 and m["protected_flagged_rate"] == 0.0


# --------------------------------------------------------------------------------------------
# the simulated district
# --------------------------------------------------------------------------------------------

def pipeline_text(world, by_id: dict, item) -> str:
    """What the pipeline gives the detector: a reply without the name (Facebook) or "@handle"
    (Instagram, X) it opens with (checks/sql/inputs_comment.sql)."""
    parent = by_id.get(item.parent_id) if item.parent_id else None
    person = parent and world.index["person"].get((item.platform, parent.author_id))
    return without_reply_tag(item.text, person)


@pytest.fixture(scope="module")
def simulated(det):
    from connectors.simulated import generate_world

    world = generate_world(12, 1.0)
    by_id = {i.id: i for i in world.items}
    items = [i for i in world.items if i.author_role == "public" and "comment_ground" in i.labels]
    planted = {r["item_native_id"] for r in world.ground_truth if r["rule"] == "removable_comment"}

    verdicts = det.classify([{"id": i.id, "text": pipeline_text(world, by_id, i),
                              "post": by_id[i.root_id].text if i.root_id in by_id else ""}
                             for i in items])
    got = {i.id: v for i, v in zip(items, verdicts, strict=True)}
    assert planted and planted <= set(got)
    return by_id, items, planted, got


def test_simulated_planted_comments_nearly_all_found_protected_left_alone(simulated):
    by_id, items, planted, got = simulated
    missed = [by_id[i] for i in planted if not got[i].flagged]
    # measured for the committed version: none of 54 (version 6 missed an off-topic question,
    # version 5 also an insult aimed at whoever runs the page and another question)
    assert missed == [], [i.text for i in missed]
    protected = [i for i in items if i.labels.get("protected")]
    assert len(protected) > 50
    assert [i.text for i in protected if got[i.id].flagged] == []


def students_replies(seed: int) -> list[tuple[str, dict]]:
    """(text, post) of the students' replies of a simulated district, as the pipeline reads them."""
    from connectors.simulated import generate_world

    world = generate_world(seed, 1.0)
    by_id = {i.id: i for i in world.items}
    return [(pipeline_text(world, by_id, i),
             {"post": by_id[i.root_id].text if i.root_id in by_id else ""})
            for i in world.items if i.author_role == "student" and "comment_ground" in i.labels]


@pytest.mark.parametrize("seed", [12, pytest.param(7, marks=pytest.mark.xfail(
    strict=True, reason="version 7 calls 'i left my hoodie in ur room' a threat on seed 7 "
                        "(the demo's seed); see checks/README.md"))])
def test_no_student_reply_is_called_a_threat(det, seed):
    """Students answering their teachers are never threats; on seed 12 a few are off-topic
    (measured: 4 of 72, "u should come to my birthday party")."""
    replies = students_replies(seed)
    assert len(replies) > 50
    verdicts = det.classify([{"id": str(n), "text": text, **post}
                             for n, (text, post) in enumerate(replies)])
    assert [t for (t, _), v in zip(replies, verdicts, strict=True)
            if v.label == "threat_violence"] == []
    assert sum(v.flagged for v in verdicts) <= 4


def test_every_simulated_planted_comment_is_found(simulated):
    by_id, _, planted, got = simulated
    assert [by_id[i].text for i in planted if not got[i].flagged] == []


def test_importing_the_detector_stays_light():
    assert imported_by("import checks.detectors.comment, checks.detectors.lexicons",
                       ("numpy", "sklearn", "onnxruntime", "tokenizers", "profanity_check",
                        "spellchecker")) == []


def test_a_comment_gets_the_same_verdict_alone_or_in_a_batch(det):
    texts = ["Watch your back, coach. I know your car.", "these kiids are going places",
             "So proud of this team!!",
             "Buy cheap followers at fastfame dot shop", "This board is a joke. Resign.",
             "What time is the game?"]
    batch = det.classify([{"id": i, "text": t, "post": POST} for i, t in enumerate(texts)])
    for i, t in enumerate(texts):
        (alone,) = det.classify([{"id": i, "text": t, "post": POST}])
        assert (alone.label, alone.details) == (batch[i].label, batch[i].details)
        assert alone.score == pytest.approx(batch[i].score, abs=1e-9)
