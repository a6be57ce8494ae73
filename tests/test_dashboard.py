"""The weekly dashboard over a small warehouse: the figures, week boundaries in the district's
time zone, escaping of platform text, URL filtering, thumbnails, false-positive rates once
dispositions exist, the marts views, the index, and building from a read-only snapshot."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest

from dashboards.dashboard import (
    DashboardSettings,
    build_dashboards,
    build_index,
    build_week_dashboard,
    collect_week,
    format_evidence,
    page_evidence,
    week_file_name,
    weeks_with_data,
)
from dashboards.thumbnails import DATA_URI_PREFIX, source_image
from dashboards.urls import safe_media_url, safe_permalink
from dashboards.weeks import parse_week
from tests.dashboard_support import (
    HOSTILE,
    TZ,
    DashboardWarehouse,
    cell,
    payload,
    rows_by,
    utc,
)
from warehouse import db

W13, W14, W15 = (parse_week(f"2026-W{n}", TZ, utc(2026, 5, 1)) for n in (13, 14, 15))


def build_district(wh: DashboardWarehouse) -> dict[str, str]:
    """Week 2026-W14 is Mon 30 Mar – Sun 5 Apr 2026 in Chicago (CDT, UTC-5)."""
    wh.account("x:1", "nwtc", "official", "District Office", "Northwest Tech")
    wh.account("facebook:2", "mr_smith_class", "teacher_page", "Lincoln HS")
    wh.account("instagram:3", "lincoln_hs", "official", "Lincoln HS")
    ids: dict[str, str] = {}
    wh.item("x:100", "x:1", utc(2026, 3, 31, 15), "Open house on Thursday!")
    wh.item("x:101", "x:1", utc(2026, 4, 1, 15), "Congrats to Ana, GPA 3.9, ID 55012")
    wh.item("x:102", "x:1", utc(2026, 4, 1, 16), HOSTILE, kind="comment", district=False,
            handle="troll", parent="x:100", permalink="javascript:alert(1)")
    wh.item("x:103", "x:1", utc(2026, 4, 2, 16), "Buy cheap watches at spam.example",
            kind="comment", district=False, handle=None, parent="x:100",
            permalink="http://x.com/i/status/103")
    wh.item("facebook:200", "facebook:2", utc(2026, 4, 3, 14), "Our class field trip")
    # Sunday 5 April 23:30 in Chicago is Monday 6 April 04:30 UTC: still week 14
    wh.item("facebook:201", "facebook:2", utc(2026, 4, 6, 4, 30), "My weekend fishing trip")
    # Monday 6 April 00:30 in Chicago: week 15
    wh.item("facebook:202", "facebook:2", utc(2026, 4, 6, 5, 30), "Vote for my band")
    wh.item("x:90", "x:1", utc(2026, 3, 25, 15), "you people are idiots", kind="comment",
            district=False, handle="angry", parent="x:100")
    wh.item("x:999", "x:77", utc(2026, 4, 1, 12), "an unregistered account's post")

    ids["photo_sha"] = wh.photo("facebook:200", "facebook:m1", alt="Students <b>smiling</b>")
    wh.photo("x:103", "x:m9", sha="ab" * 32, local_path="/etc/passwd",
             url="javascript:alert(3)")

    ids["confidential"] = wh.finding("confidential_disclosure", "grades", "high", "x:101",
                                     evidence={"kinds": ["grade", "student_id"], "score": 0.97})
    ids["hostile"] = wh.finding("removable_comment", "threat", "critical", "x:102",
                                evidence={"ground": "threat", "reasons": [HOSTILE]})
    ids["photo"] = wh.finding("student_media_without_consent", "missing", "critical",
                              "facebook:200", evidence={"faces": 3, "consents": []})
    ids["sunday"] = wh.finding("teacher_page_non_school", "non_school", "medium",
                               "facebook:201")
    ids["spam"] = wh.finding("removable_comment", "spam", "medium", "x:103")
    ids["monday"] = wh.finding("teacher_page_non_school", "non_school", "low", "facebook:202")
    ids["last_week"] = wh.finding("removable_comment", "harassment", "low", "x:90")

    wh.fetch("x:1", "ok", utc(2026, 4, 5, 20))
    wh.fetch("facebook:2", "ok", utc(2026, 3, 30, 10))
    wh.fetch("facebook:2", "auth_error", utc(2026, 4, 2, 9), code="190",
             message="Error validating access token: Session has expired <script>x</script>",
             endpoint=":page/feed")
    return ids


@pytest.fixture()
def district(tmp_path: Path):
    media = tmp_path / "media"
    wh = DashboardWarehouse(media_dir=media)
    ids = build_district(wh)
    settings = DashboardSettings(district_name="Northwest <Tech> Center", timezone=TZ,
                                 max_capture_age_hours=26, media_dir=media,
                                 now=utc(2026, 4, 20, 12))
    yield wh, ids, settings
    wh.con.close()


def headline(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def test_week_figures_and_boundaries(district, tmp_path):
    wh, ids, settings = district
    path = build_week_dashboard(wh.con, settings, W14, tmp_path / "out")
    assert path.name == "week-2026-W14.html"
    html = path.read_text(encoding="utf-8")
    data = payload(html)
    found = rows_by(data, "id")

    # findings of the week: created Mon 00:00 to Mon 00:00 Chicago time
    assert set(found) == {ids[k] for k in ("confidential", "hostile", "photo", "sunday", "spam")}
    assert ids["monday"] not in found and ids["last_week"] not in found
    assert cell(data, found[ids["sunday"]], "posted_label") == "Sun 05 Apr 23:30"

    # items audited: 6 on registered accounts (not x:999, not W13/W15 items)
    assert headline(html, "items-audited") == "6"
    # no disposition yet: 5 findings: 2 critical, 1 high, 2 medium
    assert headline(html, "findings-total") == "5"
    assert headline(html, "open-findings") == "5"
    # district posts and replies: x:100, x:101, facebook:200, facebook:201; only x:100 clean
    assert headline(html, "district-clean") == "25%"
    # accounts with no findings: instagram:3 only
    assert headline(html, "accounts-clean") == "33%"

    week = collect_week(wh.con, settings, W14)
    assert week.by_severity == {"critical": 2, "high": 1, "medium": 2, "low": 0}
    assert week.previous_by_severity["low"] == 1  # W13's harassment comment
    by_rule = {r.rule: r for r in week.rules}
    assert by_rule["removable_comment"].findings == 2
    assert by_rule["removable_comment"].previous == 1
    assert by_rule["removable_comment"].series[-2:] == [1, 2]
    assert len(by_rule["removable_comment"].series) == 12
    schools = {s["school"]: s for s in week.schools}
    assert schools["Lincoln HS"]["findings"] == 2 and schools["Lincoln HS"]["accounts"] == 2
    assert schools["Lincoln HS"]["accounts_clean"] == 1

    w15 = payload(build_week_dashboard(wh.con, settings, W15, tmp_path / "out")
                  .read_text(encoding="utf-8"))
    assert set(rows_by(w15, "id")) == {ids["monday"]}


def test_platform_text_is_escaped_and_unsafe_urls_dropped(district, tmp_path):
    wh, ids, settings = district
    html = build_week_dashboard(wh.con, settings, W14, tmp_path).read_text(encoding="utf-8")
    # nothing from the platforms reaches the markup unescaped
    assert "<img src=x" not in html
    assert "<script>alert(2)" not in html and "<script>x</script>" not in html
    assert "<b>smiling" not in html and "<Tech>" not in html
    assert "Northwest &lt;Tech&gt; Center" in html
    assert "Session has expired &lt;script&gt;x&lt;/script&gt;" in html
    # inside the JSON block, < > & are \u escapes, and the data round-trips exactly
    assert "\\u003cimg src=x onerror=alert(1)\\u003e \\u0026" in html
    data = payload(html)
    found = rows_by(data, "id")
    assert cell(data, found[ids["hostile"]], "text") == HOSTILE
    # the evidence quotes the whole comment: not repeated, marked in the text instead
    # (and "ground: threat" repeats the finding's kind, shown in the Rule column)
    assert cell(data, found[ids["hostile"]], "evidence") == "reasons: “…”"
    assert "“…” stands for words the detector quoted from the post" in html
    assert cell(data, found[ids["hostile"]], "marks") == [[0, len(HOSTILE)]]
    # only the page script and the JSON data block are scripts
    assert html.count("<script") == 2
    # links: javascript: and http: permalinks dropped, https platform links kept
    assert "javascript:" not in html
    assert cell(data, found[ids["hostile"]], "url") == ""
    assert cell(data, found[ids["spam"]], "url") == ""
    assert cell(data, found[ids["confidential"]], "url") == "https://x.com/i/status/101"
    assert cell(data, found[ids["photo"]], "url") == "https://www.facebook.com/200"
    # the photo stored in the media store is embedded as a small JPEG data URI
    photo_media = cell(data, found[ids["photo"]], "media")
    assert photo_media[0][0] == ids["photo_sha"]
    uri = data["thumbs"][ids["photo_sha"]]
    assert uri.startswith(DATA_URI_PREFIX)
    thumb = base64.b64decode(uri[len(DATA_URI_PREFIX):])
    assert thumb[:3] == b"\xff\xd8\xff" and len(thumb) < 8000
    # a recorded path outside the media store is never read; its javascript: URL is dropped
    spam_media = cell(data, found[ids["spam"]], "media")
    assert spam_media == [["", "photo", "", ""]]
    assert set(data["thumbs"]) == {ids["photo_sha"]}


def test_content_security_policy_allows_only_the_page_script(district, tmp_path):
    wh, _ids, settings = district
    html = build_week_dashboard(wh.con, settings, W14, tmp_path).read_text(encoding="utf-8")
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
                   .group(1))
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    for text in (script, style):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "img-src data:" in csp
    assert "unsafe-inline" not in csp and "http" not in csp


def test_false_positive_rates_and_dispositions(district, tmp_path):
    wh, ids, settings = district
    html = build_week_dashboard(wh.con, settings, W14, tmp_path).read_text(encoding="utf-8")
    assert "fp-week" not in html  # no column before any review

    wh.disposition(ids["hostile"], "false_positive", note="quoting a song lyric")
    wh.disposition(ids["confidential"], "confirmed")
    wh.disposition(ids["photo"], "remediated")
    # reviewed, then the post was edited: the review no longer applies
    wh.disposition(ids["sunday"], "false_positive", content="0" * 64)
    html = build_week_dashboard(wh.con, settings, W14, tmp_path).read_text(encoding="utf-8")
    data = payload(html)
    found = rows_by(data, "id")

    assert cell(data, found[ids["hostile"]], "status") == "dismissed"
    assert cell(data, found[ids["hostile"]], "disposition") == "false_positive"
    assert cell(data, found[ids["hostile"]], "note") == "quoting a song lyric"
    assert cell(data, found[ids["confidential"]], "status") == "open"
    assert cell(data, found[ids["photo"]], "status") == "resolved"
    assert cell(data, found[ids["sunday"]], "status") == "open"
    assert cell(data, found[ids["sunday"]], "review_current") == 0
    assert cell(data, found[ids["hostile"]], "review_current") == 1
    # a dismissed finding no longer counts; a resolved one still does
    assert headline(html, "findings-total") == "4"
    assert headline(html, "open-findings") == "3"

    week = collect_week(wh.con, settings, W14)
    by_rule = {r.rule: r for r in week.rules}
    assert (by_rule["removable_comment"].fp_week, by_rule["removable_comment"].reviewed_week) \
        == (1, 1)
    assert by_rule["removable_comment"].fp_rate_week == "100%"
    assert by_rule["confidential_disclosure"].fp_rate_week == "0%"
    assert by_rule["student_media_without_consent"].fp_rate_week == "0%"
    rule_row = re.search(r'<tr data-rule="removable_comment">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'class="n fp-week"[^>]*>100%', rule_row)
    assert "(1/1)" in rule_row
    # the Sunday post was edited after its false-positive review: that review judged other
    # words, so it counts as no review at all (neither reviewed nor a false positive)
    sunday = by_rule["teacher_page_non_school"]
    assert (sunday.fp_week, sunday.reviewed_week, sunday.fp_rate_week) == (0, 0, "—")
    assert (week.reviewed, week.false_positives) == (3, 1)
    assert re.search(r'<tr data-rule="teacher_page_non_school">.*?class="n fp-week"[^>]*>—',
                     html, re.S)
    note = re.search(r'<p class="small muted" id="fp-note">([^<]*)</p>', html).group(1)
    assert "A review counts only for the text it judged" in note
    # the index of weeks uses the same definition: 1 false positive of 3 current reviews
    index = build_index(wh.con, settings, tmp_path).read_text(encoding="utf-8")
    w14_row = re.search(r'<tr><td><a href="week-2026-W14.html">.*?</tr>', index, re.S).group(0)
    assert w14_row.endswith('<td class="n">33%</td></tr>')
    # reviewing the edited post anew counts again
    wh.disposition(ids["sunday"], "false_positive", note="still not about school",
                   at=utc(2026, 4, 9, 15))
    sunday = {r.rule: r for r in collect_week(wh.con, settings, W14).rules}[
        "teacher_page_non_school"]
    assert (sunday.fp_week, sunday.reviewed_week) == (1, 1)


def test_capture_health(district, tmp_path):
    wh, _ids, settings = district
    wh.fetch("x:1", "rate_limited", utc(2026, 4, 3, 1), code="429")
    wh.fetch("x:1", "rate_limited", utc(2026, 4, 3, 2), code="429")
    week = collect_week(wh.con, settings, W14)
    # judged at the week's end: facebook:2 last captured Monday, instagram:3 never
    assert week.capture_as_of == W14.end
    assert {r["account_key"] for r in week.stale_accounts} == {"facebook:2", "instagram:3"}
    [error] = week.access_errors
    assert (error["account_id"], error["status"], error["error_code"]) == \
        ("facebook:2", "auth_error", "190")
    assert week.transient_errors == [{"status": "rate_limited", "occurrences": 2, "accounts": 1,
                                      "last_at": utc(2026, 4, 3, 2)}]
    html = build_week_dashboard(wh.con, settings, W14, tmp_path).read_text(encoding="utf-8")
    stale = re.search(r'<table id="stale-accounts">(.*?)</table>', html, re.S).group(1)
    assert "mr_smith_class" in stale and "lincoln_hs" in stale and "never" in stale
    never = re.search(r"<tr><td>lincoln_hs.*?</tr>", stale, re.S).group(0)
    assert re.search(r'<td>never</td><td class="n">—</td></tr>$', never)  # not "0 hours ago"
    assert "nwtc" not in stale
    assert headline(html, "capture-status") == "2 stale"
    errors = re.search(r'<table id="capture-errors">(.*?)</table>', html, re.S).group(1)
    assert "auth_error" in errors and "rate_limited" not in errors  # transient: summarized
    assert "rate limited 2 times on 1 account" in html

    # a capture after the week ended (a late run, a backfill) covers the week
    wh.fetch("instagram:3", "ok", utc(2026, 4, 10, 4))
    assert {r["account_key"] for r in collect_week(wh.con, settings, W14).stale_accounts} == \
        {"facebook:2"}
    # a week with every account fresh and no errors says so
    for key in ("x:1", "facebook:2", "instagram:3"):
        wh.fetch(key, "ok", utc(2026, 4, 13, 4))
    later = collect_week(wh.con, settings, W15)
    assert later.stale_accounts == [] and later.capture_errors == []


def test_marts_views_agree_with_the_dashboard(district):
    wh, ids, settings = district
    wh.disposition(ids["hostile"], "false_positive")
    wh.con.execute("SET TimeZone = 'America/Chicago'")
    try:
        items, district_items, clean, findings = wh.con.execute(
            "SELECT sum(items_audited), sum(district_items), sum(district_items_clean), "
            "sum(findings) FROM marts.weekly_compliance WHERE week_start = ?",
            [W14.monday]).fetchone()
        by_week = dict(wh.con.execute(
            "SELECT week_start, sum(findings) FROM marts.findings_by_week GROUP BY ALL"
        ).fetchall())
        dismissed = wh.con.execute("SELECT finding_id FROM marts.findings WHERE dismissed"
                                   ).fetchall()
    finally:
        wh.con.execute("SET TimeZone = 'UTC'")
    assert (items, district_items, clean, findings) == (6, 4, 1, 4)
    assert by_week == {W13.monday: 1, W14.monday: 4, W15.monday: 1}
    assert dismissed == [(ids["hostile"],)]
    week = collect_week(wh.con, settings, W14)
    assert week.totals["items_audited"] == items and week.findings_total == findings
    health = dict(wh.con.execute("SELECT account_id, last_error_status FROM marts.capture_health"
                                 ).fetchall())
    assert health == {"x:1": None, "facebook:2": "auth_error", "instagram:3": None}


def test_index_and_all_weeks(district, tmp_path):
    wh, _ids, settings = district
    out = tmp_path / "site"
    assert [w.name for w in weeks_with_data(wh.con, settings)] == \
        ["2026-W13", "2026-W14", "2026-W15"]
    paths = build_dashboards(wh.con, settings, out)
    assert [p.name for p in paths] == ["week-2026-W13.html", "week-2026-W14.html",
                                       "week-2026-W15.html", "index.html"]
    index = paths[-1].read_text(encoding="utf-8")
    table = index[index.index('<table id="weeks-table">'):]
    assert table.index("2026-W15") < table.index("2026-W14") < table.index("2026-W13")
    for week in (W13, W14, W15):
        assert f'href="{week_file_name(week)}"' in index
    assert "<script" not in index
    w14 = (out / "week-2026-W14.html").read_text(encoding="utf-8")
    assert 'href="week-2026-W13.html"' in w14 and 'href="week-2026-W15.html"' in w14
    assert 'href="index.html"' in w14
    # an index built where no week page exists lists the weeks without links
    bare = build_index(wh.con, settings, tmp_path / "bare").read_text(encoding="utf-8")
    assert "week-2026-W14.html" not in bare and "(not built)" in bare


def test_thumbnail_cache_and_read_only_snapshot(tmp_path):
    media = tmp_path / "media"
    path = tmp_path / "warehouse.duckdb"
    con = db.connect(path)
    wh = DashboardWarehouse(con, media)
    ids = build_district(wh)
    con.close()
    settings = DashboardSettings(district_name="D", timezone=TZ, media_dir=media,
                                 now=utc(2026, 4, 20))
    ro = db.connect(path, read_only=True)
    try:
        first = build_week_dashboard(ro, settings, W14, tmp_path / "a").read_text("utf-8")
        cached = list((media / ".thumbnails").rglob("*.jpg"))
        assert [p.name for p in cached] == [f"{ids['photo_sha']}-128.jpg"]
        # the second build reads the cache: the source image is no longer needed
        source_image(ids["photo_sha"], media).unlink()
        second = build_week_dashboard(ro, settings, W14, tmp_path / "b").read_text("utf-8")
    finally:
        ro.close()
    assert payload(first)["thumbs"] == payload(second)["thumbs"] != {}


def test_settings_from_the_workspace_config(tmp_path):
    from pipelines.config import load_config

    (tmp_path / "socialaudit.toml").write_text(
        '[district]\nname = "Northwest Technology Center"\ntimezone = "America/Chicago"\n'
        'policy_pack = "northwest-technology-center"\n[registry]\n'
        'accounts = "registry/accounts.csv"\n[capture]\nmax_age_hours = 30\n',
        encoding="utf-8")
    settings = DashboardSettings.from_config(load_config(tmp_path), now=utc(2026, 4, 20))
    assert (settings.district_name, settings.timezone, settings.max_capture_age_hours) == \
        ("Northwest Technology Center", TZ, 30)
    assert settings.media_dir == tmp_path / "media"
    assert settings.cache_dir == tmp_path / "media" / ".thumbnails"
    # the pack's rules are listed even in a week without findings
    assert "removable_comment" in settings.rules
    con = db.memory()
    week = collect_week(con, settings, W14)
    assert {r.rule for r in week.rules} == set(settings.rules)
    assert all(r.findings == 0 for r in week.rules)


def test_empty_week_renders(tmp_path):
    con = db.memory()
    settings = DashboardSettings(district_name="Empty", timezone=TZ, now=utc(2026, 4, 20))
    html = build_week_dashboard(con, settings, W14, tmp_path).read_text(encoding="utf-8")
    assert headline(html, "items-audited") == "0"
    assert headline(html, "district-clean") == "—"
    assert payload(html)["rows"] == []
    assert "No week has audited items yet" in build_index(con, settings, tmp_path) \
        .read_text(encoding="utf-8")


def test_weeks_across_daylight_saving(tmp_path):
    """Clocks went forward on Sunday 8 March 2026 in Chicago: week 10 starts at 06:00 UTC
    (CST) and ends at 05:00 UTC (CDT); the SQL trend and the Python bounds agree."""
    wh = DashboardWarehouse()
    wh.account("x:1", "nwtc", "official", "District Office")
    for native, at in (("1", utc(2026, 3, 2, 5, 30)),   # Sun 1 Mar 23:30 CST: week 9
                       ("2", utc(2026, 3, 2, 6, 30)),   # Mon 2 Mar 00:30 CST: week 10
                       ("3", utc(2026, 3, 9, 4, 30)),   # Sun 8 Mar 23:30 CDT: week 10
                       ("4", utc(2026, 3, 9, 5, 30))):  # Mon 9 Mar 00:30 CDT: week 11
        wh.item(f"x:{native}", "x:1", at, f"post {native}")
        wh.finding("teacher_page_non_school", "non_school", "low", f"x:{native}")
    settings = DashboardSettings(district_name="D", timezone=TZ, now=utc(2026, 4, 1))
    assert [w.name for w in weeks_with_data(wh.con, settings)] == \
        ["2026-W09", "2026-W10", "2026-W11"]
    w10 = parse_week("2026-W10", TZ, utc(2026, 4, 1))
    week = collect_week(wh.con, settings, w10)
    assert week.totals["items_audited"] == 2 and week.findings_total == 2
    assert [t.total for t in week.trend[-2:]] == [1, 2]  # weeks 9 and 10
    html = build_week_dashboard(wh.con, settings, w10, tmp_path).read_text(encoding="utf-8")
    labels = sorted(r[payload(html)["cols"].index("posted_label")] for r in payload(html)["rows"])
    assert labels == ["Mon 02 Mar 00:30", "Sun 08 Mar 23:30"]


@pytest.mark.parametrize("url, expected", [
    ("https://x.com/nwtc/status/1", "https://x.com/nwtc/status/1"),
    ("https://www.facebook.com/123/posts/4?comment_id=5", "https://www.facebook.com/123/posts/4?comment_id=5"),
    ("HTTPS://WWW.INSTAGRAM.COM/p/abc/", "https://www.instagram.com/p/abc/"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)//https://x.com", None),
    ("http://x.com/nwtc/status/1", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("//x.com/nwtc", None),
    ("/123/videos/4/", None),
    ("https://x.com.evil.example/a", None),
    ("https://evil.example/?u=https://x.com", None),
    ("https://user@x.com/a", None),
    ("https://x.com:8443/a", None),
    ("https://x.com/a b", None),
    ("https://x.com/a\"onmouseover=\"alert(1)", None),
    (None, None),
])
def test_permalink_filter(url, expected):
    assert safe_permalink(url) == expected


def test_media_url_filter():
    assert safe_media_url("https://pbs.twimg.com/media/a.jpg") == "https://pbs.twimg.com/media/a.jpg"
    assert safe_media_url("https://scontent.xx.fbcdn.net/v/t1/a.jpg?x=1") is not None
    assert safe_media_url("https://cdn.example/a.jpg") is None
    assert safe_media_url("data:image/png;base64,AAAA") is None


def test_format_evidence():
    text = format_evidence('{"ground": "threat", "score": 0.912345, "reasons": ["kill", "you"],'
                           ' "consents": [{"consent_id": "C-1", "state": "revoked"}]}')
    assert text == ("ground: threat · score: 0.912 · reasons: kill, you · "
                    "consents: consent_id=C-1 state=revoked")
    assert format_evidence("not json") == "not json"
    assert len(format_evidence('{"a": "' + "x" * 5000 + '"}')) == 600


def test_page_evidence_marks_quotes_of_the_post_instead_of_repeating_them():
    post = "Great game 🎉🎉 but I will find you after school, coach"
    raw = json.dumps({"detector": "comment", "ground": "threat", "score": 0.91,
                      "reasons": ["I will find you after school", "threat pattern: 'find you'",
                                  "will find you", "short"]})
    text, marks = page_evidence(raw, post)
    assert text == ("ground: threat · score: 0.91 · reasons: “…”, "
                    "threat pattern: 'find you', “…”, short")
    assert page_evidence(raw, post, "threat")[0].startswith("score: 0.91 · reasons")
    # UTF-16 offsets (each emoji is two code units in the page's JavaScript); the quote inside
    # the first one is not marked twice; "short" is too short to count as a quote
    start = post.index("I will")
    assert marks == [[start + 2, start + 2 + len("I will find you after school")]]
    assert page_evidence(raw, "")[1] == [] and "I will find you" in page_evidence(raw, "")[0]
    assert "detector" not in text


def test_the_payload_embeds_each_value_once(tmp_path):
    wh = DashboardWarehouse()
    wh.account("x:1", "nwtc", "official", "District Office")
    body = "An unusually long comment that a detector quotes in full as its reason " * 3
    for n in range(40):
        wh.item(f"x:{100 + n}", "x:1", utc(2026, 3, 31, 15, n), f"{n} {body}", kind="comment",
                district=False, handle=f"user{n}")
        wh.finding("removable_comment", "harassment", "high", f"x:{100 + n}",
                   evidence={"detector": "comment", "reasons": [f"{n} {body}"]})
    settings = DashboardSettings(district_name="D", timezone=TZ, now=utc(2026, 4, 20))
    html = build_week_dashboard(wh.con, settings, W14, tmp_path).read_text(encoding="utf-8")
    block = html[html.index('id="findings-data">'):]
    assert block.count(body.strip()) == 40  # once per finding: in the text, not the evidence
    assert block.count('"removable_comment"') == 2  # the rule's lookup table and its title
    assert block.count('"harassment"') == 1 and block.count('"District Office"') == 1
    data = payload(html)
    assert {cell(data, r, "rule") for r in data["rows"]} == {"removable_comment"}
    assert all(cell(data, r, "marks") == [[0, len(cell(data, r, "text"))]]
               for r in data["rows"])
