"""Registry files: validation errors name file, line and column (its letter as a spreadsheet shows
it, and its name) for every kind of problem: wrong header, wrong field count, bad values and
dates, duplicate ids, wrong encoding; a failing file loads nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from warehouse import db
from warehouse.registry import RegistryError, column_letter, load_registry

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


def where(problems) -> list[tuple[str, int, str | None, str | None]]:
    """(file name, line, column letter, column name) of each problem."""
    return [(Path(p.file).name, p.line, p.letter, p.column) for p in problems]


def test_bad_rows_name_file_line_and_column_and_nothing_loads(tmp_path, con):
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER
                     + "x,1001,district,official,,Comms,D001,,\n"
                     + "myspace,1002,x,official,,Comms,D001,,\n"
                     + "x,1003,x,teacher,,Comms,D001,,\n"
                     + "x,1001,dup,official,,Comms,D001,,\n")
    designees = write(tmp_path, "designees.csv", DESIGNEES)
    result = load_registry(con, {"accounts": accounts, "designees": designees})
    assert where(result.problems) == [("accounts.csv", 3, "A", "platform"),
                                      ("accounts.csv", 4, "D", "kind"),
                                      ("accounts.csv", 5, "B", "platform_id")]
    messages = [str(p) for p in result.problems]
    assert messages[0].startswith(f"{accounts}:3: column A 'platform': must be one of")
    assert "'myspace'" in messages[0]
    assert messages[2] == (f"{accounts}:5: column B 'platform_id': duplicate "
                           "platform/platform_id x/1001 (first on line 2)")
    assert con.execute("SELECT count(*) FROM registry.accounts").fetchone()[0] == 0
    # the good file still loads
    assert result.loaded == {"designees": 1}


def test_unknown_designee_and_token_in_place_of_variable_name(tmp_path, con):
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER
                     + "x,1001,district,official,,Comms,D009,,\n"
                     + "facebook,22,p,official,,Comms,D001,,EAAB-secret-token\n")
    designees = write(tmp_path, "designees.csv", DESIGNEES)
    result = load_registry(con, {"accounts": accounts, "designees": designees})
    assert where(result.problems) == [("accounts.csv", 3, "I", "token_env")]
    assert "EAAB-secret-token" not in str(result.problems[0])  # a token is never echoed
    # the cross-file check only runs once each file is valid on its own
    fixed = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER
                  + "x,1001,district,official,,Comms,D001;D009,,\n")
    result = load_registry(con, {"accounts": fixed, "designees": designees})
    assert [str(p) for p in result.problems] == [
        f"{fixed}:2: column G 'designee_admins': 'D009' is not in designees.csv"]


def test_wrong_header_names_each_column(tmp_path, con):
    consents = write(tmp_path, "consents.csv",
                     "consent_id,student,scope,granted_on,scope,expires_on,revoked_on\n"
                     "PC-1,x,social_media,2026-01-01,print,,\n")
    result = load_registry(con, {"consents": consents})
    assert where(result.problems) == [("consents.csv", 1, "B", "student"),
                                      ("consents.csv", 1, "E", "scope"),
                                      ("consents.csv", 1, None, "student_id_sha256")]
    unknown, repeated, missing = (str(p) for p in result.problems)
    assert unknown.startswith(f"{consents}:1: column B 'student': is not a column of this "
                              "file (expected: consent_id,student_id_sha256,scope,")
    assert repeated == f"{consents}:1: column E 'scope': is repeated (first in column C)"
    assert missing.startswith(f"{consents}:1: column 'student_id_sha256': is missing from "
                              "the header")
    media = write(tmp_path, "media_consents.csv", "platform,post_id\nx,1\n")
    result = load_registry(con, {"media_consents": media})
    assert where(result.problems) == [("media_consents.csv", 1, None, "consent_id")]


def test_wrong_field_counts_name_the_column(tmp_path, con):
    designees = write(tmp_path, "designees.csv",
                      "designee_id,name,email,role\n"
                      "D001,Pat Lee\n"
                      "D002,\"Lee, Pat\",plee@district.example,Comms\n"
                      "D003,Lee, Pat,plee@district.example,Comms\n")
    result = load_registry(con, {"designees": designees})
    assert where(result.problems) == [("designees.csv", 2, "C", "email"),
                                      ("designees.csv", 4, "E", None)]
    assert [str(p) for p in result.problems] == [
        f"{designees}:2: column C 'email': has no value: the row has 2 fields, the header "
        "has 4",
        f"{designees}:4: column E: is beyond the header: the row has 5 fields, the header "
        "has 4 (a value with a comma needs quotes)"]


def test_bad_dates_name_line_and_column(tmp_path, con):
    approvals = write(tmp_path, "approvals.csv",
                      "approval_id,platform,target_id,approver,approved_at,note\n"
                      "A1,x,123,D001,2026-13-01T10:00:00-06:00,\n"
                      "A2,x,124,D001,2026-03-01T10:00:00,no offset\n")
    consents = write(tmp_path, "consents.csv",
                     "consent_id,scope,granted_on,expires_on,revoked_on,student_id_sha256\n"
                     f"PC-1,print,2026-02-30,,,{sha('s')}\n"
                     f"PC-2,print,2026-08-01,,2026-07-01,{sha('t')}\n")
    result = load_registry(con, {"approvals": approvals, "consents": consents})
    assert where(result.problems) == [("approvals.csv", 2, "E", "approved_at"),
                                      ("approvals.csv", 3, "E", "approved_at"),
                                      ("consents.csv", 2, "C", "granted_on"),
                                      ("consents.csv", 3, "E", "revoked_on")]
    assert "offset" in result.problems[1].message
    assert str(result.problems[2]) == (f"{consents}:2: column C 'granted_on': is not a date "
                                       "(YYYY-MM-DD): '2026-02-30'")
    with pytest.raises(RegistryError) as err:
        load_registry(con, {"approvals": approvals}, raise_on_error=True)
    assert f"{approvals}:2: column E 'approved_at'" in str(err.value)


def test_wrong_encoding_names_line_column_and_character(tmp_path, con):
    roster = write(tmp_path, "roster.csv",
                   b"platform,student_handle_sha256,school\nx," + sha("a").encode()
                   + b",Lincoln\nx," + sha("b").encode() + b",Caf\xe9 High\n")
    result = load_registry(con, {"roster": roster})
    assert [str(p) for p in result.problems] == [
        f"{roster}:3: column C 'school': is not UTF-8: byte 0xe9 at character 4 of "
        "'Caf\ufffd High'; save the file as CSV UTF-8"]
    # a quoted value over several lines: the line of the bad byte itself
    designees = write(tmp_path, "designees.csv",
                      b'designee_id,name,email,role\nD1,Pat,p@d.example,"Comms\nand\n'
                      b'Caf\xe9"\nD2,Lee,,\n')
    result = load_registry(con, {"designees": designees})
    assert where(result.problems) == [("designees.csv", 4, "D", "role")]
    # a header that is not UTF-8 (here UTF-16, as Excel's "Unicode Text" saves it)
    utf16 = write(tmp_path, "media_consents.csv",
                  "platform,post_id,consent_id\nx,1,PC-1\n".encode("utf-16"))
    result = load_registry(con, {"media_consents": utf16})
    assert where(result.problems)[0] == ("media_consents.csv", 1, "A", None)
    assert "UTF-16" in result.problems[0].message
    assert con.execute("SELECT count(*) FROM registry.roster").fetchone()[0] == 0


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_consent_dates_ordered_and_hash_required(tmp_path, con):
    consents = write(tmp_path, "consents.csv",
                     "consent_id,student_id_sha256,scope,granted_on,expires_on,revoked_on\n"
                     f"PC-1,{sha('s')},social_media,2026-08-01,2025-01-01,\n"
                     "PC-2,Jamie Smith,social_media,2026-08-01,,\n")
    result = load_registry(con, {"consents": consents})
    assert where(result.problems) == [("consents.csv", 2, "E", "expires_on"),
                                      ("consents.csv", 3, "B", "student_id_sha256")]
    assert "never a raw" in result.problems[1].message
