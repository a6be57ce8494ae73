"""Benchmark: the weekly outputs over a busy week (20,000 findings by default).

    python benchmarks/report.py [--findings 20000] [--photos 800] [--keep DIR] [--no-browser]

Builds a warehouse file with synthetic rows inserted in SQL: 120 registered accounts over 25
schools, twelve weeks of history (the trend), and one week with ``--findings`` findings over
about twice as many items (posts of 80 to 900 characters, comments of 15 to 400), media on some
posts (``--photos`` distinct 1024x768 JPEGs in a real media store), reviews on a fifth of the
findings, and an hourly capture log with a few errors. Then it times each output with one
function per output, and prints one JSON object:

* ``dashboard``: the week's dashboard built cold (no thumbnail cache) and warm, with the time spent
  in SQL, thumbnails and rendering, the HTML size, the embedded JSON's size and its largest
  parts, and, when Chromium and Playwright are installed, how long the page takes to open and
  render its table (wall clock through Playwright, the browser's navigation timing, and the
  page script's own ``data-ready-ms``) and to apply filters (a select, a second select, a text
  search, a sort: wall clock, and the script's ``data-apply-ms``);
* ``exception_report``: the week's CSV and XLSX reports: the query, the rows, each file's
  writing time and size;
* ``machine``: CPUs and the load average before and after, since the machine may be shared.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and an editable install may map the
# packages to another checkout: measure the checkout this file is in.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import io
import json
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from connectors.media import store_bytes
from dashboards import dashboard as dash
from dashboards import exception_report as report
from dashboards.weeks import Week, parse_week
from warehouse import db

TZ = "America/Chicago"
WEEK = "2026-W14"
CHROMIUM = "/usr/bin/chromium"

ACCOUNTS = """
INSERT INTO registry.accounts
SELECT CASE WHEN i % 3 = 0 THEN 'x:' WHEN i % 3 = 1 THEN 'facebook:' ELSE 'instagram:' END
           || (1000 + i),
       CASE WHEN i % 3 = 0 THEN 'x' WHEN i % 3 = 1 THEN 'facebook' ELSE 'instagram' END,
       CAST(1000 + i AS VARCHAR),
       CASE WHEN i < 40 THEN 'school_' || i ELSE 'teacher_' || i END,
       CASE WHEN i < 40 THEN 'official' ELSE 'teacher_page' END,
       'School ' || lpad(CAST(i % 25 AS VARCHAR), 2, '0'),
       'owner', ['D1'], 'Account ' || i, NULL, now()
FROM range(120) t(i)
"""
# $start: the benchmarked week's Monday (UTC); $weeks_before: history; $n: items in the week.
# Items of week w (0 = benchmarked, 1.. = earlier) get ids w * 10^7 + i.
ITEMS = """
INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id, account_id,
    author_id, author_handle, author_is_district, parent_item_id, thread_root_id, created_at,
    text, permalink, like_count, first_seen_at, last_seen_at, content_fetched_at, last_page_id)
WITH raw AS (
    SELECT w, i, w * 10000000 + i AS n, (hash(i * 7 + w) % 120) AS acct,
           i % 5 < 2 AS is_post,
           $start - to_days(CAST(7 * w AS INTEGER))
               + to_seconds(CAST(hash(i + w * 13) % 604000 AS BIGINT)) AS ts
    FROM range(0, $weeks_before + 1) a(w), range(0, $n) b(i)
    WHERE w = 0 OR i < $n // 10
), named AS (
    SELECT r.*, a.account_key, a.platform FROM raw r
    JOIN registry.accounts a ON a.platform_id = CAST(1000 + r.acct AS VARCHAR)
)
SELECT platform || ':' || n, platform, CASE WHEN is_post THEN 'post' ELSE 'comment' END,
       CAST(n AS VARCHAR), CAST(n AS VARCHAR), account_key,
       CASE WHEN is_post THEN account_key ELSE platform || ':u' || (hash(n) % 50000) END,
       CASE WHEN is_post THEN NULL ELSE 'parent_' || (hash(n) % 50000) END,
       is_post,
       CASE WHEN is_post THEN NULL ELSE platform || ':' || (n - n % 5) END,
       platform || ':' || (n - n % 5),
       ts,
       substr(repeat(list_element($sentences, 1 + CAST(hash(n) % len($sentences) AS BIGINT))
                     || ' ' ||
                     list_element($sentences, 1 + CAST(hash(n + 1) % len($sentences) AS BIGINT))
                     || ' ', 12),
              1, CAST(CASE WHEN is_post THEN 80 + hash(n + 2) % 820
                           ELSE 15 + hash(n + 2) % 385 END AS BIGINT)),
       CASE platform WHEN 'x' THEN 'https://x.com/i/status/' || n
                     WHEN 'facebook' THEN 'https://www.facebook.com/' || n
                     ELSE 'https://www.instagram.com/p/' || n || '/' END,
       hash(n) % 300, ts, ts, ts, 1
FROM named
"""
# One finding per item (comments: a removal ground; posts: one of four post rules), items taken
# in order until the week has $n findings; earlier weeks have a tenth as many.
FINDINGS = """
INSERT INTO audit.findings
WITH rules AS (
SELECT * FROM (VALUES
    (0, 'removable_comment', 'spam', 'medium', 'C-remove'),
    (1, 'removable_comment', 'harassment', 'high', 'C-remove'),
    (2, 'removable_comment', 'threat', 'critical', 'C-remove'),
    (3, 'teacher_page_non_school', 'non_school', 'medium', 'C-teacher'),
    (4, 'confidential_disclosure', 'grades', 'high', 'C-confidential'),
    (5, 'student_media_without_consent', 'missing', 'critical', 'C-photo'),
    (6, 'unapproved_controversial_reply', 'no_approval', 'low', 'C-reply')
) r(r, rule, kind, severity, clause_id)
),
picked AS (
    SELECT i.item_id, i.platform, i.account_id, a.school, i.permalink, i.created_at, i.text,
           CASE WHEN i.kind = 'comment' THEN hash(i.item_id) % 3
                ELSE 3 + hash(i.item_id) % 4 END AS r,
           row_number() OVER (PARTITION BY CAST(i.native_id AS BIGINT) // 10000000
                              ORDER BY i.item_id) AS k,
           CAST(i.native_id AS BIGINT) // 10000000 AS w
    FROM core.items i
    JOIN registry.accounts a ON a.account_key = i.account_id
)
SELECT md5(rule || item_id || kind), rule, kind, severity, platform, account_id, school, item_id,
       item_id, permalink, created_at, sha256(text),
       json_object('ground', kind, 'score', round(0.5 + (hash(item_id) % 500) / 1000.0, 3),
                   'reasons', [substr(text, 1, 40), 'matched: ' || kind],
                   'detector', rule),
       'bench-pack', clause_id, '§ 4.' || length(rule) % 9,
       'The district may remove comments that are ' || kind || ' or otherwise violate policy.',
       'open', created_at + INTERVAL 2 HOUR, created_at + INTERVAL 2 HOUR, 'bench'
FROM picked JOIN rules USING (r)
WHERE k <= CASE WHEN w = 0 THEN $n ELSE $n // 10 END
"""
DISPOSITIONS = """
INSERT INTO audit.dispositions
SELECT md5(finding_id || 'd'), finding_id,
       CASE hash(finding_id) % 3 WHEN 0 THEN 'false_positive' WHEN 1 THEN 'confirmed'
            ELSE 'remediated' END,
       'Reviewer ' || hash(finding_id) % 4, 'reviewed in the benchmark', content_sha256,
       last_seen_at + INTERVAL 1 DAY, 'cli'
FROM audit.findings WHERE hash(finding_id || 'review') % 5 = 0
"""
FETCH_LOG = """
INSERT INTO raw.fetch_log
SELECT 'run-' || h, a.platform, a.account_key, NULL,
       CASE WHEN a.account_key LIKE 'facebook:1001' AND h > 100 THEN 'auth_error'
            WHEN hash(h, a.account_key) % 97 = 0 THEN 'rate_limited' ELSE 'ok' END,
       CASE WHEN a.account_key LIKE 'facebook:1001' AND h > 100 THEN '190' END,
       CASE WHEN a.account_key LIKE 'facebook:1001' AND h > 100
            THEN 'Error validating access token: the session has expired' END,
       3, $start + to_hours(h)
FROM registry.accounts a, range(0, 168) t(h)
"""
MEDIA_POSTS = """
SELECT item_id, platform FROM audit.findings
WHERE rule = 'student_media_without_consent' AND item_created_at >= $start
ORDER BY item_id
"""
INSERT_MEDIA = """
INSERT INTO core.media (media_id, item_id, platform, position, media_type, url, alt_text,
    content_sha256, local_path, first_seen_at)
VALUES (?, ?, ?, 1, 'photo', ?, ?, ?, ?, now())
"""
SENTENCES = [
    "Congratulations to our robotics team on a great season!",
    "Reminder: parent-teacher conferences are on Thursday evening in the main gym.",
    "This is ridiculous, why did the board approve this budget without asking anyone?",
    "Buy cheap followers now at our website, limited offer, click the link in bio",
    "Our culinary students prepared lunch for the whole staff today, thank you all.",
    "Field trip photos from the science museum are up on the class page.",
    "I can't believe nobody answered my email about the bus schedule again.",
    "Welcome back, students! Classes resume Monday at 8:00 with the usual schedule.",
    "Great game last night, the whole town came out to support the team.",
    "Enrollment for the welding and nursing programs opens next week online.",
]


def photo_bytes(seed: int) -> bytes:
    """A 1024x768 JPEG with some detail (gradient and noise), about 100-200 KB."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((1024, 768))
    noise = Image.effect_noise((1024, 768), 40 + seed % 30)
    img = Image.merge("RGB", (base, noise, Image.blend(base, noise, 0.5)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(900), rng.randrange(650)
        draw.ellipse((x, y, x + 120, y + 120), fill=(rng.randrange(256), rng.randrange(256),
                                                      rng.randrange(256)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def build_warehouse(path: Path, media_dir: Path, findings: int, photos: int,
                    week: Week) -> dict[str, Any]:
    """A warehouse with ``findings`` findings in ``week`` and 11 weeks of history."""
    started = time.perf_counter()
    con = db.connect(path)
    start = week.start
    con.execute("INSERT INTO registry.designees VALUES ('D1', 'Pat', NULL, NULL, now())")
    con.execute(ACCOUNTS)
    params = {"start": start, "weeks_before": 11, "sentences": SENTENCES}
    # about half of the items have a finding: two items per finding, plus margin
    con.execute(ITEMS, {**params, "n": int(findings * 2.3)})
    con.execute(FINDINGS, {"n": findings})
    con.execute(DISPOSITIONS)
    con.execute(FETCH_LOG, {"start": start})
    posts = con.execute(MEDIA_POSTS, {"start": start}).fetchall()
    rows = []
    stored: list[tuple[str, str]] = []
    for n in range(min(photos, len(posts))):
        sha, file, _new = store_bytes(media_dir, photo_bytes(n), "jpg")
        stored.append((sha, str(file)))
    for n, (item_id, platform) in enumerate(posts):
        if not stored or n >= len(stored) * 2:
            break
        sha, file = stored[n % len(stored)]
        host = {"x": "pbs.twimg.com", "facebook": "scontent.xx.fbcdn.net"}.get(
            platform, "scontent.cdninstagram.com")
        rows.append((f"{item_id}:m", item_id, platform, f"https://{host}/{sha[:16]}.jpg",
                     "Students at the science fair", sha, file))
    if rows:
        con.executemany(INSERT_MEDIA, rows)
    counts = dict(con.execute(
        "SELECT 'findings_in_week', count(*) FROM audit.findings WHERE item_created_at >= ? "
        "AND item_created_at < ? UNION ALL SELECT 'items_in_week', count(*) FROM core.items "
        "WHERE created_at >= ? AND created_at < ? UNION ALL SELECT 'findings_total', count(*) "
        "FROM audit.findings UNION ALL SELECT 'media_rows', count(*) FROM core.media",
        [week.start, week.end, week.start, week.end]).fetchall())
    con.close()
    return {**counts, "distinct_photos": len(stored),
            "build_seconds": round(time.perf_counter() - started, 2)}


NAVIGATION_TIMING = """() => {
    const n = performance.getEntriesByType("navigation")[0];
    return {dom_interactive_ms: n.domInteractive, dom_content_loaded_ms: n.domContentLoadedEventEnd,
            load_ms: n.loadEventEnd};
}"""


def _browser_timings(page_path: Path) -> dict[str, Any] | None:
    """Open the page in headless Chromium: time to the first rendered rows, and to re-filter.

    Each filter is timed until the table shows the new count (``data-count`` of the rows)."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None

    def in_page(page) -> float:
        return float(page.get_attribute("#finding-rows", "data-apply-ms") or "nan")

    def timed(page, action, expected: str | None = None) -> float:
        before = page.get_attribute("#finding-rows", "data-count")
        started = time.perf_counter()
        action()
        if expected is not None:
            expect(page.locator("#finding-rows")).to_have_attribute("data-count", expected,
                                                                    timeout=60_000)
        else:  # the page's CSP forbids wait_for_function: poll the attribute
            deadline = time.perf_counter() + 60
            while (page.get_attribute("#finding-rows", "data-count") == before
                   and time.perf_counter() < deadline):
                time.sleep(0.005)
        return round(time.perf_counter() - started, 3)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            page.goto(page_path.as_uri())
            page.wait_for_selector("#finding-rows tr")
            opened = round(time.perf_counter() - started, 2)
            navigation = {k: round(v) for k, v in page.evaluate(NAVIGATION_TIMING).items()}
            open_rows = int(page.get_attribute("#finding-rows", "data-count") or 0)
            total = page.evaluate(
                "() => JSON.parse(document.getElementById('findings-data').textContent)"
                ".rows.length")
            ready_ms = float(page.get_attribute("#finding-rows", "data-ready-ms") or "nan")
            steps: dict[str, dict[str, float | int]] = {}

            def step(name: str, action, expected: str | None = None) -> None:
                wall = timed(page, action, expected)
                steps[name] = {"wall_seconds": wall, "in_page_ms": in_page(page),
                               "rows": int(page.get_attribute("#finding-rows", "data-count")
                                           or 0)}

            step("all_statuses", lambda: page.select_option("#filter-status", ""), str(total))
            step("severity_high", lambda: page.select_option("#filter-severity", "high"))
            # wall time includes the page's 150 ms pause for typing before it searches
            step("text_search", lambda: page.fill("#filter-q", "robotics"))
            step("sort_by_posted", lambda: page.click("th[data-sort=posted] button"),
                 str(steps["text_search"]["rows"]))
        finally:
            browser.close()
    return {"open_and_render_seconds": opened, "navigation_ms": navigation,
            "script_ready_ms": ready_ms, "open_rows_shown": open_rows, "rows_in_page": total,
            "filters": steps}


def _payload_parts(payload: dict[str, Any]) -> dict[str, int]:
    """Bytes of the embedded JSON by part: the biggest row columns, the thumbnails, the rest."""
    def size(value: Any) -> int:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    parts = {f"column_{name}": sum(size(row[i]) + 1 for row in payload["rows"])
             for i, name in enumerate(payload["cols"])}
    biggest = dict(sorted(parts.items(), key=lambda kv: -kv[1])[:5])
    return {**biggest, "thumbs": size(payload["thumbs"]), "dicts": size(payload.get("dicts", {}))}


def time_week_dashboard(con: duckdb.DuckDBPyConnection, settings: dash.DashboardSettings,
                        week: Week, out_dir: Path, *, browser: bool = True) -> dict[str, Any]:
    """Build the week's dashboard cold (empty thumbnail cache) and warm; time the parts."""
    if settings.cache_dir is not None:
        shutil.rmtree(settings.cache_dir, ignore_errors=True)
    started = time.perf_counter()
    path = dash.build_week_dashboard(con, settings, week, out_dir)
    cold = time.perf_counter() - started

    started = time.perf_counter()
    data = dash.collect_week(con, settings, week)
    collected = time.perf_counter() - started
    started = time.perf_counter()
    html = dash.render_week(data)
    rendered = time.perf_counter() - started
    started = time.perf_counter()
    dash.build_week_dashboard(con, settings, week, out_dir)
    warm = time.perf_counter() - started

    payload = dash.findings_payload(data)
    payload_json = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    thumbs = sum(len(v) for v in data.thumbnails.values())
    result: dict[str, Any] = {
        "findings_in_page": len(data.findings),
        "cold_build_seconds": round(cold, 2),
        "warm_build_seconds": round(warm, 2),
        "warm_query_and_thumbnail_seconds": round(collected, 2),
        "render_seconds": round(rendered, 2),
        "html_bytes": path.stat().st_size,
        "html_mib": round(path.stat().st_size / 2**20, 1),
        "json_bytes": len(payload_json.encode()),
        "json_parts_bytes": _payload_parts(payload),
        "thumbnails": len(data.thumbnails),
        "thumbnail_bytes": thumbs,
        "page": str(path),
    }
    assert len(html) > 0
    if browser:
        result["browser"] = _browser_timings(path)
    return result


def time_exception_report(con: duckdb.DuckDBPyConnection, week: Week,
                          out_dir: Path) -> dict[str, Any]:
    """The week's exception report: the query, the rows, then the CSV and the XLSX."""
    tz = ZoneInfo(week.tz)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = report.report_paths(week, out_dir)
    started = time.perf_counter()
    findings = report.week_findings(con, week)
    queried = time.perf_counter() - started
    started = time.perf_counter()
    rows = report.report_rows(findings, tz)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    report.write_csv(rows, csv_path)
    csv_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report.write_xlsx(rows, xlsx_path, week=week, tz=tz)
    xlsx_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report.write_week_reports(con, week, out_dir, tz)
    both = time.perf_counter() - started
    return {
        "rows": len(rows),
        "query_seconds": round(queried, 2),
        "rows_seconds": round(prepared, 2),
        "csv_seconds": round(csv_seconds, 2),
        "xlsx_seconds": round(xlsx_seconds, 2),
        "write_week_reports_seconds": round(both, 2),
        "csv_bytes": csv_path.stat().st_size,
        "xlsx_bytes": xlsx_path.stat().st_size,
    }


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--photos", type=int, default=800, help="distinct stored photos")
    parser.add_argument("--keep", type=Path, help="keep the warehouse and pages in this folder")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timing")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="socialaudit-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    week = parse_week(WEEK, TZ, datetime.now(UTC))
    try:
        warehouse = folder / "warehouse.duckdb"
        warehouse.unlink(missing_ok=True)
        setup = build_warehouse(warehouse, folder / "media", args.findings, args.photos, week)
        settings = dash.DashboardSettings(
            district_name="Benchmark District", timezone=TZ, media_dir=folder / "media",
            now=week.end, max_capture_age_hours=26)
        con = db.connect(warehouse, read_only=True)
        try:
            machine_before = _machine()
            results = {
                "setup": setup,
                "dashboard": time_week_dashboard(con, settings, week, folder / "reports",
                                                 browser=not args.no_browser),
                "exception_report": time_exception_report(con, week, folder / "reports"),
                "machine": {"before": machine_before, "after": _machine()},
            }
        finally:
            con.close()
        print(json.dumps(results, indent=2))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
