"""Credentials come from the environment only and never come out again.

A simulated district is run end to end through the real clients (tweepy, facebook-sdk) with
recognizable fake tokens in the environment, platforms that answer "token expired" part-way
(X 401, Graph 190) and a page cut in half, and Python logging at DEBUG (tweepy logs its
requests). Then every place a token could land is searched for every token, raw, URL-encoded and
base64: the log lines, standard output and error of every command, every column of every table
of the warehouse and of the analyst snapshot, and the bytes of every file the workspace holds
(reports, dashboards, media, the DuckDB files themselves). The same district is also run through
Dagster's assets in-process, on an on-disk instance capturing the clients' loggers at DEBUG:
its stored events and runs, its compute logs and every file of the instance are searched too.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import duckdb
import pytest

from connectors.graph import make_graph_client
from connectors.simulated import Fault, generate_world, write_workspace
from connectors.simulated.world import META_TOKEN_ENV, X_BEARER_ENV
from pipelines.config import load_config
from tests.once import once

SEED = 17
SCALE = 0.1
ROOT = Path(__file__).resolve().parents[1]
# The CLI with every logger at DEBUG, writing to standard error.
DEBUG_CLI = r"""
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
logging.captureWarnings(True)
from pipelines.cli import main
sys.exit(main(sys.argv[1:]))
"""
FAULTS = [
    Fault("token_expired", "x", path_contains="/tweets", after_requests=2),
    Fault("token_expired", "facebook", path_contains="/comments", after_requests=1),
    Fault("malformed_page", "instagram", path_contains="/comments", after_requests=1),
]


def canary(env_name: str) -> str:
    """A token nobody could mistake (CANARY and a per-variable hex tail) shaped like the real
    ones: X bearer tokens carry URL escapes (``%2F``, ``%3D``), Meta app tokens a ``|``."""
    tail = hashlib.sha256(env_name.encode()).hexdigest()[:32]
    if env_name == X_BEARER_ENV:
        return f"AAAAXTOKEN-CANARY-{tail[:16]}%2F{tail[16:]}%3D"
    if env_name == META_TOKEN_ENV:
        return f"1234567890|EAAG-CANARY-{tail}"
    return f"EAAG-CANARY-{tail}"


def _b64_cores(value: bytes) -> set[str]:
    """Substrings of the base64 of ``value`` at any byte alignment inside a longer text."""
    out = set()
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * offset + value).decode().rstrip("=")
            start = 4 if offset else 0  # the first group mixes in the bytes before the token
            out.add(text[start:len(text) - 4])
    return out


def needles(token: str) -> set[str]:
    """The forms in which ``token`` could leak: as is, URL-encoded or decoded, base64, and each
    run of its random hex (a truncated or re-assembled token)."""
    forms = {token, quote(token, safe=""), quote_plus(token), unquote(token)}
    for form in list(forms):
        forms |= _b64_cores(form.encode()) | _b64_cores(f"Bearer {form}".encode())
    for run in re.findall(r"[0-9a-f]{12,}", token):
        forms |= {run[:12], run[-12:]}
    return forms


def find(text: str, forms: dict[str, set[str]]) -> list[str]:
    return sorted({f"{name} as {form!r}" for name, found in forms.items() for form in found
                   if form in text})


def find_bytes(data: bytes, forms: dict[str, set[str]]) -> list[str]:
    return sorted({f"{name} as {form!r}" for name, found in forms.items() for form in found
                   if form.encode() in data})


def file_contents(path: Path) -> bytes:
    """The bytes of a file; for a zip (an XLSX workbook), its members' bytes as well."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data += b"\n".join(archive.read(name) for name in archive.namelist())
    return data


def table_texts(path: Path) -> dict[str, str]:
    """Every value of every table and view of a DuckDB file, as text, per table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                                WHERE database_name = current_database()
                                UNION ALL
                                SELECT schema_name, view_name FROM duckdb_views()
                                WHERE database_name = current_database() AND NOT internal
                                ORDER BY 1, 2""").fetchall()
        out = {}
        for schema, table in tables:
            rows = con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()  # noqa: S608
            out[f"{schema}.{table}"] = "\n".join("\t".join(map(str, r)) for r in rows)
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """The district run end to end with canary tokens and token errors; what it left."""
    return once(tmp_path_factory, "secrets-district", run_district)


def run_district(folder: Path):
    world = generate_world(seed=SEED, scale=SCALE)
    config = load_config(write_workspace(world, folder / "ws", faults=FAULTS))
    tokens = {name: canary(name) for name in world.environment()}
    assert len(tokens) >= 3  # the X bearer token, the Meta token and Page tokens
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALAUDIT_")}
    env.update(tokens)
    outputs = []

    def cli(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-c", DEBUG_CLI, *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=900)
        outputs.append((" ".join(args[:2]), proc))
        return proc

    run = cli("run", "--config", str(config.path), "--job", "all")
    # capture errors: exit 1, and the run went on to the end
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert config.snapshot_path.exists()
    cli("findings", "--config", str(config.path), "--status", "all", "--format", "json")
    cli("sql", "SELECT * FROM raw.fetch_log", "--config", str(config.path), "--format", "csv")
    return config, tokens, outputs


@pytest.mark.parametrize("env_name", [X_BEARER_ENV, META_TOKEN_ENV, "SOCIALAUDIT_META_PAGE_X"])
def test_the_search_finds_every_form_of_a_token(env_name):
    token = canary(env_name)
    forms = {"token": needles(token)}
    prefix = "GET /2/users?x=1&"
    for leaked in (token, quote(token, safe=""), quote_plus(token), unquote(token),
                   token[:token.index("CANARY-") + 19] + "...",  # a truncated token
                   base64.b64encode(f"user:{token}".encode()).decode(),
                   base64.b64encode(f"Authorization: Bearer {token}".encode()).decode(),
                   base64.urlsafe_b64encode(f"{unquote(token)}".encode()).decode()):
        assert find(prefix + leaked + " end", forms), leaked
        assert find_bytes(b"\x00\x17" + leaked.encode() + b"\xff", forms), leaked
    assert find("nothing to see: EAAG-CANARY- and a [REDACTED] token", forms) == []


def test_the_run_met_token_errors_and_used_the_environment_tokens(district):
    config, _, outputs = district
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        failed = con.execute("SELECT DISTINCT source FROM raw.fetch_log "
                             "WHERE status = 'auth_error'").fetchall()
        items = con.execute("SELECT count(*) FROM core.items").fetchone()[0]
        quarantined = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
    finally:
        con.close()
    assert {s for (s,) in failed} >= {"x", "facebook"}
    assert items > 50 and quarantined >= 1  # the simulator accepted the canaries
    debug = "\n".join(p.stderr for _, p in outputs)
    assert " DEBUG " in debug and "tweepy" in debug  # the clients' debug lines were captured
    run_output = " ".join(outputs[0][1].stdout.split())  # as printed, lines unwrapped
    assert "X token expired or invalid" in run_output  # the errors were reported, with...
    assert "token expired or invalid (Graph code 190" in run_output  # ...their platform codes


def test_no_token_in_output_or_logs(district):
    _, tokens, outputs = district
    forms = {name: needles(value) for name, value in tokens.items()}
    leaks = {f"{cmd} {stream}": find(getattr(proc, stream), forms)
             for cmd, proc in outputs for stream in ("stdout", "stderr")}
    assert {k: v for k, v in leaks.items() if v} == {}


@pytest.mark.parametrize("which", ["warehouse", "snapshot"])
def test_no_token_in_any_table(district, which):
    config, tokens, _ = district
    path = config.warehouse_path if which == "warehouse" else config.snapshot_path
    forms = {name: needles(value) for name, value in tokens.items()}
    texts = table_texts(path)
    assert texts["raw.fetch_log"] and texts["core.items"]
    leaks = {table: found for table, text in texts.items() if (found := find(text, forms))}
    assert leaks == {}


def test_no_token_in_any_file_of_the_workspace(district):
    """Reports (inside the XLSX too), dashboards, media, registry, the config, and the DuckDB
    files' bytes."""
    config, tokens, _ = district
    forms = {name: needles(value) for name, value in tokens.items()}
    files = [p for p in config.root.rglob("*") if p.is_file()]
    assert config.snapshot_path in files and config.warehouse_path in files
    leaks = {str(p.relative_to(config.root)): found for p in files
             if (found := find_bytes(file_contents(p), forms))}
    assert leaks == {}
    # what the office reads names the problem without the credential
    con = duckdb.connect(str(config.snapshot_path), read_only=True)
    try:
        messages = [m for (m,) in con.execute("SELECT message FROM raw.fetch_log "
                                              "WHERE status = 'auth_error'").fetchall()]
    finally:
        con.close()
    assert messages and all("token" in m.lower() for m in messages)


class _GraphLike(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = b'{"id": "me"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_http_library_debug_lines_do_not_carry_the_graph_token(caplog):
    """Live runs go through urllib3, which logs every request URL at DEBUG, and Graph API puts
    the token in the URL. A real request over loopback through the Graph client's session."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GraphLike)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = canary("SOCIALAUDIT_META_PAGE_LIVE")
    try:
        graph, _ = make_graph_client(token)
        graph.session.trust_env = False  # straight to loopback, whatever the proxy settings
        caplog.set_level(logging.DEBUG)
        url = f"http://127.0.0.1:{server.server_port}/v25.0/me"
        answer = graph.session.get(url, params={"access_token": token, "fields": "id"})
    finally:
        server.shutdown()
        server.server_close()
    assert answer.json() == {"id": "me"}
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    assert any("/v25.0/me?" in line for line in lines)  # urllib3 did log the request line
    assert find("\n".join(lines), {"token": needles(token)}) == []
    assert "access_token=[REDACTED]" in "\n".join(lines)


# --- the same run through Dagster ---------------------------------------------------------------

# The instance captures the clients' loggers at DEBUG into its event log, as a deployment that
# wants to see them would configure ``dagster.yaml``.
DAGSTER_DEBUG_LOGS = {"python_logs": {
    "python_log_level": "DEBUG",
    "managed_python_loggers": ["tweepy", "urllib3", "requests", "facebook", "connectors",
                               "pipelines", "warehouse", "checks"],
}}


@pytest.fixture(scope="module")
def dagster_district(tmp_path_factory):
    """The district's assets materialized in-process on a real (temporary, on-disk) Dagster
    instance, with canary tokens in the environment wired as the code location wires them
    (``default_resources``: ``EnvVar``), and the same token errors. What the instance stored
    (every event of every run, the runs themselves, the compute logs) and what the run left."""
    return once(tmp_path_factory, "secrets-dagster-district", materialize_district)


def materialize_district(folder: Path):
    from dagster import DagsterInstance, materialize, serialize_value

    from dashboards.weeks import week_of
    from pipelines import definitions, stages
    from pipelines.resources import CONFIG_ENV, default_resources

    world = generate_world(seed=SEED, scale=SCALE)
    config = load_config(write_workspace(world, folder / "ws", faults=FAULTS))
    tokens = {name: canary(name) for name in world.environment()}
    home = folder / "dagster_home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as env:
        for name, value in tokens.items():
            env.setenv(name, value)
        env.setenv(CONFIG_ENV, str(config.path))
        resources = default_resources()
        with DagsterInstance.local_temp(str(home), overrides=DAGSTER_DEBUG_LOGS) as instance:
            result = materialize(definitions.ALL_ASSETS, resources=resources, instance=instance)
            week = week_of(stages.report_clock(config), config.timezone)
            reports = materialize(definitions.REPORT_ASSETS, resources=resources,
                                  instance=instance, partition_key=week.monday.isoformat())
            assert result.success and reports.success
            runs = instance.get_runs()
            events = [e for run in runs for e in instance.all_logs(run.run_id)]
            stored = [serialize_value(run) for run in runs] + [serialize_value(e) for e in events]
    return config, tokens, events, stored, home


def test_dagster_run_met_token_errors_and_captured_the_clients_debug_lines(dagster_district):
    config, _, events, _, home = dagster_district
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        failed = con.execute("SELECT DISTINCT source FROM raw.fetch_log "
                             "WHERE status = 'auth_error'").fetchall()
        items = con.execute("SELECT count(*) FROM core.items").fetchone()[0]
    finally:
        con.close()
    assert {s for (s,) in failed} >= {"x", "facebook"} and items > 50
    messages = [e.user_message or "" for e in events]
    warnings = [m for e, m in zip(events, messages, strict=True) if e.level == logging.WARNING]
    assert any(m.startswith("x:") and "auth_error" in m for m in warnings), warnings
    assert any(m.startswith("facebook:") and "auth_error" in m for m in warnings), warnings
    # the search below reads what a deployment at DEBUG would keep: the clients' own lines
    assert any(m.startswith("Making API request: GET https://api.twitter.com") for m in messages)
    assert any("Authorization" in m for m in messages)  # request headers are logged
    compute_logs = [p for p in home.rglob("compute_logs/*") if p.stat().st_size]
    assert compute_logs and config.snapshot_path.exists()


def test_no_token_in_dagster_events_runs_compute_logs_or_instance_files(dagster_district):
    _, tokens, _, stored, home = dagster_district
    forms = {name: needles(value) for name, value in tokens.items()}
    leaks = {f"stored record {i}": found for i, text in enumerate(stored)
             if (found := find(text, forms))}
    files = [p for p in home.rglob("*") if p.is_file()]  # SQLite storages, compute logs
    assert any(p.suffix == ".db" for p in files) and any(p.suffix == ".err" for p in files)
    leaks |= {str(p.relative_to(home)): found for p in files
              if (found := find_bytes(p.read_bytes(), forms))}
    assert leaks == {}


@pytest.mark.parametrize("which", ["warehouse", "snapshot"])
def test_no_token_in_any_table_after_the_dagster_run(dagster_district, which):
    config, tokens, _, _, _ = dagster_district
    path = config.warehouse_path if which == "warehouse" else config.snapshot_path
    forms = {name: needles(value) for name, value in tokens.items()}
    texts = table_texts(path)
    assert texts["raw.fetch_log"] and texts["core.items"]
    assert {t: found for t, text in texts.items() if (found := find(text, forms))} == {}
    files = [p for p in config.root.rglob("*") if p.is_file()]  # reports, media, DuckDB files
    assert any(p.suffix == ".xlsx" for p in files)
    assert {str(p): found for p in files if (found := find_bytes(file_contents(p), forms))} == {}
