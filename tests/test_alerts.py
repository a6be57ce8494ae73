"""Alerts reach real servers on loopback: SMTP with STARTTLS and AUTH (aiosmtpd), and Slack,
Teams and generic webhooks (an http.server receiver). Hostile comment text is neutralised in each
channel; each finding and capture-health incident is sent once per channel; a failed channel is
retried on the next run and its error never shows the webhook URL or a password."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dashboards.alerts import send_alerts
from dashboards.alerts.compose import (
    plain,
    render_html,
    render_text,
    safe_link,
    slack_escape,
)
from pipelines.cli import main
from pipelines.config import ConfigError, load_config
from warehouse import db

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
HOSTILE = ('I will hurt you <!channel> @here @everyone <script>alert("x")</script> '
           '[click](https://evil.example) <at>Principal</at> <https://evil.example|safe> '
           '& *bold*')
SLACK_PATH = "/services/T000/B000/SECRETslackTOKEN123"
TEAMS_PATH = "/workflows/abc/triggers/manual/paths/invoke?sig=SECRETteamsSIG456"
HOOK_PATH = "/hooks/SECRETgenericTOKEN789"
SMTP_USER = "alerts@district.example"
SMTP_PASSWORD = "s3cret-Pa55word"


# --- loopback servers ----------------------------------------------------------------------------


class Receiver:
    """An HTTP server on loopback that records JSON posts; some paths can be made to fail."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.times: list[int] = []  # time.time_ns() of each recorded post
        self.failing: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path in receiver.failing:
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"internal error handling " + self.path.encode())
                    return
                assert self.headers["Content-Type"].startswith("application/json")
                receiver.posts.append((self.path, json.loads(body)))
                receiver.times.append(time.time_ns())
                self.send_response(202 if "workflows" in self.path else 200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for p, body in self.posts if p == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "socialaudit test relay")])
    start = datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(__import__("ipaddress").ip_address(
                "127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "relay-cert.pem", folder / "relay-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    """aiosmtpd handler: keeps each message with whether TLS and AUTH were in force."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "content": envelope.content, "tls": session.ssl is not None,
                              "authenticated": session.authenticated})
        return "250 Message accepted"


@pytest.fixture
def smtp_server(tmp_path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == SMTP_USER.encode()
              and auth_data.password == SMTP_PASSWORD.encode())
        return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535

    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, auth_required=True,
                            authenticator=authenticator)
    controller.start()
    try:
        yield inbox, port, cert
    finally:
        controller.stop()


# --- a workspace with findings and capture history ----------------------------------------------

ACCOUNTS = [
    ("facebook:100", "facebook", "100", "lincolnhs", "official", "Lincoln High",
     "SOCIALAUDIT_META_TOKEN_LINCOLN"),
    ("x:200", "x", "200", "ntc_district", "official", None, None),
    ("instagram:300", "instagram", "300", "msgarcia_class", "teacher_page", "Lincoln High", None),
]
ITEMS = [  # item_id, kind, account, parent/root, text, permalink
    ("facebook:100_1", "post", "facebook:100", None, "Homecoming game Friday!",
     "https://www.facebook.com/100/posts/1"),
    ("facebook:100_1_9", "comment", "facebook:100", "facebook:100_1", HOSTILE, None),
    ("x:55", "post", "x:200", None, "Congrats to our robotics champion!", "javascript:alert(1)"),
    ("instagram:77", "post", "instagram:300", None, "My weekend fishing trip",
     "https://www.instagram.com/p/abc/"),
    ("x:56", "post", "x:200", None, "Jordan's locker combo is 12-34-56",
     "https://x.com/ntc_district/status/56"),
]
CLAUSE = ("NTC-4", "Comments", "The district may remove comments that threaten violence.")


def add_finding(con, finding_id: str, rule: str, kind: str, severity: str, item_id: str,
                evidence: dict[str, Any], *, status: str = "open",
                first_seen: datetime = NOW - timedelta(hours=1)) -> None:
    con.execute("""
        INSERT INTO audit.findings
        SELECT ?, ?, ?, ?, i.platform, i.account_id, a.school, i.item_id, i.item_id, i.permalink,
               i.created_at, sha256(i.text), ?::JSON, 'test-pack', ?, ?, ?, ?, ?, ?, 'run-1'
        FROM core.items i LEFT JOIN registry.accounts a ON a.account_key = i.account_id
        WHERE i.item_id = ?
    """, [finding_id, rule, kind, severity, json.dumps(evidence), *CLAUSE, status, first_seen,
          first_seen, item_id])


def log_fetch(con, account: str, status: str, when: datetime, *, code: str | None = None,
              message: str | None = None) -> None:
    con.execute("INSERT INTO raw.fetch_log VALUES ('run', ?, ?, NULL, ?, ?, ?, 1, ?)",
                [account.split(":")[0], account, status, code, message, when])


def seed(con) -> None:
    for key, platform, native, handle, kind, school, token_env in ACCOUNTS:
        con.execute("INSERT INTO registry.accounts VALUES (?, ?, ?, ?, ?, ?, 'comms', ['d1'], "
                    "?, ?, ?)", [key, platform, native, handle, kind, school, handle, token_env,
                                 NOW])
    for item_id, kind, account, root, text, link in ITEMS:
        con.execute("""
            INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                account_id, author_is_district, parent_item_id, thread_root_id, created_at, text,
                permalink, first_seen_at, last_seen_at, content_fetched_at, last_page_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
        """, [item_id, item_id.split(":")[0], kind, item_id, item_id, account, kind == "post",
              root, root or item_id, NOW - timedelta(hours=2), text, link, NOW, NOW, NOW])
    add_finding(con, "f-threat", "removable_comment", "threat_violence", "critical",
                "facebook:100_1_9", {"detector": "comment", "ground": "threat_violence",
                                     "score": 0.97, "reasons": ["threat: hurt you"],
                                     "state": "visible"})
    add_finding(con, "f-photo", "student_media_without_consent", "single_student", "critical",
                "x:55", {"faces": 1, "media_ids": ["x:m1"], "single_person_photos": 1,
                         "consents": [{"consent_id": "NTC-2026-001", "state": "revoked"}]})
    add_finding(con, "f-teacher", "teacher_page_non_school", "non_school", "high",
                "instagram:77", {"detector": "teacher-content", "score": 0.88})
    add_finding(con, "f-conf", "confidential_disclosure", "credentials", "high", "x:56",
                {"detector": "confidential", "kinds": ["credentials"], "score": 0.9,
                 "reasons": ["credentials: 12-34-56"]})
    add_finding(con, "f-medium", "unapproved_controversial_reply", "no_approval", "medium",
                "facebook:100_1", {"thread": "facebook:100_1"})
    add_finding(con, "f-low", "media_attention", "spike", "low", "facebook:100_1",
                {"ratio": 4.2})
    add_finding(con, "f-cleared", "removable_comment", "threat_violence", "critical",
                "facebook:100_1", {"ground": "threat_violence"}, status="cleared")
    log_fetch(con, "x:200", "ok", NOW - timedelta(hours=2))
    log_fetch(con, "facebook:100", "ok", NOW - timedelta(hours=50))
    for hours in (3, 1):
        log_fetch(con, "facebook:100", "auth_error", NOW - timedelta(hours=hours), code="190",
                  message="Error validating access token: Session has expired "
                  "access_token=EAABsecretTOKEN")
    log_fetch(con, "instagram:300", "ok", NOW - timedelta(hours=30))


def workspace(folder: Path, channels: str) -> tuple[Any, Any]:
    """A workspace config with ``channels`` and a seeded warehouse; (config, connection)."""
    (folder / "socialaudit.toml").write_text(f"""
[district]
name = "Northwest Technology Center"
timezone = "America/Chicago"
policy_pack = "northwest-technology-center"

[registry]
accounts = "registry/accounts.csv"

[capture]
max_age_hours = 26

{channels}
""", encoding="utf-8")
    config = load_config(folder)
    con = db.connect(config.warehouse_path)
    seed(con)
    return config, con


def webhook_channels(receiver: Receiver, monkeypatch, **flags: str) -> str:
    monkeypatch.setenv("SOCIALAUDIT_SLACK_URL", receiver.url(SLACK_PATH))
    monkeypatch.setenv("SOCIALAUDIT_TEAMS_URL", receiver.url(TEAMS_PATH))
    monkeypatch.setenv("SOCIALAUDIT_HOOK_URL", receiver.url(HOOK_PATH))
    extra = "\n".join(f"{k} = {v}" for k, v in flags.items())
    return "\n".join(f"""
[[alerts.channels]]
name = "{name}"
kind = "{kind}"
url_env = "{env}"
{extra}
""" for name, kind, env in (("comms-slack", "slack", "SOCIALAUDIT_SLACK_URL"),
                            ("comms-teams", "teams", "SOCIALAUDIT_TEAMS_URL"),
                            ("siem", "webhook", "SOCIALAUDIT_HOOK_URL")))


def sent_rows(con, channel: str) -> set[str]:
    rows = con.execute("SELECT alert_key FROM audit.alerts_sent WHERE channel = ?", [channel])
    return {r[0] for r in rows.fetchall()}


def walk(node: Any):
    """Every dict inside a JSON value."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# --- config --------------------------------------------------------------------------------------


def test_alert_channels_config_is_parsed_and_checked(tmp_path):
    def load(channels: str):
        (tmp_path / "socialaudit.toml").write_text(
            '[district]\nname = "D"\n[registry]\naccounts = "a.csv"\n' + channels)
        return load_config(tmp_path)

    (tmp_path / "relay.pem").write_text("not checked here")
    config = load("""
[[alerts.channels]]
name = "office-mail"
kind = "email"
smtp_host = "smtp.district.example"
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"
from = "socialaudit@district.example"
to = ["comms@district.example", "super@district.example"]
digest = true
min_severity = "medium"
tls_ca_file = "relay.pem"

[[alerts.channels]]
name = "teams"
kind = "teams"
url_env = "TEAMS_URL"
format = "messagecard"
immediate = false
""")
    mail, teams = config.alert_channels
    assert (mail.kind, mail.smtp_port, mail.starttls, mail.digest, mail.min_severity) == (
        "email", 587, True, True, "medium")
    assert mail.to == ("comms@district.example", "super@district.example")
    assert mail.tls_ca_file == tmp_path / "relay.pem"
    assert (teams.teams_format, teams.immediate, teams.health, teams.url_env) == (
        "messagecard", False, True, "TEAMS_URL")

    bad = {
        'name = "s"\nkind = "sms"\nurl_env = "U"': "kind must be one of",
        'name = "s"\nkind = "slack"\nurl = "https://hooks.slack.com/services/X"':
            "is a secret",
        'name = "s"\nkind = "slack"': "missing 'url_env'",
        'name = "s"\nkind = "slack"\nurl_env = "https://hooks.slack.com/x"':
            "NAME of an environment variable",
        'name = "s"\nkind = "slack"\nurl_env = "U"\nmin_severty = "high"': "unknown keys",
        'name = "s"\nkind = "slack"\nurl_env = "U"\nmin_severity = "urgent"': "min_severity",
        'name = "m"\nkind = "email"\nsmtp_host = "h"\nfrom = "a@b.c"\nto = "c@d.e"\n'
        'starttls = false\nusername_env = "U"\npassword_env = "P"': "never sent in clear",
        'name = "m"\nkind = "email"\nsmtp_host = "h"\nfrom = "a@b.c"\nto = []': "'to'",
        'name = "m"\nkind = "email"\nfrom = "a@b.c"\nto = "c@d.e"': "missing 'smtp_host'",
        'name = "s"\nkind = "slack"\nurl_env = "U"\ntls_ca_file = "none.pem"': "no such file",
    }
    for table, expected in bad.items():
        with pytest.raises(ConfigError) as caught:
            load(f"[[alerts.channels]]\n{table}\n")
        assert str(tmp_path / "socialaudit.toml") in str(caught.value)
        assert "alerts.channels" in str(caught.value) and expected in str(caught.value)
        assert "hooks.slack.com" not in str(caught.value)
    with pytest.raises(ConfigError, match="used by another channel"):
        load('[[alerts.channels]]\nname = "s"\nkind = "slack"\nurl_env = "U"\n' * 2)


LOOK_ALIKES = ("https://evil.example/phish", "https://x.com.evil.example/",
               "https://facebook.com@evil.example/", "https://www.instagram.com.evil.example/p/1",
               "https://evilfacebook.com/1", "https://x.com:8443/status/1")


def test_links_and_slack_text_are_neutralised():
    assert safe_link("https://www.facebook.com/100/posts/1") == (
        "https://www.facebook.com/100/posts/1")
    for bad in ("javascript:alert(1)", "http://x.com/a", "https://x.com/a|b>c", None, "",
                *LOOK_ALIKES):
        assert safe_link(bad) is None, bad
    # a '|' would end the URL in Slack's <url|label>: it is percent-encoded, the host kept
    assert safe_link("https://x.com/a|b") == "https://x.com/a%7Cb"
    assert slack_escape("<!channel> @here a&b") == "&lt;!channel&gt; @\u200bhere a&amp;b"
    assert plain("a\u202eb\n\n c", 10) == "a b c"


# --- email ---------------------------------------------------------------------------------------


def email_channel(port: int, ca: str | None, **extra: str) -> str:
    lines = "\n".join(f"{k} = {v}" for k, v in extra.items())
    return f"""
[[alerts.channels]]
name = "office-mail"
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
starttls = true
username_env = "ALERT_SMTP_USER"
password_env = "ALERT_SMTP_PASSWORD"
from = "socialaudit@district.example"
to = ["comms@district.example"]
health = false
{f'tls_ca_file = "{ca}"' if ca else ""}
{lines}
"""


def test_email_arrives_over_starttls_with_auth_and_escaped_html(tmp_path, smtp_server,
                                                               monkeypatch):
    inbox, port, cert = smtp_server
    monkeypatch.setenv("ALERT_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("ALERT_SMTP_PASSWORD", SMTP_PASSWORD)
    config, con = workspace(tmp_path, email_channel(port, cert.name))
    report = send_alerts(con, config, now=NOW)
    assert report.ok, [o.describe() for o in report.outcomes]
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["tls"] and received["authenticated"]
    assert received["to"] == ["comms@district.example"]
    mail = email.message_from_bytes(received["content"], policy=email.policy.default)
    assert "2 critical findings" in mail["Subject"]
    html_part = mail.get_body(("html",)).get_content()
    text_part = mail.get_body(("plain",)).get_content()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_part
    assert "<script>" not in html_part and "<at>" not in html_part
    assert 'href="https://www.facebook.com/100/posts/1"' in html_part  # the thread's post
    assert "javascript:" not in html_part and "javascript:" not in text_part
    assert HOSTILE in text_part  # plain text is plain
    assert "NTC-4 (Comments)" in text_part and "threat_violence" in text_part
    assert "consents NTC-2026-001 (revoked)" in text_part
    assert sent_rows(con, "office-mail") == {"f-threat", "f-photo"}
    # nothing new: nothing sent
    assert send_alerts(con, config, now=NOW).outcomes == []
    assert len(inbox.messages) == 1


def test_email_tls_is_verified_and_errors_hide_the_password(tmp_path, smtp_server, monkeypatch):
    inbox, port, cert = smtp_server
    monkeypatch.setenv("ALERT_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("ALERT_SMTP_PASSWORD", SMTP_PASSWORD)
    # without the relay's CA the self-signed certificate is refused: verification is on
    config, con = workspace(tmp_path, email_channel(port, None))
    report = send_alerts(con, config, now=NOW)
    (failure,) = report.failed
    assert "certificate verify failed" in failure.error.lower()
    assert inbox.messages == [] and sent_rows(con, "office-mail") == set()
    con.close()

    monkeypatch.setenv("ALERT_SMTP_PASSWORD", "wrong-" + SMTP_PASSWORD)
    (tmp_path / "warehouse.duckdb").unlink()
    config, con = workspace(tmp_path, email_channel(port, cert.name))
    (failure,) = send_alerts(con, config, now=NOW).failed
    assert "535" in failure.error and SMTP_PASSWORD not in failure.error
    logged = con.execute("SELECT status, error FROM audit.alert_log").fetchall()
    assert logged == [("failed", failure.error)]
    assert inbox.messages == [] and sent_rows(con, "office-mail") == set()


# --- webhooks ------------------------------------------------------------------------------------


def test_slack_teams_and_webhook_get_neutralised_critical_alerts(tmp_path, receiver,
                                                                monkeypatch):
    config, con = workspace(tmp_path, webhook_channels(receiver, monkeypatch, health="false"))
    report = send_alerts(con, config, now=NOW)
    assert report.ok and len(report.sent) == 3

    (slack,) = receiver.bodies(SLACK_PATH)
    raw = json.dumps(slack, ensure_ascii=False)
    assert "2 critical findings" in slack["text"]
    for dangerous in ("<!channel>", "<script>", "@here", "@everyone", "<https://evil",
                      "javascript:"):
        assert dangerous not in raw
    assert "&lt;!channel&gt;" in raw and "&lt;script&gt;" in raw and "@\u200bhere" in raw
    sections = [b["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert all(s["type"] == "mrkdwn" and s["verbatim"] for s in sections)
    threat = next(s["text"] for s in sections if "threat_violence" in s["text"])
    assert "<https://www.facebook.com/100/posts/1|Open the post>" in threat
    assert "*School:* Lincoln High" in threat and "facebook:100 (@lincolnhs)" in threat
    photo = next(s["text"] for s in sections if "single_student" in s["text"])
    assert "Open the post" not in photo  # its only link was javascript:

    (teams,) = receiver.bodies(TEAMS_PATH)
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    nodes = list(walk(card))
    assert not [n for n in nodes if n.get("type") == "TextBlock"]  # markdown-parsed: unused
    assert not any("entities" in n for n in nodes)  # no <at> mentions can resolve
    runs = [n["text"] for n in nodes if n.get("type") == "TextRun"]
    assert plain(HOSTILE) in runs  # literal text in a TextRun, shown as is
    opens = [n["selectAction"]["url"] for n in nodes if "selectAction" in n]
    assert opens == ["https://www.facebook.com/100/posts/1"]

    (hook,) = receiver.bodies(HOOK_PATH)
    assert hook["kind"] == "critical" and hook["source"] == "socialaudit"
    by_id = {f["finding_id"]: f for f in hook["findings"]}
    assert set(by_id) == {"f-threat", "f-photo"}  # not the cleared one, not high/medium/low
    threat = by_id["f-threat"]
    assert threat["excerpt"] == HOSTILE  # data, not markup: the receiver escapes when showing
    assert threat["link"] == "https://www.facebook.com/100/posts/1"
    assert threat["clause"] == dict(zip(("id", "section", "quote"), CLAUSE, strict=True))
    assert threat["school"] == "Lincoln High" and threat["account_handle"] == "lincolnhs"
    assert "ground threat_violence" in threat["evidence"]
    assert by_id["f-photo"]["link"] is None


def test_alert_links_only_go_to_the_platforms(tmp_path, receiver, monkeypatch):
    """Permalinks can come from editable export files: a look-alike host never becomes a link
    in email, Slack, Teams or the webhook (the threat falls back to no link at all)."""
    config, con = workspace(tmp_path, webhook_channels(receiver, monkeypatch, health="false"))
    con.execute("UPDATE audit.findings SET permalink = 'https://facebook.com@evil.example/' "
                "WHERE finding_id = 'f-threat'")
    con.execute("UPDATE audit.findings SET permalink = 'https://x.com.evil.example/status/55' "
                "WHERE finding_id = 'f-photo'")
    report = send_alerts(con, config, now=NOW)
    assert report.ok and len(report.sent) == 3
    (hook,) = receiver.bodies(HOOK_PATH)
    assert {f["finding_id"]: f["link"] for f in hook["findings"]} == {
        "f-threat": None, "f-photo": None}
    (slack,) = receiver.bodies(SLACK_PATH)
    (teams,) = receiver.bodies(TEAMS_PATH)
    assert "Open the post" not in json.dumps(slack)
    assert [n for n in walk(teams) if "selectAction" in n] == []
    message = report.messages[0][1]
    assert {f.finding_id for f in message.findings} == {"f-threat", "f-photo"}
    for rendered in (render_html(message), render_text(message), json.dumps(slack),
                     json.dumps(teams), json.dumps(hook)):
        assert "x.com.evil.example" not in rendered and "facebook.com@evil" not in rendered
    assert "<a href" not in render_html(message)


def test_teams_messagecard_escapes_markdown_and_html(tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("SOCIALAUDIT_TEAMS_URL", receiver.url(TEAMS_PATH))
    config, con = workspace(tmp_path, """
[[alerts.channels]]
name = "legacy-teams"
kind = "teams"
format = "messagecard"
url_env = "SOCIALAUDIT_TEAMS_URL"
health = false
""")
    assert send_alerts(con, config, now=NOW).ok
    (card,) = receiver.bodies(TEAMS_PATH)
    assert card["@type"] == "MessageCard" and "2 critical findings" in card["summary"]
    raw = json.dumps(card, ensure_ascii=False)
    for dangerous in ("<script>", "[click](", "<at>", "*bold*"):
        assert dangerous not in raw
    facts = {f["name"]: f["value"] for section in card["sections"]
             for f in section.get("facts", [])}
    assert facts["Text"].startswith("I will hurt you &lt;\\!channel&gt;")
    assert "\\[click\\]\\(https://evil.example\\)" in facts["Text"]
    uris = [t["uri"] for section in card["sections"] for a in section.get("potentialAction", [])
            for t in a["targets"]]
    assert uris == ["https://www.facebook.com/100/posts/1"]


def test_second_run_sends_nothing_and_failed_channel_is_retried(tmp_path, receiver,
                                                               monkeypatch):
    config, con = workspace(tmp_path, webhook_channels(receiver, monkeypatch))
    receiver.failing.add(SLACK_PATH)
    first = send_alerts(con, config, now=NOW)
    assert {(o.channel, o.kind) for o in first.failed} == {("comms-slack", "critical"),
                                                           ("comms-slack", "health")}
    failure = first.failed[0]
    assert "HTTP 500" in failure.error and "SOCIALAUDIT_SLACK_URL" in failure.error
    for secret in ("SECRETslackTOKEN123", SLACK_PATH, str(receiver.server.server_address[1])):
        assert secret not in failure.error
    assert sent_rows(con, "comms-slack") == set()
    assert "SECRET" not in str(con.execute("SELECT * FROM audit.alert_log").fetchall())
    assert len(receiver.bodies(TEAMS_PATH)) == 2  # critical + capture health
    posts_after_first = len(receiver.posts)

    receiver.failing.clear()
    second = send_alerts(con, config, now=NOW + timedelta(minutes=5))
    assert second.ok
    assert {(o.channel, o.kind) for o in second.sent} == {("comms-slack", "critical"),
                                                          ("comms-slack", "health")}
    assert len(receiver.posts) == posts_after_first + 2
    assert sent_rows(con, "comms-slack") == sent_rows(con, "comms-teams")

    third = send_alerts(con, config, now=NOW + timedelta(minutes=10))
    assert third.outcomes == [] and len(receiver.posts) == posts_after_first + 2

    # an unreachable webhook and a missing variable: safe errors, nothing recorded
    monkeypatch.setenv("SOCIALAUDIT_SLACK_URL", f"http://127.0.0.1:{free_port()}{SLACK_PATH}")
    monkeypatch.delenv("SOCIALAUDIT_TEAMS_URL")
    monkeypatch.setenv("SOCIALAUDIT_HOOK_URL", "http://hooks.example.net/SECRETplainHTTP")
    add_finding(con, "f-new", "removable_comment", "threat_violence", "critical",
                "facebook:100_1_9", {"ground": "threat_violence"})
    errors = {o.channel: o.error for o in send_alerts(con, config, now=NOW).failed}
    assert "could not reach the webhook in SOCIALAUDIT_SLACK_URL" in errors["comms-slack"]
    assert "set the environment variable SOCIALAUDIT_TEAMS_URL" in errors["comms-teams"]
    assert "must be https" in errors["siem"]
    assert "SECRET" not in str(errors)
    assert "f-new" not in sent_rows(con, "comms-slack") | sent_rows(con, "siem")


def test_capture_health_alerts_expired_token_and_stale_account_once(tmp_path, receiver,
                                                                   monkeypatch):
    config, con = workspace(tmp_path, webhook_channels(receiver, monkeypatch,
                                                       immediate="false"))
    assert send_alerts(con, config, now=NOW).ok
    (hook,) = receiver.bodies(HOOK_PATH)
    assert hook["kind"] == "health"
    problems = {h["account_id"]: h for h in hook["capture_health"]}
    assert set(problems) == {"facebook:100", "instagram:300"}  # x:200 is fresh
    token = problems["facebook:100"]
    assert token["problem"] == "auth_error" and token["token_env"] == (
        "SOCIALAUDIT_META_TOKEN_LINCOLN")
    assert "Session has expired" in token["detail"] and "EAABsecretTOKEN" not in token["detail"]
    assert token["since"].startswith("2026-11-18T06:00:00-06:00")  # first error, district time
    assert problems["instagram:300"]["problem"] == "stale"
    (slack,) = receiver.bodies(SLACK_PATH)
    assert "renew the token in SOCIALAUDIT_META_TOKEN_LINCOLN" in json.dumps(slack)

    # the same incidents are not alerted again, even hours later
    assert send_alerts(con, config, now=NOW + timedelta(hours=5)).outcomes == []
    # the token is renewed, then expires again: a new incident; instagram captured again
    log_fetch(con, "facebook:100", "ok", NOW + timedelta(hours=6))
    log_fetch(con, "instagram:300", "ok", NOW + timedelta(hours=6))
    assert send_alerts(con, config, now=NOW + timedelta(hours=7)).outcomes == []
    log_fetch(con, "facebook:100", "auth_error", NOW + timedelta(hours=8), code="190",
              message="expired")
    send_alerts(con, config, now=NOW + timedelta(hours=9))
    latest = receiver.bodies(HOOK_PATH)[-1]
    assert [h["account_id"] for h in latest["capture_health"]] == ["facebook:100"]


def test_an_account_never_captured_is_alerted_once_when_overdue(tmp_path, receiver,
                                                              monkeypatch):
    """A registered account with no capture at all (no fetch_log row: its platform is off, the
    run stopped before it) is stale once the allowed age has passed since it was registered,
    i.e. since the accounts registry was first loaded (each load rewrites ``loaded_at``)."""
    config, con = workspace(tmp_path, webhook_channels(receiver, monkeypatch,
                                                       immediate="false"))
    first_load = NOW - timedelta(hours=10)
    con.execute("INSERT INTO registry.loads VALUES ('accounts.csv', 'registry.accounts', "
                "'aa', 4, ?)", [first_load])
    con.execute("INSERT INTO registry.accounts VALUES ('facebook:400', 'facebook', '400', "
                "'adams_ms', 'official', 'Adams MS', 'comms', ['d1'], 'Adams', NULL, ?)",
                [first_load])

    def health_for(account: str) -> list[dict[str, Any]]:
        return [h for body in receiver.bodies(HOOK_PATH) for h in body["capture_health"]
                if h["account_id"] == account]

    assert send_alerts(con, config, now=NOW).ok  # 10 h after registration: not overdue yet
    assert health_for("facebook:400") == [] and len(receiver.bodies(HOOK_PATH)) == 1
    # registry reloads (every run) rewrite loaded_at: the wait still counts from the first load
    reload = NOW + timedelta(hours=15)
    con.execute("INSERT INTO registry.loads VALUES ('accounts.csv', 'registry.accounts', "
                "'aa', 4, ?)", [reload])
    con.execute("UPDATE registry.accounts SET loaded_at = ?", [reload])
    log_fetch(con, "x:200", "ok", reload)
    assert send_alerts(con, config, now=NOW + timedelta(hours=17)).ok  # 27 h > 26 h
    (alert,) = health_for("facebook:400")
    assert alert["problem"] == "stale" and alert["since"] is None
    assert alert["summary"] == "facebook:400 (@adams_ms): never captured"
    assert alert["detail"].startswith("never captured: expected since 2026-11-17 23:00 CST")
    (slack,) = [b for b in receiver.bodies(SLACK_PATH) if "adams_ms" in json.dumps(b)]
    assert "never captured" in json.dumps(slack)
    # once per incident: later runs do not repeat it
    assert send_alerts(con, config, now=NOW + timedelta(hours=20)).outcomes == []
    assert len(health_for("facebook:400")) == 1
    # captured at last, then overdue again: a new incident, told as "not captured since"
    log_fetch(con, "facebook:400", "ok", NOW + timedelta(hours=21))
    log_fetch(con, "x:200", "ok", NOW + timedelta(hours=40))
    assert send_alerts(con, config, now=NOW + timedelta(hours=40)).outcomes == []
    send_alerts(con, config, now=NOW + timedelta(hours=48))
    first, second = health_for("facebook:400")
    assert second["since"].startswith("2026-11-19T06:00:00-06:00")
    assert "not captured since 2026-11-19 06:00 CST" in second["summary"]


def test_daily_digest_lists_new_findings_once_above_min_severity(tmp_path, receiver,
                                                                monkeypatch):
    monkeypatch.setenv("SOCIALAUDIT_HOOK_URL", receiver.url(HOOK_PATH))
    config, con = workspace(tmp_path, """
[[alerts.channels]]
name = "siem"
kind = "webhook"
url_env = "SOCIALAUDIT_HOOK_URL"
digest = true
min_severity = "medium"
health = false
""")
    without_digest = send_alerts(con, config, now=NOW)
    assert [o.kind for o in without_digest.sent] == ["critical"]
    report = send_alerts(con, config, now=NOW, digest=True)
    assert [o.kind for o in report.sent] == ["digest"]
    digest = receiver.bodies(HOOK_PATH)[-1]
    assert digest["kind"] == "digest" and "3 new open findings" in digest["title"]
    by_id = {f["finding_id"]: f for f in digest["findings"]}
    assert set(by_id) == {"f-teacher", "f-conf", "f-medium"}  # not low, not the criticals
    confidential = by_id["f-conf"]
    assert confidential["excerpt"] is None and confidential["excerpt_withheld"]
    assert "12-34-56" not in json.dumps(digest)  # a student's details are not re-broadcast

    assert send_alerts(con, config, now=NOW + timedelta(days=1), digest=True).outcomes == []
    add_finding(con, "f-new-high", "teacher_page_non_school", "non_school", "high",
                "instagram:77", {"score": 0.7}, first_seen=NOW + timedelta(days=1, hours=2))
    add_finding(con, "f-reviewed", "teacher_page_non_school", "non_school", "high",
                "instagram:77", {"score": 0.7}, first_seen=NOW + timedelta(days=1, hours=2))
    con.execute("INSERT INTO audit.dispositions SELECT 'd1', 'f-reviewed', 'false_positive', "
                "'comms', 'not a student', content_sha256, ?, 'cli' FROM audit.findings "
                "WHERE finding_id = 'f-reviewed'", [NOW + timedelta(days=1, hours=3)])
    send_alerts(con, config, now=NOW + timedelta(days=2), digest=True)
    latest = receiver.bodies(HOOK_PATH)[-1]
    assert [f["finding_id"] for f in latest["findings"]] == ["f-new-high"]


def test_dry_run_and_cli(tmp_path, receiver, monkeypatch, capsys):
    config, con = workspace(tmp_path, webhook_channels(receiver, monkeypatch, digest="true"))
    report = send_alerts(con, config, now=NOW, digest=True, dry_run=True)
    assert {o.status for o in report.outcomes} == {"dry_run"} and report.messages
    digest = next(m for channel, m in report.messages if channel == "siem" and m.kind == "digest")
    assert {f.severity for f in digest.findings} == {"high", "medium", "low"}  # criticals: told
    assert receiver.posts == [] and sent_rows(con, "siem") == set()
    con.close()

    assert main(["alerts", "--config", str(config.path), "--dry-run",
                 "--channel", "siem"]) == 0
    out = capsys.readouterr().out
    assert "--- to siem (critical)" in out and "siem: health (3 items) dry_run" in out
    assert receiver.posts == []

    receiver.failing.add(HOOK_PATH)
    assert main(["alerts", "--config", str(config.path)]) == 1
    captured = capsys.readouterr()
    assert "siem: critical (2 items) failed: siem: the webhook in SOCIALAUDIT_HOOK_URL " \
           "answered HTTP 500" in captured.err
    assert "SECRET" not in captured.out + captured.err
    assert len(receiver.bodies(SLACK_PATH)) == 2
    assert main(["alerts", "--config", str(config.path), "--channel", "nope"]) == 2
