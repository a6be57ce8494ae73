"""X (Twitter) connector: an account's posts, the replies in its conversations, and deletions.

Everything goes through the real ``tweepy.Client`` (API v2) built by ``make_x_client`` with
``return_type=requests.Response``, so each page is stored with its body exactly as received and
its rate-limit headers can be read. For one account, ``XConnector.capture_account``:

0. looks up the account's profile once, ``GET /2/users/:id`` with ``description``, ``url``,
   ``entities`` (the t.co links of both, expanded) and the pinned post (``pinned_tweet_id``
   expanded, with its ``entities``), stored under endpoint ``users/:id``. A failure costs only
   the profile: the capture goes on and ends ``partial`` (an expired token or exhausted
   credits still stop it);
1. pages through ``GET /2/users/:id/tweets`` (``pagination_token``), incrementally from the
   ``since_id`` of the last completed pass. Cursor ``("x", account, "users/:id/tweets", user_id)``
   holds ``{"since_id": id | None}`` between passes and, while a pass is in progress,
   ``{"since_id": ..., "pending": {"next_token": ..., "newest_id": ...}}``: saved after every page,
   so an interrupted pass resumes from the page it stopped at and ``since_id`` only advances (to
   the ``meta.newest_id`` of the pass's first page) when the pass completes;
2. remembers the conversations the account started within ``reply_window_days`` (cursor
   ``("x", account, <search endpoint>, "")`` = ``{"conversations": {root_id: created_at}}``,
   pruned by age) and searches each one, ``conversation_id:<root>``, through
   ``search_recent_tweets`` or, with ``search="all"``, ``search_all_tweets`` from the root's
   creation time; one cursor per conversation ``("x", account, <search endpoint>, root_id)`` of the
   same shape as the timeline's. When full-archive search is refused because the app's plan
   lacks it (403 ``client-not-enrolled``), recent search is used for the rest of the run (the
   accounts say so in their results, status ``partial``) and older threads wait in the backfill;
3. after a complete search of a conversation, looks up with ``GET /2/tweets?ids=`` (batches of
   100) every reply captured before (``sink.previously_seen``) that the search did not return, and
   stores those pages as received: their ``errors[]`` (resource-not-found) are how the normalizer
   observes deletions. Nothing is inferred from absence.

Rate limits are read from the ``x-rate-limit-*`` headers of every response: a short wait is sat
out with the injected ``sleep``, a long one stops the account with ``RateLimited`` after the
cursors are saved. HTTP errors become the ``CaptureError`` subclasses of ``connectors.base``; a 200
page that is not JSON or not shaped like its endpoint is quarantined and that endpoint stops for
this run with its cursor kept. Every outcome is written to the fetch log, and every message goes
through ``connectors.redaction.redact``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import requests
import tweepy
from requests.adapters import BaseAdapter

from connectors.base import (
    AuthError,
    BadRequest,
    CaptureError,
    CreditsExhausted,
    PageSink,
    PermissionDenied,
    RateLimited,
    RawPage,
    loads_strict,
    utcnow,
)
from connectors.endpoints import (
    X_SEARCH_ALL,
    X_SEARCH_RECENT,
    X_TWEETS_LOOKUP,
    X_USER_PROFILE,
    X_USER_TWEETS,
)
from connectors.redaction import redact, register_secret
from connectors.transport import HandlerAdapter

SOURCE = "x"
X_API_HOST = "https://api.twitter.com"

TWEET_FIELDS = [
    "attachments",
    "author_id",
    "conversation_id",
    "created_at",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "in_reply_to_user_id",
    "lang",
    "possibly_sensitive",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "note_tweet",
]
EXPANSIONS = [
    "author_id",
    "attachments.media_keys",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "in_reply_to_user_id",
    "edit_history_tweet_ids",
]
MEDIA_FIELDS = [
    "media_key",
    "type",
    "url",
    "preview_image_url",
    "alt_text",
    "width",
    "height",
    "duration_ms",
    "public_metrics",
    "variants",
]
USER_FIELDS = ["id", "name", "username", "verified", "verified_type", "description", "url"]

FIELDS: dict[str, list[str]] = {
    "tweet_fields": TWEET_FIELDS,
    "expansions": EXPANSIONS,
    "media_fields": MEDIA_FIELDS,
    "user_fields": USER_FIELDS,
}
# The profile of a registered account: its bio and website with their t.co links expanded
# (``entities``), and the pinned post with its own links (a "conspicuous, static place").
PROFILE_FIELDS: dict[str, list[str]] = {
    "user_fields": ["id", "name", "username", "description", "entities", "url",
                    "pinned_tweet_id"],
    "expansions": ["pinned_tweet_id"],
    "tweet_fields": ["created_at", "entities", "note_tweet"],
}

PAGE_SIZE = 100
LOOKUP_BATCH = 100
DEFAULT_RATE_LIMIT_BACKOFF = 15.0  # seconds, for a 429 that carries no x-rate-limit-reset
SERVER_ERROR_BACKOFF = 2.0  # seconds, doubled at each retry of a 5xx or connection error
SEARCH_ALL_INTERVAL = 1.0  # search/all allows one request per second
MAX_RATE_LIMIT_WAITS = 5  # waits sat out for one request before giving up
# search/recent only reaches back 7 days and refuses an older since_id (a minute of margin)
RECENT_SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=1)
SNOWFLAKE_EPOCH_MS = 1288834974657
NOT_ENROLLED = "not_enrolled"  # PermissionDenied.code: the app's plan lacks the endpoint

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
Clock = Callable[[], datetime]


class _RedactingFilter(logging.Filter):
    """tweepy logs request headers (the bearer token) at DEBUG: redact every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def _install_log_redaction() -> None:
    logger = logging.getLogger("tweepy.client")
    if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
        logger.addFilter(_RedactingFilter())


def make_x_client(bearer_token: str, adapter: BaseAdapter | None = None) -> tweepy.Client:
    """A tweepy v2 ``Client`` returning ``requests.Response`` and never sleeping on its own.

    The token is registered for redaction. ``adapter`` (e.g. ``connectors.transport.
    HandlerAdapter``) is mounted on the client's session for ``https://api.twitter.com``.
    """
    register_secret(bearer_token)
    _install_log_redaction()
    client = tweepy.Client(
        bearer_token=bearer_token, return_type=requests.Response, wait_on_rate_limit=False
    )
    if adapter is not None:
        client.session.mount(X_API_HOST, adapter)
        if isinstance(adapter, HandlerAdapter):
            client.session.trust_env = False  # answered in-process: no proxy settings to read
    return client


@dataclass
class XAccount:
    """A registered X account: its registry key and its numeric user id."""

    account_key: str
    user_id: str
    handle: str | None = None

    @property
    def label(self) -> str:
        name = f"@{self.handle.lstrip('@')}" if self.handle else "X account"
        return f"{name} (user {self.user_id})"


@dataclass
class XCaptureResult:
    """What one ``capture_account`` did. ``status`` is ``ok`` or ``partial`` (a page was
    quarantined or an endpoint answered with errors only; its cursor is kept for the next run)."""

    account_key: str
    pages: int = 0
    tweets: int = 0
    conversations: int = 0
    lookups: int = 0
    quarantined: int = 0
    status: str = "ok"
    error: str | None = None
    problems: list[str] = field(default_factory=list)

    def note_problem(self, message: str) -> None:
        self.status = "partial"
        self.problems.append(redact(message))
        self.error = "; ".join(self.problems)


@dataclass
class _PassOutcome:
    complete: bool
    returned_ids: set[str]


class _EndpointStopped(Exception):
    """Internal: this endpoint stops for this run (page quarantined or errors-only page)."""


class XConnector:
    """Captures X accounts into a ``PageSink`` (see the module docstring for what and how)."""

    def __init__(
        self,
        client: tweepy.Client,
        sink: PageSink,
        *,
        search: Literal["recent", "all"] = "recent",
        max_wait_seconds: float = 60,
        retries: int = 3,
        reply_window_days: int = 7,
        deletion_recheck_hours: float = 24,
        sleep: Sleep = time.sleep,
        now: Clock = utcnow,
    ):
        if search not in ("recent", "all"):
            raise ValueError(f"search must be 'recent' or 'all', not {search!r}")
        self.client = client
        self.sink = sink
        self.search = search
        self.search_endpoint = X_SEARCH_ALL if search == "all" else X_SEARCH_RECENT
        self.max_wait_seconds = max_wait_seconds
        self.retries = retries
        self.reply_window = timedelta(days=reply_window_days)
        self.deletion_recheck = timedelta(hours=deletion_recheck_hours)
        self.sleep = sleep
        self.now = now
        # Rate-limit state per endpoint template: (remaining, reset epoch seconds).
        self._limits: dict[str, tuple[int, int]] = {}
        self._last_search_all: datetime | None = None
        self._endpoint = X_USER_TWEETS  # the endpoint being fetched, for the fetch log
        # why full-archive search was refused this run (then recent search is used instead)
        self._search_fallback: str | None = None

    # ------------------------------------------------------------------ account capture

    def capture_account(self, account: XAccount) -> XCaptureResult:
        """Capture one account. Raises only ``CaptureError`` subclasses, after logging them;
        every page fetched before the failure has been handed to the sink."""
        result = XCaptureResult(account.account_key)
        self._endpoint = X_USER_TWEETS
        try:
            self._capture_profile(account, result)
            roots = self._capture_timeline(account, result)
            self._capture_conversations(account, roots, result)
        except CaptureError as exc:
            self._log_failure(account, exc, result)
            raise
        except Exception as exc:  # a bug or an unforeseen answer: still one account's failure
            error = CaptureError(
                account.account_key,
                f"unexpected {type(exc).__name__} while fetching {self._endpoint} for "
                f"{account.label}: {exc}",
                code="unexpected",
            )
            self._log_failure(account, error, result)
            raise error from exc
        self.sink.log_fetch(
            SOURCE,
            account.account_key,
            None,
            result.status,
            error_code=(
                "quarantined" if result.quarantined else "errors_only" if result.problems else None
            ),
            message=result.error,
            pages=result.pages,
        )
        return result

    def _log_failure(self, account: XAccount, exc: CaptureError, result: XCaptureResult) -> None:
        result.status = exc.status
        result.error = str(exc)
        self.sink.log_fetch(
            SOURCE,
            account.account_key,
            self._endpoint,
            exc.status,
            error_code=exc.code,
            message=str(exc),
            pages=result.pages,
        )

    # ------------------------------------------------------------------ 0. the profile

    def _capture_profile(self, account: XAccount, result: XCaptureResult) -> None:
        """``GET /2/users/:id`` once per capture: description, website and pinned post, with the
        t.co links of each expanded. A failure here costs only the profile (the account goes on,
        ``partial``), except the app's own failures (token, credits), which stop X."""
        self._endpoint = X_USER_PROFILE
        try:
            response, sent = self._fetch(
                account, X_USER_PROFILE, account.user_id,
                lambda: self.client.get_user(id=account.user_id, **PROFILE_FIELDS),
            )
        except (AuthError, CreditsExhausted):
            raise
        except CaptureError as exc:
            result.note_problem(f"profile not captured: {exc.safe_message}")
            return
        page = RawPage(
            source=SOURCE,
            origin="api",
            endpoint=X_USER_PROFILE,
            object_id=account.user_id,
            params=dict(sent),
            body=response.text,
            account_id=account.account_key,
            fetched_at=self.now(),
        )
        problem = _profile_problem(page.body)
        if problem is not None:
            reason = f"{X_USER_PROFILE} {account.user_id}: {problem}"
            self.sink.quarantine(page, reason)
            result.quarantined += 1
            result.note_problem(f"page quarantined ({reason}); retried next run")
            return
        self.sink.add_page(page)
        result.pages += 1
        body = loads_strict(page.body)
        if not isinstance(body.get("data"), dict):
            # errors only (suspended, not found): stored as received, no profile to read
            titles = "; ".join(
                str(e.get("detail") or e.get("title") or e) for e in body.get("errors") or []
            )
            result.note_problem(f"{X_USER_PROFILE} {account.user_id} answered with errors "
                                f"only: {titles}")

    # ------------------------------------------------------------------ 1. the timeline

    def _capture_timeline(self, account: XAccount, result: XCaptureResult) -> dict[str, str]:
        """Fetch the account's new posts; return the conversation roots to search."""
        conversations_state = (
            self.sink.get_cursor(SOURCE, account.account_key, self.search_endpoint, "") or {}
        )
        roots: dict[str, str] = dict(conversations_state.get("conversations") or {})
        backfill: dict[str, str] = dict(conversations_state.get("backfill") or {})
        horizon = self.now() - self.reply_window

        def on_page(body: Mapping[str, Any]) -> None:
            tweets = body.get("data") or []
            found = _conversation_roots(tweets, account.user_id, horizon)
            older: dict[str, str] = {}
            if self.search == "all":
                # full-archive search reaches older threads: a new post's replies are captured
                # once even when it is older than the reply window (a first capture's history)
                older = {root: created for root, created in
                         _conversation_roots(tweets, account.user_id, EPOCH).items()
                         if root not in found}
            if found or older:
                roots.update(found)
                backfill.update(older)
                self.sink.set_cursor(
                    SOURCE, account.account_key, self.search_endpoint,
                    {"conversations": dict(sorted(roots.items())),
                     "backfill": dict(sorted(backfill.items()))}, "",
                )

        def call(**params: Any) -> requests.Response:
            return self.client.get_users_tweets(account.user_id, **params)

        self._paged_pass(
            account, result, X_USER_TWEETS, account.user_id, call, {}, "pagination_token", on_page
        )
        return roots

    # ------------------------------------------------------------------ 2. conversations

    def _capture_conversations(
        self, account: XAccount, roots: Mapping[str, str], result: XCaptureResult
    ) -> None:
        horizon = self.now() - self.reply_window
        kept = {
            root: created
            for root, created in roots.items()
            if (when := _parse_time(created)) is not None and when >= horizon
        }
        state = self.sink.get_cursor(SOURCE, account.account_key, self.search_endpoint, "") or {}
        backfill: dict[str, str] = dict(state.get("backfill") or {})

        def save() -> None:
            self.sink.set_cursor(
                SOURCE, account.account_key, self.search_endpoint,
                {"conversations": dict(sorted(kept.items())),
                 "backfill": dict(sorted(backfill.items()))}, "",
            )

        save()
        # conversations in the window every run (newest replies, deletions), then the backfill
        # once each (dropped when its search completes)
        queue = [(root, kept[root], False) for root in sorted(kept, key=_id_key)] + [
            (root, backfill[root], True) for root in sorted(backfill, key=_id_key)
            if root not in kept]
        for root, created_at, is_backfill in queue:
            if self._search_fallback is not None:
                self._note_fallback(result)
                if is_backfill:
                    continue  # older threads wait for a run where full-archive search answers
            result.conversations += 1
            try:
                outcome = self._search_conversation(account, result, root, created_at)
            except PermissionDenied as exc:
                if self._search_fallback is not None or exc.code != NOT_ENROLLED:
                    raise
                # the plan lacks full-archive search: recent search for the rest of this run
                self._search_fallback = exc.safe_message
                log.warning("X full-archive search refused (%s): recent search is used for the "
                            "rest of this run", exc.safe_message)
                self._note_fallback(result)
                if is_backfill:
                    result.conversations -= 1
                    continue
                outcome = self._search_conversation(account, result, root, created_at)
            if outcome.complete and self._recheck_due(account, root):
                self._lookup_missing(account, root, outcome.returned_ids, result)
            if is_backfill and outcome.complete:
                backfill.pop(root, None)
                save()

    def _search_conversation(
        self, account: XAccount, result: XCaptureResult, root: str, created_at: str
    ) -> _PassOutcome:
        """One incremental pass of the search for ``conversation_id:<root>``: full-archive from
        the root's creation time, or recent search (configured, or fallen back to this run)."""
        full = self.search == "all" and self._search_fallback is None
        endpoint = X_SEARCH_ALL if full else X_SEARCH_RECENT
        self._endpoint = endpoint
        created = _parse_time(created_at)
        extra: dict[str, Any] = {}
        if full and created is not None:
            extra["start_time"] = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = f"conversation_id:{root}"

        def call(**params: Any) -> requests.Response:
            if full:
                return self.client.search_all_tweets(query, **params)
            return self.client.search_recent_tweets(query, **params)

        # search/recent rejects a since_id older than its 7-day window
        oldest = None if full else self.now() - RECENT_SEARCH_WINDOW
        return self._paged_pass(
            account, result, endpoint, root, call, extra, "next_token", oldest_since=oldest,
        )

    def _note_fallback(self, result: XCaptureResult) -> None:
        message = (
            f"full-archive search is not available to this X app ({self._search_fallback}); "
            "replies were searched with recent search for this run (the last 7 days only), "
            "older threads wait for a run where it answers"
        )
        if message not in result.problems:
            result.note_problem(message)

    # ------------------------------------------------------------------ 3. deletions

    def _recheck_due(self, account: XAccount, root: str) -> bool:
        """Deletion lookups are billed per post read: at most one per conversation per
        ``deletion_recheck_hours``; the time of the last one is kept in a cursor."""
        state = self.sink.get_cursor(SOURCE, account.account_key, X_TWEETS_LOOKUP, root) or {}
        last = _parse_time(state.get("checked_at") or "")
        now = self.now()
        if last is not None and now - last < self.deletion_recheck:
            return False
        self.sink.set_cursor(
            SOURCE, account.account_key, X_TWEETS_LOOKUP,
            {"checked_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}, root,
        )
        return True

    def _lookup_missing(
        self, account: XAccount, root: str, returned: set[str], result: XCaptureResult
    ) -> None:
        """Look up replies captured before that the complete search did not return."""
        missing = sorted(self.sink.previously_seen(SOURCE, root) - returned - {root}, key=_id_key)
        self._endpoint = X_TWEETS_LOOKUP
        for start in range(0, len(missing), LOOKUP_BATCH):
            batch = missing[start : start + LOOKUP_BATCH]
            response, sent = self._fetch(
                account, X_TWEETS_LOOKUP, root,
                lambda batch=batch: self.client.get_tweets(ids=batch, **FIELDS),
            )
            result.lookups += 1
            try:
                self._store(account, result, X_TWEETS_LOOKUP, root, response, sent, lookup=True)
            except _EndpointStopped:
                return

    # ------------------------------------------------------------------ paging with cursors

    def _paged_pass(
        self,
        account: XAccount,
        result: XCaptureResult,
        endpoint: str,
        object_id: str,
        call: Callable[..., requests.Response],
        extra: Mapping[str, Any],
        token_param: str,
        on_page: Callable[[Mapping[str, Any]], None] | None = None,
        *,
        oldest_since: datetime | None = None,
    ) -> _PassOutcome:
        """One incremental pass over a paged endpoint, resumable from a saved page token.

        A ``since_id`` posted before ``oldest_since`` is dropped (and the pass restarted), for
        endpoints that refuse one older than their window."""
        self._endpoint = endpoint
        key = account.account_key
        state = self.sink.get_cursor(SOURCE, key, endpoint, object_id) or {}
        since_id = state.get("since_id")
        pending = state.get("pending") or {}
        if since_id and oldest_since is not None:
            posted = snowflake_time(str(since_id))
            if posted is not None and posted < oldest_since:
                since_id, pending = None, {}
        token: str | None = pending.get("next_token")
        newest: str | None = pending.get("newest_id")
        returned: set[str] = set()
        restarted = False
        while True:
            params: dict[str, Any] = {"max_results": PAGE_SIZE, **FIELDS, **extra}
            if since_id:
                params["since_id"] = since_id
            if token:
                params[token_param] = token
            try:
                response, sent = self._fetch(
                    account, endpoint, object_id, lambda params=params: call(**params)
                )
            except BadRequest:
                if not token or not pending or restarted:
                    raise
                # A saved page token the API no longer accepts: start the pass again.
                restarted = True
                token, newest, pending = None, None, {}
                self.sink.set_cursor(SOURCE, key, endpoint, {"since_id": since_id}, object_id)
                continue
            try:
                body = self._store(account, result, endpoint, object_id, response, sent)
            except _EndpointStopped:
                return _PassOutcome(False, returned)
            pending = {}
            meta = body["meta"]
            if newest is None:
                newest = meta.get("newest_id")
            for tweet in body.get("data") or []:
                returned.add(str(tweet["id"]))
                returned.update(str(i) for i in tweet.get("edit_history_tweet_ids") or [])
            if on_page is not None:
                on_page(body)
            next_token = meta.get("next_token")
            if next_token:
                token = next_token
                self.sink.set_cursor(
                    SOURCE, key, endpoint,
                    {"since_id": since_id,
                     "pending": {"next_token": next_token, "newest_id": newest}},
                    object_id,
                )
                continue
            self.sink.set_cursor(SOURCE, key, endpoint, {"since_id": newest or since_id}, object_id)
            return _PassOutcome(True, returned)

    def _store(
        self,
        account: XAccount,
        result: XCaptureResult,
        endpoint: str,
        object_id: str,
        response: requests.Response,
        sent: Mapping[str, Any],
        *,
        lookup: bool = False,
    ) -> dict[str, Any]:
        """Hand a 200 page to the sink, or quarantine it and stop the endpoint for this run."""
        page = RawPage(
            source=SOURCE,
            origin="api",
            endpoint=endpoint,
            object_id=object_id,
            params=dict(sent),
            body=response.text,
            account_id=account.account_key,
            fetched_at=self.now(),
        )
        problem = _page_problem(page.body, lookup=lookup)
        if problem is not None:
            reason = f"{endpoint} {object_id}: {problem}"
            self.sink.quarantine(page, reason)
            result.quarantined += 1
            result.note_problem(f"page quarantined ({reason}); retried next run")
            raise _EndpointStopped(reason)
        body: dict[str, Any] = loads_strict(page.body)
        self.sink.add_page(page)
        result.pages += 1
        result.tweets += len(body.get("data") or [])
        if not lookup and "meta" not in body:
            # An errors-only answer (e.g. the user is suspended or not found): kept as received.
            titles = "; ".join(
                str(e.get("detail") or e.get("title") or e) for e in body.get("errors") or []
            )
            result.note_problem(f"{endpoint} {object_id} answered with errors only: {titles}")
            raise _EndpointStopped(titles)
        return body

    # ------------------------------------------------------------------ one request

    def _fetch(
        self,
        account: XAccount,
        endpoint: str,
        object_id: str,
        send: Callable[[], requests.Response],
    ) -> tuple[requests.Response, dict[str, str]]:
        """Send one request honouring rate limits and retrying server errors; map failures."""
        where = f"{endpoint} {object_id} for {account.label}"
        limit_waits = 0
        server_errors = 0
        backed_off_blind = False
        while True:
            self._wait_for_window(account, endpoint, where)
            if endpoint == X_SEARCH_ALL:
                self._pace_search_all()
            try:
                response = send()
            except tweepy.TooManyRequests as exc:
                self._note_limits(endpoint, exc.response)
                reset = exc.reset_time if exc.reset_time is not None else _reset_of(exc.response)
                if reset is None:
                    if backed_off_blind or DEFAULT_RATE_LIMIT_BACKOFF > self.max_wait_seconds:
                        raise RateLimited(
                            account.account_key,
                            f"X rate limit reached (HTTP 429, no reset time) on {where}; "
                            "capture resumes next run",
                            code="rate_limited",
                        ) from None
                    backed_off_blind = True
                    self.sleep(DEFAULT_RATE_LIMIT_BACKOFF)
                    continue
                wait = max(reset - self.now().timestamp() + 1, 1.0)
                limit_waits += 1
                if wait > self.max_wait_seconds or limit_waits > MAX_RATE_LIMIT_WAITS:
                    raise self._rate_limited(account, where, reset, waits=limit_waits) from None
                self.sleep(wait)
                self._limits.pop(endpoint, None)
                continue
            except tweepy.TwitterServerError as exc:
                server_errors += 1
                if server_errors > self.retries:
                    raise CaptureError(
                        account.account_key,
                        f"X server error ({_status_text(exc.response)}) on {where}, "
                        f"{self.retries} retries failed: {_detail(exc)}",
                        code="server_error",
                    ) from None
                self.sleep(SERVER_ERROR_BACKOFF * 2 ** (server_errors - 1))
                continue
            except (requests.ConnectionError, requests.Timeout) as exc:
                server_errors += 1
                if server_errors > self.retries:
                    raise CaptureError(
                        account.account_key,
                        f"X unreachable on {where}, {self.retries} retries failed: "
                        f"{type(exc).__name__}",
                        code="network",
                    ) from None
                self.sleep(SERVER_ERROR_BACKOFF * 2 ** (server_errors - 1))
                continue
            except tweepy.HTTPException as exc:
                raise _mapped_error(account, where, exc) from None
            self._note_limits(endpoint, response)
            return response, _sent_params(response)

    def _wait_for_window(self, account: XAccount, endpoint: str, where: str) -> None:
        """Before a request: if the last answer said no calls remain, wait or stop."""
        limit = self._limits.get(endpoint)
        if limit is None or limit[0] > 0:
            return
        reset = limit[1]
        wait = reset - self.now().timestamp() + 1
        if wait <= 0:
            self._limits.pop(endpoint, None)
            return
        if wait > self.max_wait_seconds:
            raise self._rate_limited(account, where, reset)
        self.sleep(wait)
        self._limits.pop(endpoint, None)

    def _rate_limited(
        self, account: XAccount, where: str, reset: int, *, waits: int = 0
    ) -> RateLimited:
        reset_at = datetime.fromtimestamp(reset, UTC)
        why = (
            f"still limited after {waits - 1} waits"
            if waits > MAX_RATE_LIMIT_WAITS
            else f"more than {self.max_wait_seconds:g} s away"
        )
        return RateLimited(
            account.account_key,
            f"X rate limit reached on {where}; resets at {reset_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"{why}: capture resumes next run",
            reset_at=reset_at,
            code="rate_limited",
        )

    def _pace_search_all(self) -> None:
        now = self.now()
        if self._last_search_all is not None:
            elapsed = (now - self._last_search_all).total_seconds()
            if elapsed < SEARCH_ALL_INTERVAL:
                self.sleep(SEARCH_ALL_INTERVAL - elapsed)
                now = self.now()
        self._last_search_all = now

    def _note_limits(self, endpoint: str, response: requests.Response | None) -> None:
        headers = getattr(response, "headers", None) or {}
        try:
            remaining = int(headers["x-rate-limit-remaining"])
            reset = int(headers["x-rate-limit-reset"])
        except (KeyError, TypeError, ValueError):
            return
        self._limits[endpoint] = (remaining, reset)


# ---------------------------------------------------------------------- helpers


def _mapped_error(account: XAccount, where: str, exc: tweepy.HTTPException) -> CaptureError:
    status = _status_text(exc.response)
    detail = _detail(exc)
    key = account.account_key
    if isinstance(exc, tweepy.Unauthorized):
        return AuthError(
            key, f"X token expired or invalid ({status}) on {where}: {detail}",
            code="unauthorized",
        )
    if isinstance(exc, tweepy.Forbidden):
        if _not_enrolled(exc.response):
            return PermissionDenied(
                key, f"X access denied: the app's plan does not include this endpoint ({status}) "
                f"on {where}: {detail}", code=NOT_ENROLLED,
            )
        return PermissionDenied(
            key, f"X access denied ({status}) on {where}: {detail}", code="forbidden"
        )
    if isinstance(exc, tweepy.BadRequest):
        return BadRequest(key, f"X rejected the request ({status}) on {where}: {detail}",
                          code="bad_request")
    code = getattr(exc.response, "status_code", None)
    if code == 402:
        return CreditsExhausted(
            key, f"X API credits exhausted ({status}) on {where}: {detail}",
            code="payment_required",
        )
    if isinstance(exc, tweepy.NotFound):
        return CaptureError(key, f"X says not found ({status}) on {where}: {detail}",
                            code="not_found")
    return CaptureError(key, f"X request failed ({status}) on {where}: {detail}",
                        code=f"http_{code}")


def _not_enrolled(response: requests.Response | None) -> bool:
    """A 403 saying the app's access level lacks the endpoint (``client-not-enrolled``, the
    ``client-forbidden`` problem type, or v1.1-style error 453), not that one account is off
    limits."""
    try:
        body = response.json() if response is not None else None
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if body.get("reason") == "client-not-enrolled" or body.get("required_enrollment"):
        return True
    if str(body.get("type") or "").endswith("/client-forbidden"):
        return True
    errors = body.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("code") == 453 for e in errors)


def _status_text(response: requests.Response | None) -> str:
    code = getattr(response, "status_code", None)
    reason = getattr(response, "reason", "") or ""
    return f"HTTP {code} {reason}".strip()


def _detail(exc: tweepy.HTTPException) -> str:
    messages = [str(m) for m in exc.api_messages if m]
    if not messages:
        for error in exc.api_errors:
            if isinstance(error, Mapping):
                messages.append(str(error.get("detail") or error.get("title") or error))
    return redact("; ".join(messages) or "no detail")[:500]


def _reset_of(response: requests.Response | None) -> int | None:
    headers = getattr(response, "headers", None) or {}
    try:
        return int(headers["x-rate-limit-reset"])
    except (KeyError, TypeError, ValueError):
        return None


def _sent_params(response: requests.Response) -> dict[str, str]:
    """The query parameters of the request that produced ``response``, as sent."""
    url = response.request.url if response.request is not None else response.url
    return dict(parse_qsl(urlsplit(url or "").query, keep_blank_values=True))


def _parsed_answer(text: str) -> tuple[dict, str | None]:
    """The JSON object of a 200 body, or why it is not an X API answer (not JSON, not an
    object, ``errors`` not a list)."""
    try:
        body = loads_strict(text)
    except ValueError as exc:
        snippet = " ".join(text[:80].split())
        return {}, f"body is not JSON ({snippet!r}: {getattr(exc, 'msg', exc)})"
    if not isinstance(body, dict):
        return {}, f"body is a JSON {type(body).__name__}, not an object"
    if body.get("errors") is not None and not isinstance(body["errors"], list):
        return body, "'errors' is not a list"
    return body, None


def _page_problem(text: str, *, lookup: bool) -> str | None:
    """Why a 200 body is not a page of its endpoint, or None when it is one."""
    body, problem = _parsed_answer(text)
    if problem:
        return problem
    data, errors = body.get("data"), body.get("errors")
    if data is not None:
        if not isinstance(data, list):
            return "'data' is not a list"
        if not all(isinstance(t, dict) and isinstance(t.get("id"), str) for t in data):
            return "an item of 'data' has no string 'id'"
    if lookup:
        if data is None and not errors:
            return "neither 'data' nor 'errors'"
        return None
    meta = body.get("meta")
    if meta is None:
        if data is None and errors:
            return None  # errors-only answer, stored as received
        return "no 'meta'"
    if not isinstance(meta, dict):
        return "'meta' is not an object"
    next_token = meta.get("next_token")
    if next_token is not None and not isinstance(next_token, str):
        return "'meta.next_token' is not a string"
    if data and "newest_id" not in meta:
        return "'meta.newest_id' missing on a page with data"
    return None


def _profile_problem(text: str) -> str | None:
    """Why a 200 body is not a user lookup (``data`` one user object, or ``errors`` only)."""
    body, problem = _parsed_answer(text)
    if problem:
        return problem
    data, errors = body.get("data"), body.get("errors")
    if data is None:
        return None if errors else "neither 'data' nor 'errors'"
    if not isinstance(data, dict):
        return "'data' is not a user object"
    if not isinstance(data.get("id"), str):
        return "the user has no string 'id'"
    return None


def _conversation_roots(
    tweets: list[Mapping[str, Any]], user_id: str, horizon: datetime
) -> dict[str, str]:
    """Conversations the account started (not replies, not retweets) since ``horizon``.

    An edited post arrives under its latest id; the conversation is the original's (the first of
    ``edit_history_tweet_ids``), whichever of its ids the platform reports as conversation id."""
    roots: dict[str, str] = {}
    for tweet in tweets:
        tweet_id = str(tweet.get("id"))
        if tweet.get("author_id") not in (None, user_id):
            continue
        refs = tweet.get("referenced_tweets") or []
        if any(r.get("type") in ("replied_to", "retweeted") for r in refs if isinstance(r, dict)):
            continue
        versions = [str(v) for v in tweet.get("edit_history_tweet_ids") or []] or [tweet_id]
        if str(tweet.get("conversation_id") or tweet_id) not in {tweet_id, *versions}:
            continue
        created = _parse_time(tweet.get("created_at"))
        if created is None or created < horizon:
            continue
        roots[versions[0]] = created.isoformat().replace("+00:00", "Z")
    return roots


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def snowflake_time(tweet_id: str) -> datetime | None:
    """When a post id (a Snowflake) was minted, or None for an id that is not one."""
    try:
        value = int(tweet_id)
    except ValueError:
        return None
    if value < 1 << 22:
        return None
    return datetime.fromtimestamp(((value >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


def _id_key(tweet_id: str) -> tuple[int, str]:
    return (len(tweet_id), tweet_id)
