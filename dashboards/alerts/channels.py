"""Deliver one alert message to one channel: SMTP email, Slack, Teams or a generic webhook.

Secrets (webhook URLs, SMTP credentials) are read from the environment variables the config
names, at send time, and never appear in an error: every failure becomes a ``ChannelError``
whose message names the channel and the variable, with the secret values scrubbed out. Webhooks
are posted with the standard library (``urllib``), which logs nothing, so a URL cannot reach a
log at debug level either. TLS is always verified; ``tls_ca_file`` adds a CA to trust (a private
relay, a test server), it never turns verification off.
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.redaction import redact
from dashboards.alerts.compose import (
    Message,
    render_html,
    render_text,
    slack_payload,
    teams_adaptive_payload,
    teams_messagecard_payload,
    webhook_payload,
)
from pipelines.config import AlertChannel

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_REDACTED = "[REDACTED]"


class ChannelError(Exception):
    """A send failed; the message is safe to log (no URL, token or password)."""


def scrub(text: object, secrets: Iterable[str | None]) -> str:
    """``text`` with each secret, and each long piece of a secret URL, replaced."""
    out = str(text)
    pieces: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        pieces.add(secret)
        if "://" in secret:
            parts = urlsplit(secret)
            pieces.update(p for p in (parts.path, parts.query, parts.netloc) if len(p) >= 6)
            pieces.update(seg for seg in parts.path.split("/") if len(seg) >= 6)
            pieces.update(seg for seg in parts.query.split("&") if len(seg) >= 6)
    for piece in sorted(pieces, key=len, reverse=True):
        out = out.replace(piece, _REDACTED)
    return redact(out)


def _secret(channel: AlertChannel, env_name: str | None, what: str,
            environ: Mapping[str, str]) -> str:
    value = environ.get(env_name or "", "").strip()
    if not value:
        raise ChannelError(f"{channel.name}: {what} missing: set the environment variable "
                           f"{env_name}")
    return value


def _tls_context(channel: AlertChannel) -> ssl.SSLContext:
    cafile = str(channel.tls_ca_file) if channel.tls_ca_file else None
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


def payload_for(channel: AlertChannel, message: Message) -> dict[str, Any]:
    """The JSON body a webhook channel posts for ``message``."""
    if channel.kind == "slack":
        return slack_payload(message)
    if channel.kind == "teams":
        if channel.teams_format == "messagecard":
            return teams_messagecard_payload(message)
        return teams_adaptive_payload(message)
    return webhook_payload(message)


def deliver(channel: AlertChannel, message: Message, *,
            environ: Mapping[str, str] | None = None) -> None:
    """Send ``message`` on ``channel``; raise ``ChannelError`` (safe text) if it was not
    accepted."""
    env = os.environ if environ is None else environ
    if channel.kind == "email":
        _send_email(channel, message, env)
    else:
        url = _secret(channel, channel.url_env, "webhook URL", env)
        _post_json(channel, url, payload_for(channel, message))


# --- webhooks ------------------------------------------------------------------------------------


def _post_json(channel: AlertChannel, url: str, payload: dict[str, Any]) -> None:
    import http.client
    import urllib.error
    import urllib.request

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        raise ChannelError(f"{channel.name}: the URL in {channel.url_env} must be https")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # a redirect is a failure: the body is never re-sent elsewhere

    handlers: list[Any] = [NoRedirect(), urllib.request.HTTPSHandler(context=_tls_context(channel))]
    if host in LOOPBACK_HOSTS:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "socialaudit-alerts"})
    try:
        with opener.open(request, timeout=channel.timeout_seconds) as response:
            status = response.status
            body = response.read(300)
    except urllib.error.HTTPError as exc:
        status = exc.code
        try:
            body = exc.read(300)
        except OSError:
            body = b""
        finally:
            exc.close()
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise ChannelError(f"{channel.name}: could not reach the webhook in {channel.url_env}: "
                           f"{scrub(reason, [url])}") from None
    if not 200 <= status < 300:
        detail = scrub(body.decode("utf-8", "replace").strip()[:200], [url])
        raise ChannelError(f"{channel.name}: the webhook in {channel.url_env} answered HTTP "
                           f"{status}" + (f": {detail}" if detail else ""))


# --- email ---------------------------------------------------------------------------------------


def build_email(channel: AlertChannel, message: Message):
    """The email for ``message``: a plain-text part and an HTML part (escaped)."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = channel.sender or ""
    mail["To"] = ", ".join(channel.to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="socialaudit.alerts")
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(render_text(message))
    mail.add_alternative(render_html(message), subtype="html")
    return mail


def _send_email(channel: AlertChannel, message: Message, env: Mapping[str, str]) -> None:
    import smtplib

    username = password = None
    if channel.username_env:
        username = _secret(channel, channel.username_env, "SMTP user name", env)
        password = _secret(channel, channel.password_env, "SMTP password", env)
    secrets = [password, username]
    mail = build_email(channel, message)
    host, port = channel.smtp_host or "", channel.smtp_port
    context = _tls_context(channel)
    try:
        if channel.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=channel.timeout_seconds,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=channel.timeout_seconds)
        with smtp:
            smtp.ehlo()
            if channel.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if username and password:
                smtp.login(username, password)
            smtp.send_message(mail)  # raises unless at least one recipient accepted it
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        raise ChannelError(f"{channel.name}: SMTP {host}:{port} refused "
                           f"({type(exc).__name__} {exc.smtp_code}): "
                           f"{scrub(text[:200], secrets)}") from None
    except smtplib.SMTPException as exc:
        raise ChannelError(f"{channel.name}: SMTP {host}:{port}: {type(exc).__name__}: "
                           f"{scrub(str(exc)[:200], secrets)}") from None
    except (ssl.SSLError, OSError) as exc:
        raise ChannelError(f"{channel.name}: SMTP {host}:{port}: {type(exc).__name__}: "
                           f"{scrub(str(exc)[:200], secrets)}") from None
