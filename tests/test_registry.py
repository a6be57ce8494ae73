"""Registry files: validation errors name file, line and column; a failing file loads nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from warehouse import db
from warehouse.registry import RegistryError, load_registry

ACCOUNTS_HEADER = (
    "platform,platform_id,handle,kind,school,owner,designee_admins,display_name,token_env\n"
)
DESIGNEES = "designee_id,name,email,role\nD001,Pat Lee,plee@district.example,Communications\n"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def con():
    return db.memory()


def test_good_files_load_with_derived_keys(tmp_path, con):
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER
                     + "x,1001,@district,official,,Comms,D001,District,\n"
                     + "facebook,2002,lincoln,teacher_page,Lincoln HS,Ms. Ortiz,,,"
                     + "PAGE_TOKEN_2002\n")
    designees = write(tmp_path, "designees.csv", DESIGNEES)
    consents = write(tmp_path, "consents.csv",
                     "consent_id,student_id_sha256,scope,granted_on,expires_on,revoked_on\n"
                     f"PC-1,{sha('s1')},social_media;print,2026-08-01,2027-06-30,\n")
    result = load_registry(con, {"accounts": accounts, "designees": designees,
                                 "consents": consents})
    assert result.ok, result.problems
    rows = con.execute("SELECT account_key, handle, designee_admins, token_env "
                       "FROM registry.accounts ORDER BY 1").fetchall()
    assert rows == [("facebook:2002", "lincoln", [], "PAGE_TOKEN_2002"),
                    ("x:1001", "district", ["D001"], None)]
    assert con.execute("SELECT scope FROM registry.consents").fetchone()[0] == [
        "social_media", "print"]


def test_bad_rows_name_file_line_and_column_and_nothing_loads(tmp_path, con):
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER
                     + "x,1001,district,official,,Comms,D001,,\n"
                     + "myspace,1002,x,official,,Comms,D001,,\n"
                     + "x,1003,x,teacher,,Comms,D001,,\n"
                     + "x,1001,dup,official,,Comms,D001,,\n")
    designees = write(tmp_path, "designees.csv", DESIGNEES)
    result = load_registry(con, {"accounts": accounts, "designees": designees})
    messages = [str(p) for p in result.problems]
    assert any("accounts.csv:3: column 'platform'" in m and "myspace" in m for m in messages)
    assert any("accounts.csv:4: column 'kind'" in m for m in messages)
    assert any("accounts.csv:5" in m and "duplicate" in m and "line 2" in m for m in messages)
    assert con.execute("SELECT count(*) FROM registry.accounts").fetchone()[0] == 0
    # the good file still loads
    assert result.loaded == {"designees": 1}


def test_unknown_designee_and_token_in_place_of_variable_name(tmp_path, con):
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER
                     + "x,1001,district,official,,Comms,D009,,\n"
                     + "facebook,22,p,official,,Comms,D001,,EAAB-secret-token\n")
    designees = write(tmp_path, "designees.csv", DESIGNEES)
    result = load_registry(con, {"accounts": accounts, "designees": designees})
    messages = [str(p) for p in result.problems]
    assert any("accounts.csv:3: column 'token_env'" in m for m in messages)
    # the cross-file check only runs once each file is valid on its own
    assert not any("D009" in m for m in messages)


def test_wrong_columns_dates_encoding(tmp_path, con):
    consents = write(tmp_path, "consents.csv",
                     "consent_id,student,scope,granted_on\nPC-1,x,social_media,2026-01-01\n")
    approvals = write(tmp_path, "approvals.csv",
                      "approval_id,platform,target_id,approver,approved_at,note\n"
                      "A1,x,123,D001,2026-13-01T10:00:00-06:00,\n"
                      "A2,x,124,D001,2026-03-01T10:00:00,no offset\n")
    roster = write(tmp_path, "roster.csv",
                   b"platform,student_handle_sha256,school\nx," + sha("a").encode()
                   + b",Caf\xe9 High\n")
    dates = write(tmp_path, "media_consents.csv", "platform,post_id\nx,1\n")
    result = load_registry(con, {"consents": consents, "approvals": approvals,
                                 "roster": roster, "media_consents": dates})
    messages = [str(p) for p in result.problems]
    assert any(m.startswith(f"{consents}:1:") and "missing column(s) student_id_sha256" in m
               and "unknown column(s) student" in m for m in messages)
    assert any("approvals.csv:2: column 'approved_at'" in m for m in messages)
    assert any("approvals.csv:3: column 'approved_at'" in m and "offset" in m for m in messages)
    assert any("roster.csv:2:" in m and "not UTF-8" in m for m in messages)
    assert any("media_consents.csv:1:" in m and "consent_id" in m for m in messages)
    with pytest.raises(RegistryError) as err:
        load_registry(con, {"approvals": approvals}, raise_on_error=True)
    assert "approvals.csv:2" in str(err.value)


def test_consent_dates_ordered_and_hash_required(tmp_path, con):
    consents = write(tmp_path, "consents.csv",
                     "consent_id,student_id_sha256,scope,granted_on,expires_on,revoked_on\n"
                     f"PC-1,{sha('s')},social_media,2026-08-01,2025-01-01,\n"
                     "PC-2,Jamie Smith,social_media,2026-08-01,,\n")
    result = load_registry(con, {"consents": consents})
    messages = [str(p) for p in result.problems]
    assert any("consents.csv:2: column 'expires_on'" in m for m in messages)
    assert any("consents.csv:3: column 'student_id_sha256'" in m and "never a raw" in m
               for m in messages)
