"""Data quality checks (great_expectations over DataFrames read from DuckDB): a clean warehouse
passes every check; breaking one thing at a time fails the check that guards it, with the row
ids and the offending value in the sample, and the right blocking flag; a failing blocking check
stops the downstream Dagster asset; ``socialaudit validate`` exits 0, 1 or 2."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from checks.policy import load_pack
from tests.imports import imported_by
from warehouse import db
from warehouse.quality import FRAMES, CheckResult, checks_by_asset, validate

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 1, tzinfo=UTC)
NW = "northwest-technology-center"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def pack():
    return load_pack(NW)


def build(con) -> None:
    """A small, clean warehouse: every table the checks read has rows."""
    run = con.execute
    run("INSERT INTO registry.designees VALUES ('D1', 'Pat', 'pat@example.org', 'comms', now())")
    for key, kind in (("x:1", "official"), ("facebook:2", "teacher_page"),
                      ("instagram:3", "official")):
        platform, pid = key.split(":")
        run("INSERT INTO registry.accounts VALUES (?, ?, ?, 'h', ?, 'School', 'o', ['D1'], "
            "NULL, NULL, now())", [key, platform, pid, kind])
    run("INSERT INTO registry.consents VALUES ('PC-1', ?, ['social_media'], DATE '2025-08-01', "
        "DATE '2026-08-01', NULL, now())", [sha("student-1")])
    run("INSERT INTO registry.consents VALUES ('PC-2', ?, ['print', 'website'], "
        "DATE '2025-08-01', NULL, DATE '2026-01-01', now())", [sha("student-2")])
    run("INSERT INTO registry.media_consents VALUES ('x', '10', 'PC-1', now())")
    run("INSERT INTO registry.approvals VALUES ('A1', 'x', '10', 'D1', ?, NULL, now())", [T0])
    run("INSERT INTO registry.roster VALUES (?, 'x', 'School', now())", [sha("kid")])
    for page_id, source, account in ((1, "x", "x:1"), (2, "facebook", "facebook:2"),
                                     (3, "instagram", "instagram:3")):
        run("INSERT INTO raw.api_pages VALUES (?, ?, 'r1', ?, 'api', ?, 'e', NULL, NULL, ?, ?, "
            "'{}')", [page_id, sha(f"page{page_id}"), source, account, T0, sha(f"b{page_id}")])
    for item_id, kind, account in (("x:10", "post", "x:1"), ("x:11", "comment", "x:1"),
                                   ("facebook:2_1", "post", "facebook:2")):
        platform, native = item_id.split(":")
        run("INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id, "
            "account_id, author_is_district, parent_item_id, thread_root_id, created_at, text, "
            "permalink, first_seen_at, last_seen_at, content_fetched_at, last_page_id) "
            "VALUES (?, ?, ?, ?, ?, ?, true, NULL, ?, ?, 'hello', ?, ?, ?, ?, 1)",
            [item_id, platform, kind, native, native, account, item_id, T0,
             f"https://example.org/{native}", T0, T0, T0])
        run("INSERT INTO core.item_versions VALUES (?, ?, 'hello', ?, ?, ?)",
            [item_id, native, sha("hello"), T0, T0])
        run("INSERT INTO core.observations VALUES (?, 'visible', ?, ?, 1, 1)", [item_id, T0, T0])
    run("INSERT INTO core.media (media_id, item_id, platform, position, media_type, url, "
        "preview_url, content_sha256, first_seen_at) VALUES ('x:m1', 'x:10', 'x', 1, 'video', "
        "'https://video.example.org/v.mp4?sig=abc', 'https://pbs.example.org/p.jpg', ?, ?)",
        [sha("image"), T0])
    run("INSERT INTO core.media_alt_versions VALUES ('x:10', 'x:m1', 'Our robotics team', ?, ?)",
        [sha("Our robotics team"), T0])
    binding = load_pack(NW).cite("removable_comment", "threat_violence")
    for fid, rule, clause, status in (
            ("f1", "removable_comment", binding.clause_id, "open"),
            # a cleared finding of an older pack may cite a clause the active pack lacks
            ("f2", "removable_comment", "old-pack-1", "cleared")):
        run("INSERT INTO audit.findings (finding_id, rule, kind, severity, platform, account_id, "
            "subject_id, item_id, permalink, item_created_at, evidence, policy_pack, clause_id, "
            "status, first_seen_at, last_seen_at, last_run_id) VALUES (?, ?, 'threat_violence', "
            "'critical', 'x', 'x:1', 'x:11', 'x:11', 'https://example.org/11', ?, '{}', ?, ?, "
            "?, ?, ?, 'r1')", [fid, rule, T0, NW, clause, status, T0, T0])


@pytest.fixture
def con():
    connection = db.memory()
    build(connection)
    yield connection
    connection.close()


def failures(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results if not r.success}


def test_a_clean_warehouse_passes_every_check(con, pack):
    results = validate(con, pack, now=NOW)
    assert failures(results) == {}
    expected = sum(len(f.checks) for f in FRAMES)
    assert len(results) == expected
    by_name = {(r.asset, r.name): r for r in results}
    # every check saw rows: the fixture exercises each frame
    assert all(r.checked > 0 for r in results), [k for k, r in by_name.items() if not r.checked]
    assert by_name[("core_items", "items_item_id_unique")].checked == 3
    assert by_name[("raw_x", "api_pages_source_known")].checked == 1
    assert by_name[("raw_facebook", "api_pages_source_known")].checked == 1


BREAKS = [
    # (id, SQL, asset, {check: blocking}, a fragment of the sample)
    ("item_account_not_registered",
     ["UPDATE core.items SET account_id = 'x:999' WHERE item_id = 'x:11'"],
     "core_items", {"items_account_registered": True}, "item_id=x:11, account_id=x:999"),
    ("item_platform_myspace",
     ["UPDATE core.items SET platform = 'myspace' WHERE item_id = 'x:10'"],
     "core_items", {"items_platform_known": True}, "platform=myspace"),
    ("item_kind_story",
     ["UPDATE core.items SET kind = 'story' WHERE item_id = 'x:10'"],
     "core_items", {"items_kind_known": True}, "kind=story"),
    ("item_created_in_1990",
     ["UPDATE core.items SET created_at = TIMESTAMPTZ '1990-06-01 00:00:00+00' "
      "WHERE item_id = 'x:10'"],
     "core_items", {"items_created_at_in_range": True}, "item_id=x:10, created_at=1990-06-01"),
    ("item_created_in_the_future",
     ["UPDATE core.items SET created_at = TIMESTAMPTZ '2026-05-01 00:00:00+00' "
      "WHERE item_id = 'x:10'"],
     "core_items", {"items_created_at_in_range": True}, "created_at=2026-05-01"),
    ("item_permalink_javascript",
     ["UPDATE core.items SET permalink = 'javascript:alert(1)' WHERE item_id = 'x:10'"],
     "core_items", {"items_permalink_well_formed": True}, "permalink=javascript:alert(1)"),
    ("observation_state_unknown",
     ["UPDATE core.observations SET state = 'archived' WHERE item_id = 'x:10'"],
     "core_items", {"observations_state_known": True}, "state=archived"),
    ("item_without_account",
     ["UPDATE core.items SET account_id = NULL WHERE item_id = 'x:10'"],
     "core_items", {"items_have_account": False}, "item_id=x:10"),
    ("media_url_javascript",
     ["UPDATE core.media SET url = 'javascript:alert(document.cookie)'"],
     "core_media", {"media_url_well_formed": True}, "url=javascript:alert(document.cookie)"),
    ("media_type_unknown",
     ["UPDATE core.media SET media_type = 'hologram'"],
     "core_media", {"media_type_known": True}, "media_type=hologram"),
    ("media_on_no_item",
     ["UPDATE core.media SET item_id = 'x:404'",
      "UPDATE core.media_alt_versions SET item_id = 'x:404'"],  # its alt text goes with it
     "core_media", {"media_item_captured": False}, "item_id=x:404, media_id=x:m1"),
    ("alt_text_of_no_medium",
     ["UPDATE core.media_alt_versions SET media_id = 'x:m404'"],
     "core_media", {"media_alt_versions_medium_captured": False},
     "item_id=x:10, media_id=x:m404"),
    ("alt_text_hash_not_a_sha256",
     ["UPDATE core.media_alt_versions SET alt_sha256 = 'Our robotics team'"],
     "core_media", {"media_alt_versions_sha256_well_formed": False},
     "alt_sha256=Our robotics team"),
    ("consent_expires_before_granted",
     ["UPDATE registry.consents SET expires_on = DATE '2025-07-01' WHERE consent_id = 'PC-1'"],
     "registry", {"consents_expire_after_granted": True}, "consent_id=PC-1"),
    ("consent_revoked_before_granted",
     ["UPDATE registry.consents SET revoked_on = DATE '2024-01-01' WHERE consent_id = 'PC-2'"],
     "registry", {"consents_revoked_after_granted": True}, "consent_id=PC-2"),
    ("consent_scope_unknown",
     ["UPDATE registry.consents SET scope = ['social media'] WHERE consent_id = 'PC-1'"],
     "registry", {"consents_scope_known": True}, "scope=social media"),
    ("account_platform_myspace",
     ["UPDATE registry.accounts SET platform = 'myspace' WHERE account_key = 'x:1'"],
     "registry", {"accounts_platform_known": True, "accounts_key_is_platform_id": True},
     "account_key=x:1"),
    ("approval_by_a_stranger",
     ["UPDATE registry.approvals SET approver = 'D9'"],
     "registry", {"approvals_by_a_designee": True}, "approval_id=A1, approver=D9"),
    ("raw_page_fetched_in_2099",
     ["UPDATE raw.api_pages SET fetched_at = TIMESTAMPTZ '2099-01-01 00:00:00+00' "
      "WHERE page_id = 1"],
     "raw_x", {"api_pages_fetched_at_in_range": False}, "page_id=1"),
    ("finding_cites_a_clause_not_in_the_pack",
     ["UPDATE audit.findings SET clause_id = 'X.9' WHERE finding_id = 'f1'"],
     "findings", {"findings_cite_a_clause_of_the_pack": True,
                  "findings_clause_binds_the_rule": True}, "finding_id=f1"),
    ("finding_cites_a_clause_of_another_rule",
     ["UPDATE audit.findings SET clause_id = 'nwtc-staff-3a' WHERE finding_id = 'f1'"],
     "findings", {"findings_clause_binds_the_rule": True},
     "open_binding=removable_comment @ nwtc-staff-3a"),
    ("finding_severity_unknown",
     ["UPDATE audit.findings SET severity = 'urgent' WHERE finding_id = 'f1'"],
     "findings", {"findings_severity_known": True}, "severity=urgent"),
]


@pytest.mark.parametrize("sql, asset, expected, fragment",
                         [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS])
def test_each_check_fails_when_its_condition_breaks(con, pack, sql, asset, expected, fragment):
    for statement in sql:
        con.execute(statement)
    results = validate(con, pack, assets=[asset], now=NOW)
    assert {r.asset for r in results} == {asset}
    failed = failures(results)
    assert set(failed) == set(expected)
    for name, blocking in expected.items():
        result = failed[name]
        assert result.blocking is blocking
        assert result.failed == 1 and result.error is None
        assert result.why.startswith(f"1 of {result.checked} row(s) break it: expected ")
        assert any(fragment in line for line in result.sample), result.sample


def test_duplicate_and_null_keys_are_found_across_batches(con, pack):
    # the primary key forbids duplicates; a table rebuilt without it (CTAS) does not
    con.execute("CREATE OR REPLACE TABLE core.items AS SELECT * FROM core.items "
                "UNION ALL SELECT * FROM core.items WHERE item_id = 'x:10'")
    con.execute("INSERT INTO core.items SELECT * REPLACE (NULL AS item_id) FROM core.items "
                "WHERE item_id = 'x:11'")
    for batch_rows in (100_000, 1):
        results = validate(con, pack, assets=["core_items"], now=NOW, batch_rows=batch_rows)
        failed = failures(results)
        assert set(failed) == {"items_item_id_unique", "items_item_id_not_null"}
        unique = failed["items_item_id_unique"]
        assert unique.blocking and unique.failed == 2 and unique.checked == 5
        assert "item_id=x:10" in unique.sample
        assert failed["items_item_id_not_null"].failed == 1
    assert unique.batches == 5  # one row a batch, and both x:10 rows in the same one


def test_raw_pages_of_an_unknown_source_fail_every_raw_asset(con, pack):
    con.execute("UPDATE raw.api_pages SET source = 'myspace' WHERE page_id = 2")
    results = validate(con, pack, assets=["raw_x", "raw_facebook", "raw_instagram"], now=NOW)
    failed = [(r.asset, r.name) for r in results if not r.success]
    assert sorted(failed) == [("raw_facebook", "api_pages_source_known"),
                              ("raw_instagram", "api_pages_source_known"),
                              ("raw_x", "api_pages_source_known")]
    assert not any(r.blocking for r in results if not r.success)


def test_samples_show_ids_not_personal_values_or_signed_urls(con, pack):
    con.execute("UPDATE registry.consents SET student_id_sha256 = 'S-2031-0042' "
                "WHERE consent_id = 'PC-1'")
    con.execute("UPDATE core.media SET url = 'ftp://cdn.example.org/v.mp4?token=SECRET'")
    results = validate(con, pack, assets=["registry", "core_media"], now=NOW)
    failed = failures(results)
    hashed = failed["consents_student_id_hashed"]
    assert not hashed.blocking and hashed.sample == ("consent_id=PC-1",)
    url = failed["media_url_well_formed"]
    assert url.sample == ("item_id=x:10, media_id=x:m1, url=ftp://cdn.example.org/v.mp4?…",)
    text = json.dumps([r.as_json() for r in results])
    assert "S-2031-0042" not in text and "SECRET" not in text and "Pat" not in text


def test_consents_may_expire_or_be_revoked_on_the_day_they_are_granted(con, pack):
    con.execute("UPDATE registry.consents SET expires_on = granted_on, revoked_on = granted_on")
    assert failures(validate(con, pack, assets=["registry"], now=NOW)) == {}


def test_specs_name_each_check_once_per_asset_and_block_what_findings_rest_on():
    by_asset = checks_by_asset()
    assert set(by_asset) == {"registry", "raw_x", "raw_facebook", "raw_instagram",
                             "core_items", "core_media", "findings"}
    blocking = {c.name for checks in by_asset.values() for _, c in checks if c.blocking}
    assert {"items_account_registered", "consents_expire_after_granted",
            "findings_cite_a_clause_of_the_pack", "media_url_well_formed"} <= blocking
    assert not any(c.blocking for _, c in by_asset["raw_x"])


def test_validate_imports_no_gx_until_called():
    assert imported_by("import warehouse.quality, pipelines.assets.quality",
                       ("great_expectations", "pandas")) == []


# --- Dagster and the command line over a simulated workspace ---------------------------------


@pytest.fixture(scope="module")
def world():
    from connectors.simulated import generate_world

    return generate_world(seed=4, scale=0.05)


@pytest.fixture
def workspace(world, tmp_path):
    from connectors.simulated import write_workspace
    from pipelines.config import load_config

    return load_config(write_workspace(world, tmp_path / "district"))


def _unregistered_item(config) -> None:
    con = db.connect(config.warehouse_path)
    try:
        con.execute("INSERT INTO core.items (item_id, platform, kind, native_id, "
                    "current_native_id, account_id, author_is_district, created_at, "
                    "first_seen_at, last_seen_at, content_fetched_at, last_page_id) VALUES "
                    "('x:77', 'x', 'post', '77', '77', 'x:not-registered', false, ?, ?, ?, ?, 1)",
                    [T0, T0, T0, T0])
    finally:
        con.close()


def test_a_failing_blocking_check_stops_the_downstream_asset(workspace):
    from dagster import AssetKey, DagsterInstance, materialize

    from pipelines.assets import core, quality, registry
    from pipelines.resources import PlatformCredentials, WorkspaceResource

    resources = {"workspace": WorkspaceResource(config_path=str(workspace.path)),
                 "credentials": PlatformCredentials()}
    assets = [registry.registry, core.core_items, core.core_media,
              *(c for c in quality.ALL_CHECKS
                if {k.asset_key.to_user_string() for k in c.check_keys}
                <= {"registry", "core_items", "core_media"})]
    with DagsterInstance.ephemeral() as instance:
        clean = materialize(assets, resources=resources, instance=instance)
        assert clean.success
        evaluations = clean.get_asset_check_evaluations()
        assert evaluations and all(e.passed for e in evaluations)
        assert clean.asset_materializations_for_node("core_media")

        _unregistered_item(workspace)
        broken = materialize(assets, resources=resources, instance=instance,
                             raise_on_error=False)
    assert not broken.success
    failed = {(e.asset_key, e.check_name): e for e in broken.get_asset_check_evaluations()
              if not e.passed}
    assert set(failed) == {(AssetKey("core_items"), "items_account_registered")}
    evaluation = failed[(AssetKey("core_items"), "items_account_registered")]
    assert evaluation.blocking
    assert evaluation.metadata["sample"].value == ["item_id=x:77, account_id=x:not-registered"]
    assert broken.asset_materializations_for_node("core_items")  # the asset itself ran
    assert not broken.asset_materializations_for_node("core_media")  # downstream stopped


def test_validate_command_exit_codes(workspace, tmp_path, capsys, monkeypatch):
    from pipelines.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    from pipelines import stages

    config = str(workspace.path)
    assert main(["validate", "--config", config]) == 2  # no warehouse yet
    assert "run the pipeline first" in capsys.readouterr().err
    con = stages.open_warehouse(workspace)
    assert stages.stage_registry(workspace, con).ok
    con.close()
    assert main(["validate", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "blocking failed" in out and "0 blocking failed" in out

    con = db.connect(workspace.warehouse_path)
    con.execute("UPDATE registry.consents SET revoked_on = DATE '2001-01-01' WHERE consent_id = "
                "(SELECT min(consent_id) FROM registry.consents)")
    con.close()
    assert main(["validate", "--config", config, "--format", "json"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    bad = [r for r in rows if not r["success"]]
    assert [(r["check"], r["blocking"], r["failed"]) for r in bad] == [
        ("consents_revoked_after_granted", True, 1)]
    assert bad[0]["sample"][0].startswith("consent_id=")

    assert main(["validate", "--config", config, "--asset", "registry"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "consents_revoked_after_granted" in out
    assert "no consent is revoked before it was granted" in out

    assert main(["validate", "--config", str(tmp_path / "nowhere.toml")]) == 2
    assert "socialaudit:" in capsys.readouterr().err



def test_an_expectation_that_cannot_run_fails_with_its_error(con, pack):
    # a warehouse whose created_at is text (rebuilt by hand): the range cannot be compared
    con.execute("CREATE OR REPLACE TABLE core.items AS "
                "SELECT * REPLACE (created_at::VARCHAR AS created_at) FROM core.items")
    failed = failures(validate(con, pack, assets=["core_items"], now=NOW))
    assert set(failed) == {"items_created_at_in_range"}
    result = failed["items_created_at_in_range"]
    assert result.blocking and "same type" in (result.error or "")
    assert result.why.startswith("could not check: ")
