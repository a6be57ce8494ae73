"""Each rule over a tiny warehouse with detector signals planted directly: what it finds, the
kind, the clause the pack cites, and that re-running keeps ids and adds no duplicates."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from checks.engine import finding_id, run_rules
from checks.policy import load_pack
from warehouse import db

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NW = "northwest-technology-center"
METRO = "metro-technology-centers-bp-8007"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Warehouse:
    def __init__(self):
        self.con = db.memory()
        self.con.execute("INSERT INTO registry.designees VALUES ('D1', 'Pat', NULL, NULL, now())")
        for key, kind, school in (("x:1", "official", "District"),
                                  ("facebook:2", "teacher_page", "Lincoln HS")):
            platform, pid = key.split(":")
            self.con.execute("INSERT INTO registry.accounts VALUES (?, ?, ?, ?, ?, ?, 'o', "
                             "['D1'], NULL, NULL, now())",
                             [key, platform, pid, f"h{pid}", kind, school])

    def item(self, item_id: str, text: str, *, kind: str = "post", account: str = "x:1",
             district: bool = True, root: str | None = None, parent: str | None = None,
             at: datetime = T0, author: str | None = None, handle: str | None = None) -> str:
        platform, native = item_id.split(":")
        self.con.execute(
            "INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id, "
            "account_id, author_id, author_handle, author_is_district, parent_item_id, "
            "thread_root_id, created_at, text, permalink, first_seen_at, last_seen_at, "
            "content_fetched_at, last_page_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, 1)",
            [item_id, platform, kind, native, native, account,
             author or (account if district else f"{platform}:9{native}"), handle, district,
             parent, root or item_id, at, text, f"https://example.org/{native}", at, at, at])
        return item_id

    def signal(self, detector: str, subject: str, content: str, *, flagged: bool, label: str,
               score: float = 0.9, details: dict | None = None) -> None:
        self.con.execute("INSERT INTO audit.signals VALUES (?, 'v1', ?, ?, ?, ?, ['r'], ?, now())",
                         [detector, content, flagged, label, score, json.dumps(details or {})])
        self.con.execute("INSERT OR REPLACE INTO audit.subject_signals VALUES (?, ?, ?, 'v1')",
                         [detector, subject, content])

    def photo(self, item_id: str, media_id: str, faces: int, *, alt: str | None = None) -> None:
        image = sha(media_id)
        self.con.execute(
            "INSERT INTO core.media (media_id, item_id, platform, position, media_type, url, "
            "alt_text, content_sha256, local_path, first_seen_at) VALUES (?, ?, ?, 1, 'photo', "
            "'https://cdn/x.jpg', ?, ?, '/tmp/x.jpg', now())",
            [media_id, item_id, item_id.split(":")[0], alt, image])
        self.signal("faces", image, image, flagged=faces > 0,
                    label="people" if faces else "no_people", details={"faces": faces})

    def consent(self, consent_id: str, *, scope=("social_media",), granted=date(2025, 8, 1),
                expires=None, revoked=None) -> None:
        self.con.execute("INSERT INTO registry.consents VALUES (?, ?, ?, ?, ?, ?, now())",
                         [consent_id, sha(consent_id), list(scope), granted, expires, revoked])

    def findings(self) -> dict[tuple[str, str], dict]:
        """(rule, subject) -> the finding; several kinds on one subject -> a list of them."""
        cursor = self.con.execute("SELECT rule, kind, subject_id, severity, clause_id, status, "
                                  "evidence::VARCHAR, finding_id FROM audit.findings "
                                  "ORDER BY kind")
        out: dict[tuple[str, str], dict] = {}
        for r in cursor.fetchall():
            out.setdefault((r[0], r[2]), {"kinds": set()})
            out[(r[0], r[2])].update({"kind": r[1], "severity": r[3], "clause": r[4],
                                      "status": r[5], "evidence": json.loads(r[6]), "id": r[7]})
            out[(r[0], r[2])]["kinds"].add(r[1])
        return out


@pytest.fixture
def wh():
    return Warehouse()


def test_teacher_page_non_school_post(wh):
    wh.item("facebook:2_1", "Selling my kayak, DM me", account="facebook:2",
            author="facebook:2")
    wh.item("facebook:2_2", "Volcano day!", account="facebook:2", author="facebook:2")
    wh.signal("teacher-content", "facebook:2_1", sha("a"), flagged=True, label="non_school")
    wh.signal("teacher-content", "facebook:2_2", sha("b"), flagged=False, label="school")
    run_rules(wh.con, load_pack(NW), "r1")
    found = wh.findings()
    assert list(found) == [("teacher_page_non_school", "facebook:2_1")]
    f = found[("teacher_page_non_school", "facebook:2_1")]
    assert f["kind"] == "post" and f["clause"] == "nwtc-personal-7b"
    assert f["id"] == finding_id("teacher_page_non_school", "facebook:2_1", "post")


def test_student_media_consent_states(wh):
    wh.consent("PC-2026-0001")
    wh.consent("PC-2026-0002", revoked=date(2026, 1, 1))
    wh.consent("PC-2026-0003", expires=date(2026, 1, 31))
    wh.consent("PC-2026-0004", scope=("print",))
    cases = {
        "x:10": ("Team photo! Consent: PC-2026-0001", 4, set()),
        "x:11": ("Robotics!", 3, {"missing"}),
        "x:12": ("Band. PC-2026-0002", 5, {"revoked"}),
        "x:13": ("Art. PC-2026-0003", 2, {"expired"}),
        "x:14": ("Choir. PC-2026-0004 and PC-2026-9999", 6, {"wrong_scope", "unknown"}),
        "x:15": ("Student of the week! PC-2026-0001", 1, {"single_student"}),
        "x:16": ("Our new gym floor", 0, set()),
    }
    for item_id, (text, faces, _) in cases.items():
        wh.item(item_id, text)
        wh.photo(item_id, f"x:m{item_id[2:]}", faces)
    run_rules(wh.con, load_pack(NW), "r1")
    found = wh.findings()
    for item_id, (_, _, kinds) in cases.items():
        got = found.get(("student_media_without_consent", item_id), {"kinds": set()})["kinds"]
        assert got == kinds, item_id
    assert all(f["severity"] == "critical" for f in found.values())
    evidence = found[("student_media_without_consent", "x:12")]["evidence"]
    assert evidence["faces"] == 5
    assert evidence["consents"] == [{"consent_id": "PC-2026-0002", "state": "revoked"}]
    assert "student_id" not in json.dumps(evidence)  # never the hashed student id


def test_consent_from_the_media_consent_registry_counts(wh):
    wh.consent("PC-2026-0001")
    wh.item("x:20", "Graduation!")
    wh.photo("x:20", "x:m20", 3)
    wh.con.execute("INSERT INTO registry.media_consents VALUES ('x', '20', 'PC-2026-0001', now())")
    run_rules(wh.con, load_pack(NW), "r1")
    assert wh.findings() == {}


def test_unapproved_controversial_reply(wh):
    # one thread per case: an approval of the thread covers every later reply in it
    cases = {"30": None, "40": T0 + timedelta(hours=4), "50": T0 + timedelta(hours=1)}
    for root, approved in cases.items():
        wh.item(f"x:{root}", "Board votes on boundary changes tonight")
        wh.item(f"x:{root}1", "We hear you", kind="comment", root=f"x:{root}",
                parent=f"x:{root}", at=T0 + timedelta(hours=3))
        wh.item(f"x:{root}9", "Not fair!!", kind="comment", root=f"x:{root}",
                parent=f"x:{root}", district=False)
        wh.signal("controversy", f"x:{root}", sha(root), flagged=True, label="controversial")
        if approved:
            wh.con.execute("INSERT INTO registry.approvals VALUES (?, 'x', ?, 'D1', ?, NULL, "
                           "now())", [f"A{root}", root, approved])
    # an approval by someone who is not a designee does not count
    wh.item("x:60", "Bus crash update")
    wh.item("x:601", "Thoughts are with families", kind="comment", root="x:60", parent="x:60",
            at=T0 + timedelta(hours=3))
    wh.signal("controversy", "x:60", sha("60"), flagged=True, label="controversial")
    wh.con.execute("INSERT INTO registry.approvals VALUES ('A60', 'x', '60', 'NOBODY', ?, NULL, "
                   "now())", [T0])
    run_rules(wh.con, load_pack(METRO), "r1")
    found = {s: f["kind"] for (r, s), f in wh.findings().items()}
    assert found == {"x:301": "no_approval", "x:401": "approved_after_reply",
                     "x:601": "no_approval"}
    # Northwest's policy has no such clause: the pack decides
    wh.con.execute("DELETE FROM audit.findings")
    run_rules(wh.con, load_pack(NW), "r2")
    assert wh.findings() == {}


def test_district_reply_on_a_divisive_post_nobody_else_answered(wh):
    # the topic alone makes the thread controversial: it is scored with no public comment
    from checks.signals import load_detector, refresh_signals

    wh.item("x:70", "The board will vote Tuesday on the $48M bond to replace Lincoln Elementary.")
    wh.item("x:71", "Correction: the vote is at 6 pm, not 7.", kind="reply", root="x:70",
            parent="x:70", at=T0 + timedelta(hours=2))
    wh.item("x:80", "Picture day is Thursday!")  # nobody answered: not a thread to score
    (run,) = refresh_signals(wh.con, {"controversy": load_detector("controversy")})
    assert run.subjects == 1
    scored = wh.con.execute("SELECT subject_id FROM audit.subject_signals "
                            "WHERE detector = 'controversy'").fetchall()
    assert scored == [("x:70",)]
    run_rules(wh.con, load_pack(METRO), "r1")
    assert wh.findings()[("unapproved_controversial_reply", "x:71")]["kind"] == "no_approval"


def test_removable_comment_severity_from_the_pack(wh):
    wh.item("x:40", "Game night")
    wh.item("x:41", "I know where that ref parks", kind="comment", root="x:40", district=False)
    wh.item("x:42", "buy followers cheap", kind="comment", root="x:40", district=False)
    wh.item("x:43", "This board should resign", kind="comment", root="x:40", district=False)
    wh.signal("comment", "x:41", sha("1"), flagged=True, label="threat_violence")
    wh.signal("comment", "x:42", sha("2"), flagged=True, label="spam_advertising")
    wh.signal("comment", "x:43", sha("3"), flagged=False, label="none")
    result = run_rules(wh.con, load_pack(NW), "r1")
    found = wh.findings()
    assert found[("removable_comment", "x:41")]["severity"] == "critical"
    assert found[("removable_comment", "x:42")]["severity"] == "low"
    assert ("removable_comment", "x:43") not in found
    assert result.by_rule["removable_comment"] == 2


def test_confidential_disclosure_maps_detector_kinds(wh):
    wh.item("x:50", "Jayden (ID 4471102) see the nurse about your inhaler")
    wh.signal("confidential", "x:50", sha("c"), flagged=True, label="confidential",
              details={"kinds": ["student_id", "health"]})
    wh.item("x:51", "Call 555-0100", )
    wh.signal("confidential", "x:51", sha("d"), flagged=True, label="confidential",
              details={"kinds": ["home_address"]})
    run_rules(wh.con, load_pack(NW), "r1")
    found = wh.findings()
    assert found[("confidential_disclosure", "x:50")]["kind"] == "student_id"
    assert found[("confidential_disclosure", "x:51")]["kind"] == "address"
    assert found[("confidential_disclosure", "x:50")]["severity"] == "high"


def test_rerun_keeps_ids_and_clears_what_is_gone(wh):
    wh.item("x:60", "Game night")
    wh.item("x:61", "you idiot", kind="comment", root="x:60", district=False)
    wh.signal("comment", "x:61", sha("1"), flagged=True, label="harassment_abuse")
    run_rules(wh.con, load_pack(NW), "r1")
    first = wh.findings()
    run_rules(wh.con, load_pack(NW), "r2")
    assert wh.findings().keys() == first.keys()
    assert wh.con.execute("SELECT count(*) FROM audit.findings").fetchone()[0] == 1
    assert [f["id"] for f in wh.findings().values()] == [f["id"] for f in first.values()]
    # the comment is re-scored (edited): no longer removable -> cleared, not deleted
    wh.signal("comment", "x:61", sha("2"), flagged=False, label="none")
    result = run_rules(wh.con, load_pack(NW), "r3")
    assert result.cleared == 1
    assert [f["status"] for f in wh.findings().values()] == ["cleared"]


@pytest.mark.parametrize("detector", ["comment", "confidential", "teacher-content"])
def test_the_name_a_facebook_reply_opens_with_is_not_what_detectors_read(wh, detector):
    from checks.signals import inputs_sql

    district = detector != "comment"
    account = "facebook:2"
    wh.item("facebook:2_1", "Science fair Thursday!", account=account)
    wh.item("facebook:2_1_5", "Is it open to families?", kind="comment", account=account,
            root="facebook:2_1", parent="facebook:2_1", district=False, handle="Jamie Campbell")
    wh.item("facebook:2_1_6", "Jamie Campbell yes, 6 to 8 pm in the gym.", kind="reply",
            account=account, root="facebook:2_1", parent="facebook:2_1_5", district=district)
    # a comment that merely starts with the page's name keeps it: only replies carry the tag
    wh.item("facebook:2_1_7", "Science fair Thursday is the best night of the year",
            kind="comment", account=account, root="facebook:2_1", parent="facebook:2_1",
            district=district, handle="Science fair Thursday")
    wh.con.execute(f"CREATE TEMP TABLE inputs AS {inputs_sql(detector)}")  # noqa: S608
    texts = dict(wh.con.execute("SELECT subject_id, text FROM inputs").fetchall())
    assert texts["facebook:2_1_6"] == "yes, 6 to 8 pm in the gym."
    assert texts["facebook:2_1_7"] == "Science fair Thursday is the best night of the year"
