"""The ``confidential`` detector (``checks/detectors/confidential.py``).

- per kind, a disclosure is flagged with that kind and a look-alike that discloses nothing is
  not (cases written for this test, not taken from the data files);
- the spans cover the disclosed strings; reasons never repeat them;
- the district's public contacts are never personal (a phone in another format, an e-mail in
  other case, an address with a spelled-out suffix); the version follows the contacts;
- bad input raises ``InputError``; a batch keeps its order and makes one ``encode`` call;
- the committed model was trained on the current train file and retraining reproduces it;
- the simulated district's planted disclosures are found and its look-alikes are not flagged;
- the dev file (used for tuning) is well formed, shares no text with train or eval, and stays
  where it was measured;
- on the held-out eval file precision >= 0.85 and recall >= 0.9 (the bars; measured in
  ``checks/docs/confidential.md``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from checks import datasets
from checks.detectors import confidential
from checks.detectors.base import InputError
from checks.detectors.linear import ModelBundle, file_sha256
from pipelines.config import Config
from tests.imports import imported_by
from tests.recording import Recording
from tests.reply_tags import without_reply_tag

DATA = Path(__file__).resolve().parents[1] / "checks" / "data"


@pytest.fixture(scope="module")
def real_encoder():
    from checks.detectors.embedding import encoder

    return encoder()


@pytest.fixture(scope="module")
def det(real_encoder):
    return confidential.detector(encoder=real_encoder)


def verdict(det, text: str):
    return det.classify([{"id": "t", "text": text}])[0]


# --------------------------------------------------------------------------------------------
# per kind: a disclosure, and a look-alike that is not one
# --------------------------------------------------------------------------------------------

POSITIVE = [
    ("grades", "Reply: Mr. Chen, Lucas has an 82 average in chemistry, a low B.", "82"),
    ("grades", "so proud of Desmond!!! 1480 on his SAT 😭🙌", "1480"),
    ("student_id", "Omari Banks, your student number is 3319024, use it at the library.",
     "3319024"),
    ("health", "Brynn has a bee sting allergy and carries an EpiPen, subs please note.",
     "allergy"),
    ("special_education", "Reply: Ms. Ray, Beckett's IEP review is set for 3/14 at 8am.", "IEP"),
    ("discipline", "Colt has ISS tomorrow and Friday so he'll miss the review.", "ISS"),
    ("home_address", "Birthday party for Poppy is at her house, 3318 Foxglove Lane. All invited!",
     "3318 Foxglove Lane"),
    ("personal_contact", "For the carpool, call Millie's dad at (918) 555-0166.",
     "(918) 555-0166"),
    ("personal_contact", "Zoey's personal email is zoey.b.2009@mailbox.test for the notes.",
     "zoey.b.2009@mailbox.test"),
    ("date_of_birth", "Enrollment confirmed for Ishaan Rao, DOB: March 9, 2012.",
     "March 9, 2012"),
    ("credentials", "Milo, your new Google password is Bluebird77 - change it when you sign in.",
     "Bluebird77"),
    ("credentials", "The shared Canva account: art8@clearwaterhs.test / Paint!2024", "Paint!2024"),
]

NEGATIVE = [
    # grades: aggregates and public recognition
    "Class average on the unit 4 test was an 84%. Nice work, 5th period!",
    "Congrats to Ezra, Lila, and Omar on being admitted to the Air Force Academy!",
    "Honor roll list for the second nine weeks is posted on our website.",
    # student_id: the policy, not a number
    "Student ID cards will be reissued Tuesday during English classes.",
    # health: staff health, a general notice, a policy
    "Welcome back Coach Rivera after your hip surgery! 💪",
    "Flu cases are rising. Please keep sick kids at home and wash hands often.",
    "A reminder that medication must be checked in with the nurse by a parent.",
    # special education: services described in general
    "Students who need a 504 plan should contact the counselor to start the process.",
    # discipline: the policy
    "Our detention policy: three tardies equals one lunch detention.",
    # addresses: the school's and a venue's
    "Our front office is at 4100 Buffalo Rd. Visitors must sign in.",
    "Homecoming game is at Memorial Stadium, 800 Pioneer Ave, 7pm kickoff!",
    # contacts: a staff member's own school contact details, an office line
    "Mrs. Grant can be reached at grant.l@redoakisd.test or 555-0133 ext. 310.",
    "Reply: Thanks for reaching out. Please call me at school at 555-0152 so we can talk.",
    "Call the attendance office at 555-0140 to report an absence.",
    # date of birth: a birthday without the year
    "Happy 12th birthday, Matteo! Hope you have the best day 🎈",
    # credentials: advice, not a password
    "Never post your login or password on social media!",
    "The password reset page for student Chromebooks is linked on the tech page.",
]


@pytest.mark.parametrize(("kind", "text", "detail"), POSITIVE,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(POSITIVE)])
def test_disclosure_is_flagged_with_its_kind_and_span(det, kind, text, detail):
    v = verdict(det, text)
    assert v.flagged and v.score >= det.threshold
    assert kind in v.details["kinds"]
    assert v.label == v.details["kinds"][0]
    assert v.details["kinds"] == [k for k in confidential.IMPORTANCE if k in v.details["kinds"]]
    covered = [text[s["start"]:s["end"]] for s in v.details["spans"] if s["kind"] == kind]
    assert any(detail in c for c in covered), (covered, v.details)
    assert any(confidential.REASON[kind] in r for r in v.reasons)


@pytest.mark.parametrize("text", NEGATIVE)
def test_look_alike_is_not_flagged(det, text):
    v = verdict(det, text)
    assert not v.flagged, v.reasons
    assert v.label == "none" and v.details == {"kinds": [], "spans": []}


def test_reasons_never_repeat_the_disclosed_values(det):
    text = "Kiara's mom asked me to share her cell, 405-555-0188, and Kiara's ID is 4471102."
    v = verdict(det, text)
    assert v.flagged
    assert {"personal_contact", "student_id"} <= set(v.details["kinds"])
    spans = {(s["kind"], text[s["start"]:s["end"]]) for s in v.details["spans"]}
    assert ("personal_contact", "405-555-0188") in spans and ("student_id", "4471102") in spans
    joined = " ".join(v.reasons)
    assert "0188" not in joined and "4471102" not in joined


SPAN_CASES = [
    ("Subs: the laptop login is rm12sub / Hawks#2211 for today.", ["rm12sub", "Hawks#2211"]),
    ("Aiden, I reset your Clever password. It's Lynx2031! now, change it.", ["Lynx2031!"]),
    ("Proud of Cooper for bringing a 61 up to a B this quarter!", ["61", "B"]),
    ("Group project: Mason 918.380.5341, Paisley paisley.w12@gmail.com, meet Friday!",
     ["918.380.5341", "paisley.w12@gmail.com"]),
    ("Team dinner at Declan's house, 909 N Prairie Rose Dr, Apt 4, Thursday at 6!",
     ["909 N Prairie Rose Dr, Apt 4"]),
    ("Welcome new student Max Ford, d.o.b. 2/3/2015, to Room 4!", ["2/3/2015"]),
    ("Roster: Thaddeus Moore 1029384, Priscilla Vance 1029391", ["1029384", "1029391"]),
]


@pytest.mark.parametrize(("text", "details"), SPAN_CASES)
def test_spans_cover_every_detail(det, text, details):
    v = verdict(det, text)
    assert v.flagged
    covered = [text[s["start"]:s["end"]] for s in v.details["spans"]]
    for detail in details:
        assert any(detail in c for c in covered), (detail, covered)
    for s in v.details["spans"]:
        assert 0 <= s["start"] < s["end"] <= len(text) and s["kind"] in v.details["kinds"]


def test_kinds_fall_back_to_the_kind_model_only_without_a_bound_hit():
    text = "Zebulon out sick today, keep him home"
    x = confidential.extract(text)
    loose = [h for h in x.hits if not h.bound]
    # "Zebulon" is neither listed nor followed by a verb: no student, so the hit is unbound
    assert x.students == 0 and loose and all(h.kind == "health" for h in loose)
    kinds, shown = confidential.disclosed(x, "health")
    assert kinds == ["health"] and [h.text(text) for h in shown] == ["out sick"]
    kinds, shown = confidential.disclosed(x, "grades")
    assert kinds == ["grades"] and shown == []
    bound = confidential.extract("Colt has ISS tomorrow.")
    assert confidential.disclosed(bound, "grades")[0] == ["discipline"]


def test_empty_text_is_not_flagged_and_not_encoded(real_encoder):
    counting = Recording(real_encoder, "encode")
    det = confidential.detector(encoder=counting)
    verdicts = det.classify([{"id": 1, "text": ""}, {"id": 2, "text": None},
                             {"id": 3, "text": "Colt has ISS tomorrow."}])
    assert [v.flagged for v in verdicts] == [False, False, True]
    assert verdicts[0].details == {"kinds": [], "spans": []}
    assert counting.calls == [["Colt has ISS tomorrow."]]


# --------------------------------------------------------------------------------------------
# public contacts
# --------------------------------------------------------------------------------------------

CONTACTS = ("(580) 555-0100", "HHS.Front@NCVSchools.test", "1801 Main Street, Kingfisher, OK")


def test_public_contacts_are_never_personal(real_encoder):
    texts = ["Kiara's mom's cell is 580.555.0100 if you need her.",
             "Kiara's mom's email is hhs.front@ncvschools.test, write to her.",
             "Kiara lives at 1801 Main St, drop the folder there."]
    plain = confidential.detector(encoder=real_encoder)
    configured = confidential.detector(public_contacts=CONTACTS, encoder=real_encoder)
    before = plain.classify([{"id": i, "text": t} for i, t in enumerate(texts)])
    after = configured.classify([{"id": i, "text": t} for i, t in enumerate(texts)])
    # without the configuration these read as a parent's and a student's details ...
    assert [v.flagged for v in before] == [True, True, True]
    # ... with it they are the district's own: never personal contact or home address
    for v in after:
        assert not {"personal_contact", "home_address"} & set(v.details["kinds"]), v.details
        assert not v.flagged


def test_public_contacts_matching_rules():
    pc = confidential.PublicContacts(CONTACTS)
    assert pc.phone("+1 580 555 0100") and pc.phone("555-0100") and pc.phone("580-555-0100")
    assert not pc.phone("580-555-0101")
    assert pc.email("hhs.front@ncvschools.TEST") and not pc.email("hhs.front@other.test")
    assert pc.address("1801 Main St") and pc.address("1801 MAIN STREET, Kingfisher")
    assert not pc.address("1803 Main St")


def test_version_follows_the_public_contacts(real_encoder):
    plain = confidential.detector(encoder=real_encoder)
    a = confidential.detector(public_contacts=CONTACTS, encoder=real_encoder)
    b = confidential.detector(public_contacts=tuple(reversed(CONTACTS)), encoder=real_encoder)
    c = confidential.detector(public_contacts=CONTACTS[:2], encoder=real_encoder)
    assert plain.version != a.version != c.version
    assert a.version == b.version  # order does not matter
    assert a.version.startswith(plain.version + "+pc")
    assert confidential.detector() is confidential.detector(public_contacts=())
    assert confidential.detector(public_contacts=None).version == plain.version


CONSENT = r"\b[A-Z]{1,5}-\d{4}-\d{2,6}\b"  # pipelines.config.Config.consent_id_pattern


def test_consent_ids_are_cut_and_spans_mapped_back():
    ids = confidential.ConsentIds(CONSENT)
    text = "Consent PC-2025-0128, PC-2025-0147. Maya's ID is 4839201 (PC-2025-0120)."
    read, cuts = ids.remove(text)
    assert read == "Consent , . Maya's ID is 4839201 ()."
    start = read.index("4839201")
    span = ids.restore({"kind": "student_id", "start": start, "end": start + 7}, cuts)
    assert text[span["start"]:span["end"]] == "4839201"
    # a span that ends where an ID was cut ends there in the text as written
    at = read.index(" ()") + 1
    assert ids.restore({"start": at, "end": at + 1}, cuts) == {
        "start": text.index("(PC-"), "end": text.index("(PC-") + 1}
    assert confidential.ConsentIds(None).remove(text) == (text, [])


def test_the_districts_consent_ids_are_no_disclosure_and_details_beside_them_are(
        real_encoder):
    texts = ["Our 7th graders launched bottle rockets today!\n\n📸 consent PC-2025-0128, "
             "PC-2025-0147, PC-2025-0120",
             "Maya Torres, student ID 4839201, with her certificate. Consent PC-2025-0135."]
    det = confidential.detector(consent_pattern=CONSENT, encoder=real_encoder)
    plain = confidential.detector(encoder=real_encoder)
    assert det.version.startswith(plain.version + "+cp")
    assert confidential.detector(consent_pattern=CONSENT) is confidential.detector(
        consent_pattern=CONSENT)
    post, disclosure = det.classify([{"id": i, "text": t} for i, t in enumerate(texts)])
    assert not post.flagged, post.reasons
    assert disclosure.flagged and "student_id" in disclosure.details["kinds"]
    found = {texts[1][s["start"]:s["end"]] for s in disclosure.details["spans"]}
    assert "4839201" in found and not any("PC-" in f for f in found)


def test_classify_refuses_a_consent_pattern_that_is_no_regex(capsys):
    from pipelines.cli import main

    assert main(["classify", "confidential", "--consent-pattern", "PC-(\\d"]) == 2
    assert "--consent-pattern is not a regex" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# input handling and batching
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [{"id": 1}, {"id": 1, "text": 5}, "just a string"])
def test_missing_or_bad_text_raises_input_error(det, bad):
    with pytest.raises(InputError):
        det.classify([{"id": 0, "text": "fine"}, bad])
    with pytest.raises(InputError):
        det.validate(bad)


def test_batch_keeps_order_and_encodes_once(real_encoder):
    counting = Recording(real_encoder, "encode")
    det = confidential.detector(encoder=counting)
    texts = [t for _, t, _ in POSITIVE[:4]] + NEGATIVE[:4]
    order = [3, 6, 0, 5, 1, 7, 2, 4]
    batch = det.classify([{"id": i, "text": texts[i]} for i in order])
    assert len(counting.calls) == 1 and sorted(counting.calls[0]) == sorted(texts)
    single = [det.classify([{"id": i, "text": texts[i]}])[0] for i in order]
    assert [v.flagged for v in batch] == [i < 4 for i in order]
    for a, b in zip(batch, single, strict=True):
        assert (a.flagged, a.label, a.details) == (b.flagged, b.label, b.details)
        assert a.score == pytest.approx(b.score, abs=1e-6)


def test_module_import_is_light():
    assert imported_by("import checks.detectors.confidential",
                       ("numpy", "onnxruntime", "phonenumbers", "sklearn")) == []


# --------------------------------------------------------------------------------------------
# the committed model
# --------------------------------------------------------------------------------------------

def test_model_records_the_current_train_file_and_retraining_reproduces_it(real_encoder):
    committed = ModelBundle.load(confidential.MODEL_PATH)
    # trained on the train, dev and retired eval files, never on the blind test file
    assert committed.train_sha256 == {
        name: file_sha256(DATA / name) for name in (
            "confidential.train.jsonl", "confidential.dev.jsonl", "confidential.eval.jsonl")}
    from checks.detectors.finetuned import onnx_paths

    assert [committed.params["finetuned_sha256"]] == [file_sha256(p)
                                                      for p in onnx_paths(confidential.NAME)]
    retrained = confidential.train(out_path=None, search=False, encoder=real_encoder,
                                   log=lambda *_: None)
    assert retrained.params == committed.params
    for name in ("disclosure", "kind"):
        a, b = retrained.models[name], committed.models[name]
        assert a.classes == b.classes and a.feature_names == b.feature_names
        assert np.allclose(a.coef, b.coef, atol=1e-6, rtol=0)
        assert np.allclose(a.intercept, b.intercept, atol=1e-6, rtol=0)


# --------------------------------------------------------------------------------------------
# the simulated district
# --------------------------------------------------------------------------------------------

def test_simulated_district_disclosures_found_and_look_alikes_not_flagged(real_encoder):
    from connectors.simulated import generate_world

    world = generate_world(seed=3, scale=1.0)
    contacts = [c for s in world.schools for c in (s.phone, s.email, s.address)]
    # as the pipeline loads it (pipelines.stages.build_detectors): the workspace's public
    # contacts and photo-consent ID pattern (the simulator writes consent IDs in captions)
    det = confidential.detector(public_contacts=contacts, consent_pattern=Config.consent_id_pattern,
                                encoder=real_encoder)
    rows = [r for r in world.label_rows()
            if r["kind"] in ("post", "reply", "comment")
            and r.get("author_role") in ("official", "teacher")]

    def read(row: dict) -> str:
        # what the pipeline gives the detector: a reply without the name or "@handle" it
        # opens with (checks/sql/inputs_confidential.sql)
        parent = world.index["item"].get(row["parent_id"]) if row["parent_id"] else None
        person = parent and world.index["person"].get((row["platform"], parent.author_id))
        return without_reply_tag(row["text"], person)

    verdicts = det.classify([{"id": i, "text": read(r)} for i, r in enumerate(rows)])
    planted = [v for r, v in zip(rows, verdicts, strict=True) if r["labels"].get("confidential")]
    # a teacher handing a student a personal number is a private exchange (its own rule); the
    # detector may call it a personal contact too
    others = [(r, v) for r, v in zip(rows, verdicts, strict=True)
              if not r["labels"].get("confidential") and not r["labels"].get("private_exchange")]
    look_alikes = [v for r, v in others if r["labels"].get("hard_case")]
    assert len(planted) >= 5 and len(look_alikes) >= 10
    assert all(v.flagged for v in planted)
    assert not any(v.flagged for v in look_alikes)
    # none since the "@handle" a reply opens with is left out like a Facebook name (before,
    # "@_peyton21_ grab an extra permission slip from the front table tomorrow." was flagged:
    # the handle read as a student)
    flagged = [r["text"] for r, v in others if v.flagged]
    assert not flagged, flagged


# --------------------------------------------------------------------------------------------
# the blind test file
# --------------------------------------------------------------------------------------------

#: the blind files and their sizes. test2 (staff addressing students and parents by name,
#: written blind at stop 30) was read once, for versions 2 and 3 at the same time: version 2
#: recall 0.897 and precision 0.759 there, under both bars (checks/docs/confidential-v3b-rule.txt).
#: Version 3 measured: test recall 0.971, precision 0.951 (version 2: 0.929, 0.970); test2
#: recall 0.983, precision 0.927.
BLIND_FILES = {"test": 276, "test2": 288}


@pytest.fixture(scope="module")
def blind_results(det):
    return {split: confidential.evaluate(datasets.path_of(confidential.NAME, split), det=det)
            for split in BLIND_FILES}


def test_every_blind_file_is_measured_here():
    assert datasets.test_splits(confidential.NAME) == list(BLIND_FILES)


@pytest.mark.parametrize("split", BLIND_FILES)
def test_precision_and_recall_bars_on_the_blind_test_files(blind_results, split):
    eval_result = blind_results[split]
    m = eval_result["labels"]["confidential"]
    assert eval_result["n"] == BLIND_FILES[split]
    assert m["precision"] >= 0.85, m  # the bar
    assert m["recall"] >= 0.9, m  # the bar
    for kind, r in eval_result["kinds"].items():
        assert r["flagged"] >= 0.8, (kind, r)  # lowest measured: test's home address 11 of 13
        # a flagged text may be named with another kind than its gold one (measured: personal
        # contacts named as the student's address or ID, health named as special education)
        assert r["kind_named"] >= r["flagged"] - 0.15, (kind, r)


def test_evaluate_reads_the_blind_file_asked_for(capsys):
    assert confidential.main(["evaluate", "--split", "test2"]) == 0
    assert "on confidential.test2.jsonl (288 items)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        confidential.main(["evaluate", "--split", "eval"])  # retired into training


def test_dev_file_is_well_formed_and_shares_no_text_with_train_or_eval():
    """The dev file (for tuning; ``checks/data/README.md``) has the train file's format, ids of
    its own and no text of the train or eval file."""
    import re
    import unicodedata
    from collections import Counter

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).lower()
        text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
        return re.sub(r"\s+", " ", text).strip()

    rows = datasets.load_rows(DATA / "confidential.dev.jsonl")
    assert len(rows) >= 200
    assert len({r["id"] for r in rows}) == len(rows)
    labels = Counter(r["label"] for r in rows)
    assert labels["confidential"] >= 80 and labels["ok"] >= 80
    kinds = Counter(k for r in rows for k in r["kinds"])
    for r in rows:
        assert set(r) == {"id", "text", "label", "kinds"} and r["id"].startswith("cf-dev-")
        assert r["label"] in confidential.LABELS and r["text"].strip()
        assert set(r["kinds"]) <= set(confidential.KINDS)
        assert bool(r["kinds"]) == (r["label"] == "confidential"), r
    assert all(kinds[k] >= 5 for k in confidential.KINDS), kinds
    other = {norm(r["text"]) for split in ("train", "eval")
             for r in datasets.load_rows(DATA / f"confidential.{split}.jsonl")}
    assert not [r["id"] for r in rows if norm(r["text"]) in other]


def test_dev_file_recall_and_precision(det):
    """The dev file was used to tune the extractors (so this is not an independent estimate);
    it guards against a change that loses what was gained on it."""
    rows = datasets.load_rows(DATA / "confidential.dev.jsonl")
    verdicts = det.classify([{"id": r["id"], "text": r["text"]} for r in rows])
    gold = [r["label"] == "confidential" for r in rows]
    tp = sum(v.flagged and g for v, g in zip(verdicts, gold, strict=True))
    fp = sum(v.flagged and not g for v, g in zip(verdicts, gold, strict=True))
    assert tp / sum(gold) >= 0.95 and tp / (tp + fp) >= 0.95, (tp, fp, sum(gold))


def test_data_files_are_not_shared_with_the_hand_written_cases():
    texts = set()
    for split in ("train", "dev", "eval"):
        with (DATA / f"confidential.{split}.jsonl").open(encoding="utf-8") as handle:
            texts |= {json.loads(line)["text"] for line in handle if line.strip()}
    mine = {t for _, t, _ in POSITIVE} | set(NEGATIVE)
    assert not mine & texts
