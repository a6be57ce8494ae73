"""Facebook Page and Instagram business account capture through facebook-sdk's ``GraphAPI``.

``make_graph_client`` builds a ``facebook.GraphAPI`` (version set after construction, because
facebook-sdk 3.1.0 rejects current versions in its constructor) on a ``requests.Session`` whose
response hook records the last response's status, body text and usage headers in a
``UsageTracker``: facebook-sdk returns neither headers nor the raw text.

``GraphConnector.capture_account`` pages manually (never ``get_all_connections``) so that paging
cursors can be saved and resumed, and hands every page to the sink with the body exactly as
received:

* Facebook Page: ``/{page-id}/posts`` incrementally with ``since`` (cursor state
  ``{"since": epoch, "pending": {...paging, "newest": epoch}, "recent": {post_id: epoch}}``),
  then every page of ``/{post-id}/comments`` (``filter=stream``) for posts created within the
  comment window, re-fetched each run so that hiding is observed; then the alt text of the
  photos of the posts listed new or changed (``updated_time``), which attachments never carry:
  ``/{photo-id}?fields=alt_text,alt_text_custom``, one Photo node per request (Meta lets no
  app start a new use of multi-ID ``?ids=`` requests since November 2026, and Graph API v26
  refuses them). The photos still to look up are a queue in the cursor of ``:photo``
  (``{"pending": [photo ids], "posts": {post_id: [created epoch, updated_time]}}``), so a
  throttled, expired or killed run goes on with the rest, and an unchanged post listed again
  (the ``since`` page repeats the newest) is not looked up again.
* Instagram: ``/{ig-user-id}/media`` from the top until a page reaches media no newer than the
  newest already seen (cursor state ``{"newest": epoch, "pending": {...}, "recent": {...}}``),
  then ``/{media-id}/comments`` with nested replies, and ``/{comment-id}/replies`` when the
  nested replies have more pages.
* The profile, first and once per capture: ``/{page-id}?fields=about,description,website,...``
  or ``/{ig-user-id}?fields=biography,website,...`` (endpoints ``:page`` and ``:ig_user``). A
  failure there costs only the profile: the capture goes on and ends ``partial``.
* Deletions are observed, never inferred: a comment captured before (``sink.previously_seen``)
  and missing from a complete listing is looked up by id; the lookup page (or its error body,
  code 100 "does not exist") is stored for the normalizer to judge.

Errors become ``connectors.base.CaptureError`` subclasses naming the account (Graph 190 ->
``AuthError``, throttling codes -> wait or ``RateLimited``, 10/200-299 -> ``PermissionDenied``,
100 -> ``BadRequest``); transient errors are retried; a body that is not JSON is quarantined and
only its edge stops. Every message goes through ``connectors.redaction.redact``.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import requests

from connectors import endpoints
from connectors.base import (
    AuthError,
    BadRequest,
    CaptureError,
    PageSink,
    PermissionDenied,
    RateLimited,
    RawPage,
    json_problem,
    utcnow,
)
from connectors.redaction import redact, register_secret
from connectors.transport import HandlerAdapter

with warnings.catch_warnings():
    # facebook-sdk 3.1.0 has a non-raw regex literal: DeprecationWarning (3.11) or
    # SyntaxWarning (3.12+) when its module is compiled.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import facebook

DEFAULT_GRAPH_VERSION = "v25.0"
GRAPH_HOST = "https://graph.facebook.com"
USAGE_HEADERS = ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Page-Usage")

FB_POST_FIELDS = (
    "id,message,created_time,updated_time,permalink_url,status_type,is_hidden,is_published,"
    "full_picture,from{id,name},shares,"
    "attachments{media_type,type,title,description,url,unshimmed_url,target{id,url},"
    "media{image{src,height,width},source},"
    "subattachments},"
    "comments.filter(stream).summary(true).limit(0),"
    "reactions.summary(total_count).limit(0)"
)
FB_COMMENT_FIELDS = (
    "id,message,created_time,from{id,name},parent{id},comment_count,like_count,is_hidden,"
    "can_hide,can_remove,permalink_url,attachment"
)
IG_MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,shortcode,"
    "timestamp,username,like_count,comments_count,is_comment_enabled,alt_text,"
    "children{id,media_type,media_url,thumbnail_url,permalink,timestamp}"
)
IG_REPLY_FIELDS = "id,text,timestamp,username,like_count,hidden,from{id,username},parent_id"
IG_COMMENT_FIELDS = (
    "id,text,timestamp,username,like_count,hidden,from{id,username},parent_id,"
    f"replies{{{IG_REPLY_FIELDS}}}"
)

FB_POSTS_PARAMS: dict[str, str] = {"fields": FB_POST_FIELDS, "limit": "100"}
FB_COMMENTS_PARAMS: dict[str, str] = {
    "filter": "stream",
    "order": "chronological",
    "summary": "true",
    "fields": FB_COMMENT_FIELDS,
    "limit": "100",
}
IG_MEDIA_PARAMS: dict[str, str] = {"fields": IG_MEDIA_FIELDS}
IG_COMMENTS_PARAMS: dict[str, str] = {"fields": IG_COMMENT_FIELDS}
IG_REPLIES_PARAMS: dict[str, str] = {"fields": IG_REPLY_FIELDS}
LOOKUP_PARAMS: dict[str, str] = {"fields": "id"}
# The profile of a registered account. Graph leaves out a field that has no value (a Page
# without a website has no ``website``), so these are read only from the connector's own
# profile pages, which always ask for all of them.
FB_PAGE_PROFILE_PARAMS: dict[str, str] = {
    "fields": "id,name,username,link,about,description,website"}
IG_USER_PROFILE_PARAMS: dict[str, str] = {"fields": "id,username,name,biography,website"}
# alt_text: Facebook's automatic description; alt_text_custom: what the Page wrote.
FB_PHOTO_PARAMS: dict[str, str] = {"fields": "alt_text,alt_text_custom"}
GRAPH_ID = re.compile(r"[0-9]{1,32}")  # a photo id goes into the request path: digits only

# Query parameters of a ``paging.next`` URL that move to the next page (cursor or time paging).
PAGING_KEYS = ("after", "until", "__paging_token")

AUTH_CODES = frozenset({190, 102})
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002})
TRANSIENT_CODES = frozenset({1, 2})
NOT_FOUND_CODES = frozenset({100, 803})  # accepted (and stored) on id lookups only
GONE_SUBCODE = 33  # "Object with ID ... does not exist"
TOKEN_SUBCODES = {458: "app not installed", 460: "password changed", 463: "expired",
                  467: "invalid"}

DEFAULT_THROTTLE_WAIT_SECONDS = 300.0  # when no estimated_time_to_regain_access is given
PROACTIVE_PAUSE_SECONDS = 10.0  # pause when a usage header reports >= HIGH_USAGE_PERCENT
HIGH_USAGE_PERCENT = 95.0


# --------------------------------------------------------------------------- client


@dataclass
class UsageTracker:
    """The last Graph response as the session's response hook saw it."""

    status: int | None = None
    body: str | None = None
    content_type: str | None = None
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    responses: int = 0

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """``requests`` response hook: record status, raw text and usage headers."""
        self.status = response.status_code
        self.body = response.text
        self.content_type = response.headers.get("content-type")
        self.url = redact(response.url)
        self.headers = {
            name: response.headers[name] for name in USAGE_HEADERS if name in response.headers
        }
        self.responses += 1

    def reset(self) -> None:
        """Forget the last response (called before each request)."""
        self.status = None
        self.body = None
        self.content_type = None
        self.url = ""
        self.headers = {}

    def usage(self, name: str) -> Any:
        """A usage header of the last response, parsed, or None."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                try:
                    return json.loads(value)
                except ValueError:
                    return None
        return None

    def _entries(self) -> list[Mapping[str, Any]]:
        entries: list[Mapping[str, Any]] = []
        for name in ("X-App-Usage", "X-Page-Usage"):
            value = self.usage(name)
            if isinstance(value, Mapping):
                entries.append(value)
        buc = self.usage("X-Business-Use-Case-Usage")
        if isinstance(buc, Mapping):
            for items in buc.values():
                if isinstance(items, list):
                    entries.extend(i for i in items if isinstance(i, Mapping))
        return entries

    def max_percent(self) -> float:
        """Highest call_count / total_time / total_cputime percentage of the last response."""
        best = 0.0
        for entry in self._entries():
            for key in ("call_count", "total_time", "total_cputime"):
                value = _number(entry.get(key))
                if value is not None:
                    best = max(best, value)
        return best

    def regain_seconds(self) -> float | None:
        """Largest ``estimated_time_to_regain_access`` (minutes in the header) in seconds."""
        minutes = [
            m for m in (_number(e.get("estimated_time_to_regain_access"))
                        for e in self._entries()) if m is not None
        ]
        if not minutes or max(minutes) <= 0:
            return None
        return max(minutes) * 60.0


def make_graph_client(
    token: str,
    *,
    version: str = DEFAULT_GRAPH_VERSION,
    adapter: requests.adapters.BaseAdapter | None = None,
    timeout: float = 30,
) -> tuple[facebook.GraphAPI, UsageTracker]:
    """A facebook-sdk client at ``version`` whose session records each response's usage."""
    register_secret(token)
    usage = UsageTracker()
    session = requests.Session()
    session.hooks["response"].append(usage.hook)
    if adapter is not None:
        session.mount(GRAPH_HOST, adapter)
        if isinstance(adapter, HandlerAdapter):
            session.trust_env = False  # answered in-process: no proxy settings to read
    graph = facebook.GraphAPI(access_token=token, session=session, timeout=timeout)
    graph.version = version if version.startswith("v") else f"v{version}"
    return graph, usage


# --------------------------------------------------------------------------- results


@dataclass
class GraphAccount:
    """A registry account on Facebook (Page id) or Instagram (IG business user id)."""

    account_key: str
    platform: Literal["facebook", "instagram"]
    platform_id: str
    handle: str | None = None


@dataclass
class GraphCaptureResult:
    """What one ``capture_account`` call did."""

    account_key: str
    platform: str
    status: str = "ok"  # ok | partial (a page was quarantined and its edge stopped)
    pages: int = 0  # pages handed to the sink, lookups included
    items: int = 0  # posts or media listed
    comment_pages: int = 0
    comments: int = 0  # comments and replies listed
    lookups: list[str] = field(default_factory=list)  # ids looked up (deletion checks)
    gone: list[str] = field(default_factory=list)  # ids the platform said do not exist
    photos: list[str] = field(default_factory=list)  # Facebook photos asked for their alt text
    photos_gone: list[str] = field(default_factory=list)  # ... that no longer exist
    quarantined: int = 0
    complete: bool = False  # the post/media pass reached its end (no pending cursor)
    problems: list[str] = field(default_factory=list)  # what this capture could not do

    @property
    def error(self) -> str | None:
        return "; ".join(self.problems) or None


@dataclass(frozen=True)
class _Req:
    platform: str
    endpoint: str
    object_id: str
    path: str  # after the version, e.g. "123/posts"
    params: Mapping[str, str]


@dataclass
class _PhotoQueue:
    """The Facebook photos whose alt text is still to be looked up, and the posts already seen.

    ``posts`` maps each post listed at or after the posts pass's ``since`` to its creation epoch
    and the ``updated_time`` its photos were queued with; older posts are not listed again.
    """

    pending: list[str] = field(default_factory=list)
    posts: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, state: Mapping[str, Any] | None) -> _PhotoQueue:
        state = state or {}
        pending = state.get("pending")
        posts = state.get("posts")
        return cls(
            [p for p in pending if isinstance(p, str)] if isinstance(pending, list) else [],
            {k: list(v) for k, v in posts.items() if isinstance(v, list) and len(v) == 2}
            if isinstance(posts, Mapping) else {},
        )

    def note(self, post: Mapping[str, Any], post_id: str, created: int) -> None:
        """Queue the photos of a post listed new or changed since its photos were queued."""
        version = [created, str(post.get("updated_time") or post.get("created_time") or "")]
        if self.posts.get(post_id) == version:
            return
        self.posts[post_id] = version
        queued = set(self.pending)
        for photo_id in fb_photo_ids(post):
            if photo_id not in queued:
                queued.add(photo_id)
                self.pending.append(photo_id)

    def prune(self, since: int | None) -> None:
        """Forget posts created before ``since``: the posts pass will not list them again."""
        if since is not None:
            self.posts = {k: v for k, v in self.posts.items()
                          if (created := _int_or_none(v[0])) is not None and created >= since}

    def state(self) -> dict[str, Any]:
        return {"pending": list(self.pending), "posts": dict(self.posts)}


class _Malformed(Exception):
    """The response body is not JSON: quarantined by the caller, which stops that edge."""

    def __init__(self, reason: str, body: str):
        super().__init__(reason)
        self.reason = reason
        self.body = body


# --------------------------------------------------------------------------- connector


class GraphConnector:
    """Captures Facebook Pages and Instagram business accounts into a ``PageSink``."""

    def __init__(
        self,
        graph: facebook.GraphAPI,
        usage: UsageTracker,
        sink: PageSink,
        *,
        comment_window_days: int = 14,
        max_wait_seconds: float = 60,
        retries: int = 3,
        sleep: Callable[[float], Any] = time.sleep,
        now: Callable[[], datetime] = utcnow,
    ):
        self.graph = graph
        self.usage = usage
        self.sink = sink
        self.comment_window_days = comment_window_days
        self.max_wait_seconds = max_wait_seconds
        self.retries = retries
        self.sleep = sleep
        self.now = now
        # Per-capture state (one capture at a time per connector).
        self._account: GraphAccount | None = None
        self._result: GraphCaptureResult | None = None
        self._edge_complete = False
        self._endpoint: str | None = None
        self._window_start = 0

    # ----------------------------------------------------------------- entry point

    def capture_account(self, account: GraphAccount) -> GraphCaptureResult:
        """Capture one account; raise only a ``CaptureError`` (logged, pages kept)."""
        result = GraphCaptureResult(account.account_key, account.platform)
        self._account, self._result, self._endpoint = account, result, None
        self._window_start = int(
            (self.now() - timedelta(days=self.comment_window_days)).timestamp()
        )
        try:
            if account.platform not in ("facebook", "instagram"):
                raise CaptureError(account.account_key,
                                   f"unsupported Graph platform {account.platform!r}",
                                   code="bad_platform")
            self._capture_profile(account)
            if account.platform == "facebook":
                self._capture_facebook(account)
            else:
                self._capture_instagram(account)
        except CaptureError as exc:
            self.sink.log_fetch(account.platform, account.account_key, self._endpoint,
                                exc.status, error_code=exc.code, message=str(exc),
                                pages=result.pages)
            raise
        except Exception as exc:  # noqa: BLE001 - anything else becomes a CaptureError
            err = CaptureError(
                account.account_key,
                f"unexpected {type(exc).__name__} on {self._endpoint}: {redact(exc)}",
                code="unexpected",
            )
            self.sink.log_fetch(account.platform, account.account_key, self._endpoint,
                                err.status, error_code=err.code, message=str(err),
                                pages=result.pages)
            raise err from None
        said = [f"{result.quarantined} page(s) quarantined"] if result.quarantined else []
        self.sink.log_fetch(account.platform, account.account_key, None, result.status,
                            pages=result.pages,
                            message="; ".join(said + result.problems) or None)
        return result

    # ----------------------------------------------------------------- the profile

    def _capture_profile(self, account: GraphAccount) -> None:
        """The Page's ``about``, ``description``, ``website`` and ``link``, or the Instagram
        account's ``biography`` and ``website``, once per capture. A failure costs only the
        profile (the capture goes on, ``partial``), except an expired or invalid token."""
        if account.platform == "facebook":
            endpoint, params = endpoints.FB_PAGE_PROFILE, FB_PAGE_PROFILE_PARAMS
        else:
            endpoint, params = endpoints.IG_USER_PROFILE, IG_USER_PROFILE_PARAMS
        self._endpoint = endpoint
        req = _Req(account.platform, endpoint, account.platform_id, account.platform_id, params)
        try:
            self._fetch(req)
        except _Malformed as bad:
            self._quarantine(req, bad)
        except AuthError:
            raise
        except CaptureError as exc:
            result = self._res()
            result.status = "partial"
            result.problems.append(f"profile not captured: {exc.safe_message}")

    # ----------------------------------------------------------------- Facebook

    def _capture_facebook(self, account: GraphAccount) -> None:
        page_id = account.platform_id
        key = account.account_key
        state = self.sink.get_cursor("facebook", key, endpoints.FB_PAGE_POSTS, page_id) or {}
        since = _int_or_none(state.get("since"))
        pending = state.get("pending") if isinstance(state.get("pending"), Mapping) else None
        recent = _recent(state.get("recent"))
        backfill = _recent(state.get("backfill"))
        paging = _paging_of(pending)
        pass_newest = _int_or_none((pending or {}).get("newest"))
        photos = _PhotoQueue.load(
            self.sink.get_cursor("facebook", key, endpoints.FB_PHOTO, page_id))
        base = dict(FB_POSTS_PARAMS)
        if since is not None:
            base["since"] = str(since)

        def save_photos() -> None:
            self.sink.set_cursor("facebook", key, endpoints.FB_PHOTO, photos.state(), page_id)

        def save(done: bool) -> dict[str, Any]:
            new_state: dict[str, Any] = {"since": since, "recent": self._pruned(recent),
                                         "backfill": dict(backfill)}
            if done:
                new_state["since"] = _max(since, pass_newest)
                photos.prune(new_state["since"])
            else:
                new_state["pending"] = {**paging, "newest": pass_newest}
            self.sink.set_cursor("facebook", key, endpoints.FB_PAGE_POSTS, new_state, page_id)
            save_photos()  # committed with the posts pages whose photos it queues
            return new_state

        self._endpoint = endpoints.FB_PAGE_POSTS
        try:
            while True:
                req = _Req("facebook", endpoints.FB_PAGE_POSTS, page_id, f"{page_id}/posts",
                           {**base, **paging})
                data = self._fetch(req)
                for post in _items(data):
                    self._result_items(1)
                    created = _epoch(post.get("created_time"))
                    post_id = post.get("id")
                    if created is None or not isinstance(post_id, str):
                        continue
                    pass_newest = _max(pass_newest, created)
                    photos.note(post, post_id, created)
                    if created >= self._window_start:
                        recent[post_id] = created
                    elif since is None or created > since:
                        backfill[post_id] = created
                nxt = _next_paging(data, paging)
                if nxt is None:
                    state = save(done=True)
                    self._res().complete = True
                    break
                paging = nxt
                state = save(done=False)
        except _Malformed as bad:
            self._quarantine(req, bad)
            state = {**state, "recent": self._pruned(recent), "backfill": dict(backfill)}
            self.sink.set_cursor("facebook", key, endpoints.FB_PAGE_POSTS, state, page_id)
            save_photos()

        # Comments of every post in the window, newest first, re-fetched each run (hiding and
        # deletion are seen that way); then, once each, of the older posts this account's first
        # passes found (the backfill), so a new account's history comes with its comments.
        for post_id in sorted(self._pruned(recent), key=lambda p: (-recent[p], p)):
            if not self._facebook_comments(post_id):
                recent.pop(post_id, None)
                state = {**state, "recent": self._pruned(recent)}
                self.sink.set_cursor("facebook", key, endpoints.FB_PAGE_POSTS, state, page_id)
        for post_id in sorted(backfill, key=lambda p: (-backfill[p], p)):
            gone = not self._facebook_comments(post_id)
            if not (gone or self._edge_complete):
                continue  # quarantined part-way: try this post again next run
            backfill.pop(post_id)
            state = {**state, "backfill": dict(backfill)}
            self.sink.set_cursor("facebook", key, endpoints.FB_PAGE_POSTS, state, page_id)
        # Last, so that trouble with an auxiliary lookup never costs the comments.
        self._facebook_photos(key, page_id, photos)

    def _facebook_photos(self, key: str, page_id: str, photos: _PhotoQueue) -> None:
        """The alt text of each queued photo, oldest in the queue first; each answer leaves the
        queue when it is stored. A photo deleted since (error 100/33) is stored and not asked
        for again; a body that is not JSON is quarantined and the rest wait for the next run."""
        self._endpoint = endpoints.FB_PHOTO
        while photos.pending:
            photo_id = photos.pending[0]
            req = _Req("facebook", endpoints.FB_PHOTO, photo_id, photo_id, FB_PHOTO_PARAMS)
            self._res().photos.append(photo_id)
            try:
                data = self._fetch(req, lookup=True, gone_only=True)
            except _Malformed as bad:
                self._quarantine(req, bad)
                return
            if "error" in data:
                self._res().photos_gone.append(photo_id)
            photos.pending.pop(0)
            self.sink.set_cursor("facebook", key, endpoints.FB_PHOTO, photos.state(), page_id)

    def _facebook_comments(self, post_id: str) -> bool:
        """Every comments page of one post, then deletion lookups. False if the post is gone."""
        self._endpoint = endpoints.FB_COMMENTS
        self._edge_complete = False
        seen: set[str] = set()
        paging: dict[str, str] = {}
        try:
            while True:
                req = _Req("facebook", endpoints.FB_COMMENTS, post_id, f"{post_id}/comments",
                           {**FB_COMMENTS_PARAMS, **paging})
                data = self._fetch(req, gone_ok=True)
                if "error" in data:  # 100/33 on the edge: ask about the post itself
                    return not self._lookup("facebook", endpoints.FB_OBJECT, post_id)
                self._res().comment_pages += 1
                for comment in _items(data):
                    self._res().comments += 1
                    native = fb_comment_native_id(comment)
                    if native:
                        seen.add(native)
                nxt = _next_paging(data, paging)
                if nxt is None:
                    break
                paging = nxt
        except _Malformed as bad:
            self._quarantine(req, bad)
            return True
        self._edge_complete = True
        self._check_deletions("facebook", endpoints.FB_OBJECT, post_id, seen)
        return True

    # ----------------------------------------------------------------- Instagram

    def _capture_instagram(self, account: GraphAccount) -> None:
        ig_id = account.platform_id
        key = account.account_key
        state = self.sink.get_cursor("instagram", key, endpoints.IG_MEDIA, ig_id) or {}
        newest = _int_or_none(state.get("newest"))
        pending = state.get("pending") if isinstance(state.get("pending"), Mapping) else None
        recent = _recent(state.get("recent"))
        backfill = _recent(state.get("backfill"))
        paging = _paging_of(pending)
        pass_newest = _int_or_none((pending or {}).get("newest"))

        def save(done: bool) -> dict[str, Any]:
            new_state: dict[str, Any] = {"newest": newest, "recent": self._pruned(recent),
                                         "backfill": dict(backfill)}
            if done:
                new_state["newest"] = _max(newest, pass_newest)
            else:
                new_state["pending"] = {**paging, "newest": pass_newest}
            self.sink.set_cursor("instagram", key, endpoints.IG_MEDIA, new_state, ig_id)
            return new_state

        self._endpoint = endpoints.IG_MEDIA
        try:
            while True:
                req = _Req("instagram", endpoints.IG_MEDIA, ig_id, f"{ig_id}/media",
                           {**IG_MEDIA_PARAMS, **paging})
                data = self._fetch(req)
                reached_seen = False
                for media in _items(data):
                    self._result_items(1)
                    stamp = _epoch(media.get("timestamp"))
                    media_id = media.get("id")
                    if stamp is None or not isinstance(media_id, str):
                        continue
                    pass_newest = _max(pass_newest, stamp)
                    if newest is not None and stamp <= newest:
                        reached_seen = True
                    if stamp >= self._window_start:
                        recent[media_id] = stamp
                    elif newest is None or stamp > newest:
                        backfill[media_id] = stamp
                nxt = _next_paging(data, paging)
                if nxt is None or reached_seen:
                    state = save(done=True)
                    self._res().complete = True
                    break
                paging = nxt
                state = save(done=False)
        except _Malformed as bad:
            self._quarantine(req, bad)
            state = {**state, "recent": self._pruned(recent), "backfill": dict(backfill)}
            self.sink.set_cursor("instagram", key, endpoints.IG_MEDIA, state, ig_id)

        for media_id in sorted(self._pruned(recent), key=lambda m: (-recent[m], m)):
            if not self._instagram_comments(media_id):
                recent.pop(media_id, None)
                state = {**state, "recent": self._pruned(recent)}
                self.sink.set_cursor("instagram", key, endpoints.IG_MEDIA, state, ig_id)
        for media_id in sorted(backfill, key=lambda m: (-backfill[m], m)):
            gone = not self._instagram_comments(media_id)
            if not (gone or self._edge_complete):
                continue  # quarantined part-way: try this media again next run
            backfill.pop(media_id)
            state = {**state, "backfill": dict(backfill)}
            self.sink.set_cursor("instagram", key, endpoints.IG_MEDIA, state, ig_id)

    def _instagram_comments(self, media_id: str) -> bool:
        """Comments (nested replies, more reply pages) of one media, then deletion lookups.

        False if the media is gone.
        """
        self._endpoint = endpoints.IG_COMMENTS
        self._edge_complete = False
        seen: set[str] = set()
        more_replies: list[str] = []
        paging: dict[str, str] = {}
        try:
            while True:
                req = _Req("instagram", endpoints.IG_COMMENTS, media_id, f"{media_id}/comments",
                           {**IG_COMMENTS_PARAMS, **paging})
                data = self._fetch(req, gone_ok=True)
                if "error" in data:  # 100/33 on the edge: ask about the media itself
                    return not self._lookup("instagram", endpoints.IG_OBJECT, media_id)
                self._res().comment_pages += 1
                for comment in _items(data):
                    self._res().comments += 1
                    if isinstance(comment.get("id"), str):
                        seen.add(comment["id"])
                    replies = comment.get("replies")
                    if isinstance(replies, Mapping):
                        for reply in _items(replies):
                            self._res().comments += 1
                            if isinstance(reply.get("id"), str):
                                seen.add(reply["id"])
                        nested_paging = replies.get("paging")
                        if (isinstance(nested_paging, Mapping) and nested_paging.get("next")
                                and isinstance(comment.get("id"), str)):
                            more_replies.append(comment["id"])
                nxt = _next_paging(data, paging)
                if nxt is None:
                    break
                paging = nxt
        except _Malformed as bad:
            self._quarantine(req, bad)
            return True

        complete = True
        self._endpoint = endpoints.IG_REPLIES
        for comment_id in more_replies:
            paging = {}
            try:
                while True:
                    req = _Req("instagram", endpoints.IG_REPLIES, comment_id,
                               f"{comment_id}/replies", {**IG_REPLIES_PARAMS, **paging})
                    data = self._fetch(req)
                    self._res().comment_pages += 1
                    for reply in _items(data):
                        self._res().comments += 1
                        if isinstance(reply.get("id"), str):
                            seen.add(reply["id"])
                    nxt = _next_paging(data, paging)
                    if nxt is None:
                        break
                    paging = nxt
            except _Malformed as bad:
                self._quarantine(req, bad)
                complete = False
        if complete:
            self._edge_complete = True
            self._check_deletions("instagram", endpoints.IG_OBJECT, media_id, seen)
        return True

    # ----------------------------------------------------------------- deletions

    def _check_deletions(self, platform: str, endpoint: str, root_id: str,
                         seen: set[str]) -> None:
        """Look up each previously captured comment that a complete listing no longer shows."""
        missing = self.sink.previously_seen(platform, root_id) - seen
        for native_id in sorted(missing):
            if not native_id or native_id.startswith("anon-"):
                continue  # no platform id (Page Public Content Access): nothing to look up
            self._lookup(platform, endpoint, native_id)

    def _lookup(self, platform: str, endpoint: str, object_id: str) -> bool:
        """``GET /{id}?fields=id``: the page, or its 'does not exist' error body, is stored.

        True when the platform answered that the object does not exist.
        """
        previous = self._endpoint
        self._endpoint = endpoint
        req = _Req(platform, endpoint, object_id, object_id, LOOKUP_PARAMS)
        self._res().lookups.append(object_id)
        gone = False
        try:
            data = self._fetch(req, lookup=True)
        except _Malformed as bad:
            self._quarantine(req, bad)
        else:
            if "error" in data:
                self._res().gone.append(object_id)
                gone = True
        self._endpoint = previous
        return gone

    # ----------------------------------------------------------------- one request

    def _fetch(self, req: _Req, *, gone_ok: bool = False, lookup: bool = False,
               gone_only: bool = False) -> dict[str, Any]:
        """One page: retried, throttled and classified; stored in the sink when it is data.

        ``gone_ok``: an error 100/33 ("does not exist") is returned, not raised (not stored).
        ``lookup``: an error 100 or 803 is returned and its body stored as the lookup page;
        with ``gone_only``, a 100 only with subcode 33 (another 100, such as an unknown field,
        is a ``BadRequest``).
        """
        attempts = 0
        throttled = 0
        account_key = self._acct().account_key
        while True:
            self.usage.reset()
            failure: BaseException | None = None
            result: Any = None
            try:
                result = self.graph.request(f"{self.graph.version}/{req.path}", dict(req.params))
            except facebook.GraphAPIError as exc:
                failure = exc
            except (requests.RequestException, KeyError, ValueError) as exc:
                failure = exc
            status = self.usage.status
            body = self.usage.body
            if status is None or body is None:
                # No response at all (connection error, timeout): transient.
                if attempts < self.retries:
                    attempts += 1
                    self.sleep(self._backoff(attempts))
                    continue
                raise CaptureError(
                    account_key,
                    f"{req.endpoint} {req.object_id}: no response after {attempts + 1} "
                    f"attempt(s): {type(failure).__name__}: {redact(failure)}",
                    code="network",
                ) from None

            data = result if failure is None and isinstance(result, dict) else _json_dict(body)
            error = data.get("error") if isinstance(data, dict) else None
            if not error and isinstance(failure, facebook.GraphAPIError) and isinstance(
                    failure.result, dict) and failure.result.get("error"):
                error = failure.result["error"]
            if error:
                code, subcode, transient, message = _error_parts(error, failure)
                if lookup and code in NOT_FOUND_CODES and not (
                        gone_only and code == 100 and subcode != GONE_SUBCODE):
                    self._store(req, body)
                    self._pace()
                    return data if isinstance(data, dict) else {"error": error}
                if gone_ok and code == 100 and subcode == GONE_SUBCODE:
                    return {"error": error}
                described = _describe(req, code, subcode, message)
                if code in AUTH_CODES:
                    meaning = TOKEN_SUBCODES.get(subcode or 0, "")
                    raise AuthError(
                        account_key,
                        f"token expired or invalid (Graph code {code}, subcode {subcode}"
                        f"{': ' + meaning if meaning else ''}) on {described}",
                        code=str(code),
                    )
                if code in THROTTLE_CODES:
                    wait = self.usage.regain_seconds() or DEFAULT_THROTTLE_WAIT_SECONDS
                    if wait <= self.max_wait_seconds and throttled < self.retries:
                        throttled += 1
                        self.sleep(wait)
                        continue
                    raise RateLimited(
                        account_key,
                        f"throttled (Graph code {code}) on {described}; "
                        f"access expected back in {int(wait)} s",
                        reset_at=self.now() + timedelta(seconds=wait),
                        code=str(code),
                    )
                if code == 10 or (code is not None and 200 <= code <= 299):
                    raise PermissionDenied(
                        account_key, f"permission denied (Graph code {code}) on {described}",
                        code=str(code),
                    )
                if code in TRANSIENT_CODES or transient or status >= 500:
                    if attempts < self.retries:
                        attempts += 1
                        self.sleep(self._backoff(attempts))
                        continue
                    raise CaptureError(
                        account_key,
                        f"transient error persisted after {attempts + 1} attempts "
                        f"(Graph code {code}, HTTP {status}) on {described}",
                        code=str(code),
                    )
                if code == 100:
                    raise BadRequest(account_key, f"bad request (Graph code 100) on {described}",
                                     code="100")
                raise CaptureError(account_key,
                                   f"Graph error (code {code}, HTTP {status}) on {described}",
                                   code=str(code) if code is not None else None)

            if status >= 500:
                if attempts < self.retries:
                    attempts += 1
                    self.sleep(self._backoff(attempts))
                    continue
                raise CaptureError(
                    account_key,
                    f"{req.endpoint} {req.object_id}: HTTP {status} after {attempts + 1} "
                    f"attempts",
                    code=f"http_{status}",
                )
            if not isinstance(data, dict):
                why = (f"{type(failure).__name__}: {failure}" if failure is not None
                       else "not a JSON object")
                raise _Malformed(
                    f"body is not JSON (HTTP {status}, content-type "
                    f"{self.usage.content_type!r}; {why})",
                    body,
                )
            if (problem := json_problem(body)) is not None:
                # facebook-sdk parsed it, but leniently (NaN, Infinity): not a JSON page
                raise _Malformed(f"body is not valid JSON (HTTP {status}): {problem}", body)
            self._store(req, body)
            self._pace()
            return data

    def _store(self, req: _Req, body: str) -> None:
        self.sink.add_page(
            RawPage(
                source=req.platform,
                origin="api",
                endpoint=req.endpoint,
                object_id=req.object_id,
                params=dict(req.params),
                body=body,
                account_id=self._acct().account_key,
                fetched_at=self.now(),
            )
        )
        self._res().pages += 1

    def _quarantine(self, req: _Req, bad: _Malformed) -> None:
        """Keep the unparseable body, log it, and let the caller stop that edge."""
        page = RawPage(
            source=req.platform,
            origin="api",
            endpoint=req.endpoint,
            object_id=req.object_id,
            params=dict(req.params),
            body=bad.body,
            account_id=self._acct().account_key,
            fetched_at=self.now(),
        )
        reason = redact(f"{req.endpoint} {req.object_id}: {bad.reason}")
        self.sink.quarantine(page, reason)
        self.sink.log_fetch(req.platform, self._acct().account_key, req.endpoint, "partial",
                            error_code="malformed", message=reason)
        result = self._res()
        result.quarantined += 1
        result.status = "partial"

    def _pace(self) -> None:
        """Slow down before the platform throttles: usage at or above 95 %."""
        if self.usage.max_percent() >= HIGH_USAGE_PERCENT:
            wait = self.usage.regain_seconds() or PROACTIVE_PAUSE_SECONDS
            self.sleep(min(wait, self.max_wait_seconds))

    def _backoff(self, attempt: int) -> float:
        return float(min(2 ** (attempt - 1), self.max_wait_seconds))

    # ----------------------------------------------------------------- helpers

    def _pruned(self, recent: dict[str, int]) -> dict[str, int]:
        return {k: v for k, v in recent.items() if v >= self._window_start}

    def _acct(self) -> GraphAccount:
        assert self._account is not None
        return self._account

    def _res(self) -> GraphCaptureResult:
        assert self._result is not None
        return self._result

    def _result_items(self, n: int) -> None:
        self._res().items += n


# --------------------------------------------------------------------------- functions


def fb_comment_native_id(comment: Mapping[str, Any]) -> str | None:
    """A Facebook comment's id, or (without one) the id in its permalink, as the normalizer does."""
    cid = comment.get("id")
    if isinstance(cid, str) and cid:
        return cid
    link = comment.get("permalink_url")
    if isinstance(link, str):
        query = parse_qs(urlsplit(link).query)
        for key in ("reply_comment_id", "comment_id"):
            values = query.get(key)
            if values and values[-1].isdigit():
                return values[-1]
    return None


def fb_photo_ids(post: Mapping[str, Any]) -> list[str]:
    """The ids of a Facebook post's photos: its photo attachments' and album photos' targets."""
    out: list[str] = []
    attachments = post.get("attachments")
    for attachment in _items(attachments) if isinstance(attachments, Mapping) else []:
        subs = attachment.get("subattachments")
        for media in _items(subs) if isinstance(subs, Mapping) else [attachment]:
            if media.get("type") != "photo" and media.get("media_type") != "photo":
                continue
            target = media.get("target")
            photo_id = target.get("id") if isinstance(target, Mapping) else None
            if isinstance(photo_id, str) and GRAPH_ID.fullmatch(photo_id) \
                    and photo_id not in out:
                out.append(photo_id)
    return out


def _next_paging(data: Mapping[str, Any], current: Mapping[str, str]) -> dict[str, str] | None:
    """The paging parameters of the next page, or None at the end (no ``paging.next``)."""
    paging = data.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    query = parse_qs(urlsplit(str(paging["next"])).query)
    found = {k: query[k][-1] for k in PAGING_KEYS if query.get(k) and query[k][-1]}
    if not found:
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, Mapping) else None
        if isinstance(after, str) and after:
            found = {"after": after}
    if not found or found == dict(current):
        return None  # cannot advance: stop rather than loop
    return found


def _paging_of(pending: Mapping[str, Any] | None) -> dict[str, str]:
    if not pending:
        return {}
    return {k: str(pending[k]) for k in PAGING_KEYS if pending.get(k)}


def _items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = data.get("data")
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping)]


def _recent(value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, int] = {}
    for key, stamp in value.items():
        number = _int_or_none(stamp)
        if number is not None:
            out[str(key)] = number
    return out


def _epoch(value: Any) -> int | None:
    """Graph timestamps look like ``2021-07-04T19:50:58+0000``."""
    if not isinstance(value, str):
        return None
    for parse in (lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S%z"),
                  datetime.fromisoformat):
        try:
            moment = parse(value)
        except ValueError:
            continue
        if moment.tzinfo is None:
            return None
        return int(moment.timestamp())
    return None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _json_dict(body: str | None) -> dict[str, Any] | None:
    if body is None:
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _error_parts(
    error: Any, failure: BaseException | None
) -> tuple[int | None, int | None, bool, str]:
    """(code, subcode, is_transient, message) of a Graph error object."""
    if not isinstance(error, Mapping):
        return None, None, False, str(error)
    code = _int_or_none(error.get("code"))
    if code is None and isinstance(failure, facebook.GraphAPIError):
        code = _int_or_none(failure.code)
    subcode = _int_or_none(error.get("error_subcode"))
    transient = error.get("is_transient") is True
    message = str(error.get("message") or "")
    trace = error.get("fbtrace_id")
    if trace:
        message += f" (fbtrace_id {trace})"
    return code, subcode, transient, message


def _describe(req: _Req, code: int | None, subcode: int | None, message: str) -> str:
    sub = f"/{subcode}" if subcode is not None else ""
    return redact(f"{req.endpoint} {req.object_id} ({code}{sub}: {message})")
