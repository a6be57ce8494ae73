"""The simulated X API v2 (``https://api.twitter.com``), answering tweepy like the real service.

Routes: ``GET /2/users/:id/tweets``, ``/2/users/:id/mentions``, ``/2/tweets/search/recent``,
``/2/tweets/search/all``, ``/2/tweets?ids=``, ``/2/tweets/:id``, ``/2/users/by/username/:name``,
``/2/users/by?usernames=``, ``/2/users/:id``, ``/2/users?ids=``.

Behaviour copied from the real API (and the recorded fixtures):
- only the fields asked for (``tweet.fields``, ``user.fields``, ``media.fields``) plus the
  defaults (``id``, ``text``, ``edit_history_tweet_ids``; users ``id, name, username``;
  media ``media_key, type``); unknown field or expansion names are a 400 ``invalid-request``;
- ``includes.users|tweets|media`` from ``expansions`` (user lookups: ``pinned_tweet_id`` puts
  the pinned post in ``includes.tweets``); a profile's ``description`` and ``url`` carry t.co
  links, expanded in ``entities``; ``meta{result_count, newest_id,
  oldest_id, next_token[, previous_token]}``; newest first; ``{"meta": {"result_count": 0}}``
  when nothing matches;
- ``since_id``/``until_id`` exclusive, ``start_time``/``end_time``; ``max_results`` bounds
  (timelines 5-100, recent search 10-100, full-archive 10-500); timelines stop at the newest
  3,200 posts (800 with ``exclude=replies``);
- recent search covers the last 7 days of the world's clock (an older ``start_time`` is a 400,
  as is an ``end_time`` less than 10 s before the clock); full-archive search defaults to the
  last 30 days;
- an edited post is served under its new id with ``edit_history_tweet_ids = [original, new]``;
  the original id still resolves (``/2/tweets?ids=``) to the original text, and the expansion
  ``edit_history_tweet_ids`` puts the other version in ``includes.tweets``;
- deleted or unknown ids come back in ``errors[]`` as ``resource-not-found`` (HTTP 200);
- ``x-rate-limit-limit/remaining/reset`` on every answer with the published per-15-minute app
  limits; 401 problem body when the bearer token is not the world's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.simulated.common import json_reply, parse_x_time, x_time, x_token, x_token_id
from connectors.simulated.world import Account, Item, Media, Person, World
from connectors.transport import Call, Reply

if TYPE_CHECKING:
    from connectors.simulated.platforms import SimulatedPlatforms

TWEET_FIELDS = frozenset({
    "attachments", "author_id", "card_uri", "context_annotations", "conversation_id",
    "created_at", "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id",
    "in_reply_to_user_id", "lang", "non_public_metrics", "note_tweet", "organic_metrics",
    "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets",
    "reply_settings", "source", "text", "withheld", "article", "display_text_range",
    "media_metadata", "scopes",
})
USER_FIELDS = frozenset({
    "affiliation", "connection_status", "created_at", "description", "entities", "id",
    "is_identity_verified", "location", "most_recent_tweet_id", "name", "parody",
    "pinned_tweet_id", "profile_banner_url", "profile_image_url", "protected", "public_metrics",
    "receives_your_dm", "subscription", "subscription_type", "url", "username", "verified",
    "verified_followers_count", "verified_type", "withheld",
})
MEDIA_FIELDS = frozenset({
    "alt_text", "duration_ms", "height", "media_key", "non_public_metrics", "organic_metrics",
    "preview_image_url", "promoted_metrics", "public_metrics", "type", "url", "variants",
    "width",
})
EXPANSIONS = frozenset({
    "attachments.media_keys", "attachments.poll_ids", "author_id", "edit_history_tweet_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id",
    "referenced_tweets.id", "referenced_tweets.id.author_id", "entities.note.mentions.username",
    "pinned_tweet_id", "affiliation.user_id", "most_recent_tweet_id",
})
# published per-15-minute app limits (docs.x.com, fundamentals/rate-limits)
RATE_LIMITS = {
    "users/:id/tweets": 10000,
    "users/:id/mentions": 450,
    "tweets/search/recent": 450,
    "tweets/search/all": 300,
    "tweets/:id": 450,
    "tweets": 3500,
    "users/by/username/:username": 300,
    "users/by": 300,
    "users/:id": 300,
    "users": 300,
}
WINDOW = 900
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
INVALID = "https://api.twitter.com/2/problems/invalid-request"


class BadParam(Exception):
    def __init__(self, param: str, value: str, message: str):
        super().__init__(message)
        self.param = param
        self.value = value
        self.message = message


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"title": title, "detail": detail or title, "type": "about:blank", "status": status}
    body.update(extra)
    return body


class XApi:
    """Handler for ``https://api.twitter.com`` (and ``api.x.com``)."""

    def __init__(self, world: World, platforms: SimulatedPlatforms,
                 clock: Callable[[], float] = time.time):
        self.world = world
        self.platforms = platforms
        self.clock = clock
        self.windows: dict[str, tuple[float, int]] = {}
        self._timeline_cache: dict[tuple[str, datetime], list[tuple[int, Item]]] = {}

    # -- rate limit headers ----------------------------------------------------------------

    def rate_headers(self, endpoint: str, *, exhausted: bool = False,
                     reset_in: int | None = None) -> dict[str, str]:
        limit = RATE_LIMITS.get(endpoint, 300)
        now = self.clock()
        start, count = self.windows.get(endpoint, (now, 0))
        if now - start >= WINDOW:
            start, count = now, 0
        count += 1
        self.windows[endpoint] = (start, count)
        if self.platforms.enforce_rate_limits:
            remaining = max(0, limit - count)
        else:  # never report an empty window: the simulated window restarts instead
            remaining = limit - 1 - ((count - 1) % (limit - 1))
        reset = int(start + WINDOW)
        if exhausted:
            remaining = 0
            reset = int(now + (reset_in if reset_in is not None else WINDOW))
        return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": str(reset), "api-version": "2.148",
                "x-access-level": "read", "cache-control": "no-cache, no-store, max-age=0"}

    def over_limit(self, endpoint: str) -> bool:
        if not self.platforms.enforce_rate_limits:
            return False
        start, count = self.windows.get(endpoint, (self.clock(), 0))
        return self.clock() - start < WINDOW and count >= RATE_LIMITS.get(endpoint, 300)

    # -- routing ---------------------------------------------------------------------------

    def endpoint_of(self, path: str) -> str:
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[0] != "2":
            return "unknown"
        rest = parts[1:]
        if rest[0] == "users":
            if len(rest) == 1:
                return "users"
            if rest[1] == "by":
                return "users/by/username/:username" if len(rest) > 2 else "users/by"
            if len(rest) == 3 and rest[2] in ("tweets", "mentions"):
                return f"users/:id/{rest[2]}"
            if len(rest) == 2:
                return "users/me" if rest[1] == "me" else "users/:id"
        if rest[0] == "tweets":
            if len(rest) == 1:
                return "tweets"
            if rest[1] == "search" and len(rest) == 3:
                return f"tweets/search/{rest[2]}"
            if len(rest) == 2:
                return "tweets/:id"
        return "unknown"

    def __call__(self, call: Call) -> Reply:
        endpoint = self.endpoint_of(call.path)
        auth = call.headers.get("Authorization") or call.headers.get("authorization") or ""
        if auth != f"Bearer {self.world.x_bearer_token}":
            return json_reply(401, problem(401, "Unauthorized"), self.rate_headers(endpoint))
        if call.method != "GET":
            return json_reply(403, problem(403, "Forbidden", "This simulated API is read-only."),
                              self.rate_headers(endpoint))
        if self.over_limit(endpoint):
            return json_reply(429, problem(429, "Too Many Requests"),
                              self.rate_headers(endpoint, exhausted=True,
                                                reset_in=int(self.windows[endpoint][0] + WINDOW
                                                             - self.clock())))
        headers = self.rate_headers(endpoint)
        try:
            status, body = self.route(endpoint, call)
        except BadParam as exc:
            status, body = 400, {
                "errors": [{"parameters": {exc.param: [exc.value]}, "message": exc.message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": INVALID,
            }
        return json_reply(status, body, headers)

    def route(self, endpoint: str, call: Call) -> tuple[int, dict[str, Any]]:
        parts = [p for p in call.path.split("/") if p]
        q = call.query
        if endpoint in ("users/:id/tweets", "users/:id/mentions"):
            return 200, self.timeline(parts[2], q, mentions=endpoint.endswith("mentions"))
        if endpoint == "tweets/search/recent":
            return 200, self.search(q, full=False)
        if endpoint == "tweets/search/all":
            return 200, self.search(q, full=True)
        if endpoint == "tweets":
            ids = [i for i in q.get("ids", "").split(",") if i]
            if not ids:
                raise BadParam("ids", "", "The `ids` query parameter can not be empty")
            if len(ids) > 100:
                raise BadParam("ids", q["ids"], "The number of values in the `ids` query "
                               f"parameter list [{len(ids)}] is not between 1 and 100")
            return 200, self.lookup(ids, q, "ids")
        if endpoint == "tweets/:id":
            return 200, self.lookup([parts[2]], q, "id", single=True)
        if endpoint == "users/by/username/:username":
            return 200, self.users([parts[4]], q, "username", single=True)
        if endpoint == "users/by":
            return 200, self.users(q.get("usernames", "").split(","), q, "usernames")
        if endpoint == "users/:id":
            return 200, self.users([parts[2]], q, "id", single=True)
        if endpoint == "users":
            return 200, self.users(q.get("ids", "").split(","), q, "ids")
        if endpoint == "users/me":
            return 403, problem(
                403, "Unsupported Authentication",
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. "
                "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User "
                "Context].", type="https://api.twitter.com/2/problems/unsupported-authentication")
        return 404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}

    # -- parameters ------------------------------------------------------------------------

    @staticmethod
    def _list(q: dict[str, str], name: str, allowed: frozenset[str]) -> set[str]:
        raw = q.get(name)
        if raw is None:
            return set()
        values = {v for v in raw.split(",") if v}
        bad = sorted(values - allowed)
        if bad:
            raise BadParam(name, bad[0], f"The `{name}` query parameter value [{bad[0]}] is not "
                           f"one of [{','.join(sorted(allowed))}]")
        return values

    def _fields(self, q: dict[str, str]) -> dict[str, set[str]]:
        return {
            "tweet": self._list(q, "tweet.fields", TWEET_FIELDS),
            "user": self._list(q, "user.fields", USER_FIELDS),
            "media": self._list(q, "media.fields", MEDIA_FIELDS),
            "expansions": self._list(q, "expansions", EXPANSIONS),
        }

    @staticmethod
    def _max_results(q: dict[str, str], lo: int, hi: int, default: int) -> int:
        raw = q.get("max_results")
        if raw is None:
            return default
        try:
            n = int(raw)
        except ValueError:
            raise BadParam("max_results", raw, f"The `max_results` query parameter value "
                           f"[{raw}] is not a number") from None
        if not lo <= n <= hi:
            raise BadParam("max_results", raw, f"The `max_results` query parameter value "
                           f"[{raw}] is not between {lo} and {hi}")
        return n

    @staticmethod
    def _id_param(q: dict[str, str], name: str) -> int | None:
        raw = q.get(name)
        if raw is None or raw == "":
            return None
        if not raw.isdigit():
            raise BadParam(name, raw, f"The `{name}` query parameter value [{raw}] does not "
                           "match ^[0-9]{1,19}$")
        return int(raw)

    @staticmethod
    def _time_param(q: dict[str, str], name: str) -> datetime | None:
        raw = q.get(name)
        if raw is None:
            return None
        when = parse_x_time(raw)
        if when is None:
            raise BadParam(name, raw, f"Invalid '{name}':'{raw}'. '{name}' must be a valid "
                           "RFC 3339 date-time")
        return when

    # -- versions of an item ---------------------------------------------------------------

    def current(self, item: Item) -> tuple[int, str, datetime, str]:
        """(id, text, created_at, ...) of the version served now."""
        if item.edit_id and self.world.edited(item):
            assert item.edited_at is not None
            return int(item.edit_id), item.edit_id, item.edited_at, item.text
        text = item.original_text if item.original_text is not None else item.text
        return int(item.id), item.id, item.created, text

    def history(self, item: Item) -> list[str]:
        if item.edit_id and self.world.edited(item):
            return [item.id, item.edit_id]
        return [item.id]

    # -- serialization ---------------------------------------------------------------------

    def tweet(self, item: Item, fields: set[str], *, version: str = "current") -> dict[str, Any]:
        w = self.world
        if version == "original" and item.edit_id and w.edited(item):
            tid, created = item.id, item.created
            text = item.original_text if item.original_text is not None else item.text
        else:
            _, tid, created, text = self.current(item)
        out: dict[str, Any] = {"id": tid, "text": text,
                               "edit_history_tweet_ids": self.history(item)}
        if "created_at" in fields:
            out["created_at"] = x_time(created)
        if "author_id" in fields:
            out["author_id"] = item.author_id
        if "conversation_id" in fields:
            out["conversation_id"] = item.root_id
        if "attachments" in fields and item.media:
            out["attachments"] = {"media_keys": [m.media_id for m in item.media]}
        if "in_reply_to_user_id" in fields and item.kind != "post" and item.to_user_id:
            out["in_reply_to_user_id"] = item.to_user_id
        if "referenced_tweets" in fields and item.parent_id:
            out["referenced_tweets"] = [{"type": "replied_to", "id": item.parent_id}]
        if "public_metrics" in fields:
            out["public_metrics"] = dict(item.metrics)
        if "lang" in fields:
            out["lang"] = "en"
        if "possibly_sensitive" in fields:
            out["possibly_sensitive"] = False
        if "reply_settings" in fields:
            out["reply_settings"] = "everyone"
        if "edit_controls" in fields:
            edits = 1 if item.edit_id and w.edited(item) else 0
            until = item.created + timedelta(hours=1)
            out["edit_controls"] = {"edits_remaining": 5 - edits,
                                    "is_edit_eligible": item.kind == "post",
                                    "editable_until": x_time(until)}
        if "entities" in fields:
            ents = self.entities(item, text)
            if ents:
                out["entities"] = ents
        if "display_text_range" in fields:
            out["display_text_range"] = [0, len(text)]
        return out

    def entities(self, item: Item, text: str) -> dict[str, Any]:
        ents: dict[str, Any] = {}
        handles = self.world.index["handle"]
        mentions = []
        for m in re.finditer(r"(?<![\w@])@(\w{1,15})", text):
            who = handles.get(("x", m.group(1).lower()))
            if who is not None:
                uid = who.platform_id if isinstance(who, Account) else who.id
                mentions.append({"start": m.start(), "end": m.end(), "username": m.group(1),
                                 "id": uid})
        if mentions:
            ents["mentions"] = mentions
        tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)}
                for m in re.finditer(r"(?<!\w)#(\w+)", text)]
        if tags:
            ents["hashtags"] = tags
        urls = []
        for tco, expanded in item.urls:
            pos = text.find(tco)
            if pos >= 0:
                display = re.sub(r"^https?://(www\.)?", "", expanded)
                urls.append({"start": pos, "end": pos + len(tco), "url": tco,
                             "expanded_url": expanded,
                             "display_url": display if len(display) < 27 else display[:25] + "…"})
        if urls:
            ents["urls"] = urls
        return ents

    def media(self, m: Media, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"media_key": m.media_id, "type": m.kind}
        if m.kind == "photo" and "url" in fields:
            out["url"] = m.url
        if m.kind == "video" and "preview_image_url" in fields:
            out["preview_image_url"] = m.url
        if "width" in fields:
            out["width"] = m.width if m.kind == "photo" else 1280
        if "height" in fields:
            out["height"] = m.height if m.kind == "photo" else 720
        if "alt_text" in fields and m.alt_text:
            out["alt_text"] = m.alt_text
        if m.kind == "video":
            if "duration_ms" in fields:
                out["duration_ms"] = m.duration_ms
            if "public_metrics" in fields:
                out["public_metrics"] = {"view_count": m.view_count}
            if "variants" in fields and m.video_url:
                base = m.video_url
                out["variants"] = [
                    {"bit_rate": 2176000, "content_type": "video/mp4", "url": base},
                    {"content_type": "application/x-mpegURL",
                     "url": base.replace("/vid/1280x720/", "/pl/").replace(".mp4", ".m3u8")},
                    {"bit_rate": 832000, "content_type": "video/mp4",
                     "url": base.replace("1280x720", "640x360")},
                ]
        return out

    def user(self, who: Account | Person, fields: set[str]) -> dict[str, Any]:
        if isinstance(who, Account):
            uid, name, username = who.platform_id, who.display_name, who.handle
            description, website = who.bio, who.website
            created, followers = who.created_at, who.followers
            tweets = len(self.world.index["x_authored"].get(uid, ()))
            verified_type = "government" if who.level == "district" else "none"
            location = f"{self.world.schools[0].town}, OK"
        else:
            uid, name, username = who.id, who.name, who.handle
            description = "" if who.role == "public" else "🏈📚"
            website = ""
            created, followers = who.created_at, 20 + int(uid[-3:]) % 400
            tweets = 50 + int(uid[-4:]) % 3000
            verified_type = "none"
            location = "Oklahoma" if int(uid[-1]) % 2 else ""
        out: dict[str, Any] = {"id": uid, "name": name, "username": username}
        shortened = {}
        desc = description
        for url in re.findall(r"https?://\S+", description):
            tco = "https://t.co/" + _short(uid + url)
            shortened[tco] = url
            desc = desc.replace(url, tco)
        if "created_at" in fields:
            out["created_at"] = x_time(created)
        if "description" in fields:
            out["description"] = desc
        if "url" in fields:
            out["url"] = "https://t.co/" + _short(uid + website) if website else ""
        if "entities" in fields:
            ents: dict[str, Any] = {}
            if website:
                tco = "https://t.co/" + _short(uid + website)
                ents["url"] = {"urls": [{"start": 0, "end": len(tco), "url": tco,
                                         "expanded_url": website,
                                         "display_url": re.sub(r"^https?://", "", website)}]}
            if shortened:
                ents["description"] = {"urls": [
                    {"start": desc.find(t), "end": desc.find(t) + len(t), "url": t,
                     "expanded_url": u, "display_url": re.sub(r"^https?://", "", u)}
                    for t, u in shortened.items()]}
            if ents:
                out["entities"] = ents
        if "location" in fields and location:
            out["location"] = location
        if "profile_image_url" in fields:
            out["profile_image_url"] = (
                f"https://pbs.twimg.com/profile_images/{uid[-8:]}/{_short(uid)}_normal.jpg")
        if "protected" in fields:
            out["protected"] = False
        if "public_metrics" in fields:
            out["public_metrics"] = {"followers_count": followers,
                                     "following_count": 80 + followers // 9,
                                     "tweet_count": tweets, "listed_count": followers // 200,
                                     "like_count": tweets * 2}
        if "verified" in fields:
            out["verified"] = verified_type != "none"
        if "verified_type" in fields:
            out["verified_type"] = verified_type
        pinned = self.pinned(who)
        if "pinned_tweet_id" in fields and pinned is not None:
            out["pinned_tweet_id"] = pinned.id
        return out

    def pinned(self, who: Account | Person) -> Item | None:
        """The post pinned to an account's profile, while it can be seen."""
        if not isinstance(who, Account) or who.pinned_post_id is None:
            return None
        item = self.world.index["item"].get(who.pinned_post_id)
        return item if item is not None and self.world.visible(item) else None

    def who(self, uid: str) -> Account | Person | None:
        idx = self.world.index
        return idx["account"].get(("x", uid)) or idx["person"].get(("x", uid))

    def page(self, items: list[Item], f: dict[str, set[str]],
             meta: dict[str, Any]) -> dict[str, Any]:
        """``data`` + ``includes`` (+ partial ``errors``) + ``meta`` for a page of tweets."""
        body: dict[str, Any] = {}
        if items:
            body["data"] = [self.tweet(it, f["tweet"]) for it in items]
        includes, errors = self.includes(items, f)
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors
        body["meta"] = meta
        return body

    def includes(self, items: Iterable[Item], f: dict[str, set[str]],
                 ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        exp = f["expansions"]
        w = self.world
        users: dict[str, dict[str, Any]] = {}
        tweets: dict[str, dict[str, Any]] = {}
        media: dict[str, dict[str, Any]] = {}
        errors: list[dict[str, Any]] = []

        def add_user(uid: str | None, param: str) -> None:
            if not uid or uid in users:
                return
            who = self.who(uid)
            if who is None:
                return
            users[uid] = self.user(who, f["user"])

        for it in items:
            if "author_id" in exp:
                add_user(it.author_id, "author_id")
            if "in_reply_to_user_id" in exp and it.kind != "post":
                add_user(it.to_user_id, "in_reply_to_user_id")
            if "attachments.media_keys" in exp:
                for m in it.media:
                    media.setdefault(m.media_id, self.media(m, f["media"]))
            if "entities.mentions.username" in exp:
                _, _, _, text = self.current(it)
                for handle in re.findall(r"(?<![\w@])@(\w{1,15})", text):
                    who = w.index["handle"].get(("x", handle.lower()))
                    if who is not None:
                        add_user(who.platform_id if isinstance(who, Account) else who.id,
                                 "entities.mentions.username")
            if it.parent_id and ("referenced_tweets.id" in exp
                                 or "referenced_tweets.id.author_id" in exp):
                parent = w.index["x_alias"].get(it.parent_id)
                if parent is not None and w.visible(parent):
                    if "referenced_tweets.id" in exp and parent.id not in tweets:
                        tweets[parent.id] = self.tweet(parent, f["tweet"], version="original")
                    if "referenced_tweets.id.author_id" in exp:
                        add_user(parent.author_id, "referenced_tweets.id.author_id")
                elif "referenced_tweets.id" in exp:
                    errors.append(not_found("tweet", it.parent_id, "referenced_tweets.id"))
            if "edit_history_tweet_ids" in exp and it.edit_id and w.edited(it):
                tweets.setdefault(it.id, self.tweet(it, f["tweet"], version="original"))
        out: dict[str, Any] = {}
        if media:
            out["media"] = list(media.values())
        if users:
            out["users"] = list(users.values())
        if tweets:
            out["tweets"] = list(tweets.values())
        return out, errors

    # -- endpoints -------------------------------------------------------------------------

    def _authored(self, uid: str) -> list[tuple[int, Item]]:
        """(current id, item) of a user's visible tweets, newest first (cached per clock)."""
        key = (uid, self.world.now)
        cached = self._timeline_cache.get(key)
        if cached is not None:
            return cached
        w = self.world
        rows = [(self.current(it)[0], it) for it in w.index["x_authored"].get(uid, ())
                if w.visible(it)]
        rows.sort(key=lambda r: r[0], reverse=True)
        if len(self._timeline_cache) > 256:
            self._timeline_cache.clear()
        self._timeline_cache[key] = rows
        return rows

    def timeline(self, uid: str, q: dict[str, str], mentions: bool = False) -> dict[str, Any]:
        f = self._fields(q)
        w = self.world
        max_results = self._max_results(q, 5, 100, 10)
        who = self.who(uid)
        if who is None:
            return {"errors": [not_found("user", uid, "id")]}
        if mentions:
            handle = who.handle.lower()
            rows = [(self.current(it)[0], it) for it in w.index["x_mentions"].get(handle, ())
                    if w.visible(it) and it.author_id != uid]
            rows.sort(key=lambda r: r[0], reverse=True)
            rows = rows[:800]
        else:
            rows = self._authored(uid)
            exclude = set(q.get("exclude", "").split(",")) - {""}
            if exclude - {"replies", "retweets"}:
                bad = sorted(exclude - {"replies", "retweets"})[0]
                raise BadParam("exclude", bad, f"The `exclude` query parameter value [{bad}] "
                               "is not one of [replies,retweets]")
            if "replies" in exclude:
                rows = [r for r in rows if r[1].kind == "post"][:800]
            else:
                rows = rows[:3200]
        return self._paged(rows, q, f, max_results, "pagination_token")

    def _paged(self, rows: list[tuple[int, Item]], q: dict[str, str], f: dict[str, set[str]],
               max_results: int, token_param: str) -> dict[str, Any]:
        since = self._id_param(q, "since_id")
        until = self._id_param(q, "until_id")
        start = self._time_param(q, "start_time")
        end = self._time_param(q, "end_time")
        if since is not None:
            rows = [r for r in rows if r[0] > since]
            start = None  # since_id wins over start_time
        if until is not None:
            rows = [r for r in rows if r[0] < until]
        if start is not None or end is not None:
            rows = [r for r in rows if (start is None or self.current(r[1])[2] >= start)
                    and (end is None or self.current(r[1])[2] <= end)]
        token = q.get(token_param) or q.get("next_token") or q.get("pagination_token")
        direction = "n"
        if token:
            decoded = x_token_id(token)
            if decoded is None:
                raise BadParam(token_param, token, f"The `{token_param}` query parameter value "
                               f"[{token}] is not valid")
            direction, pivot = decoded
            if direction == "n":
                rows = [r for r in rows if r[0] < pivot]
            else:
                newer = [r for r in rows if r[0] > pivot]
                rows = newer[-max_results:]
        page = rows[:max_results]
        more = len(rows) > max_results
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta = {"newest_id": str(page[0][0]), "oldest_id": str(page[-1][0]),
                    "result_count": len(page)}
            if more:
                meta["next_token"] = x_token("n", page[-1][0])
            if token and token_param == "pagination_token":
                meta["previous_token"] = x_token("p", page[0][0])
        return self.page([r[1] for r in page], f, meta)

    def search(self, q: dict[str, str], *, full: bool) -> dict[str, Any]:
        w = self.world
        f = self._fields(q)
        query = q.get("query")
        if not query:
            raise BadParam("query", "", "The `query` query parameter can not be empty")
        max_results = self._max_results(q, 10, 500 if full else 100, 10)
        start = self._time_param(q, "start_time")
        end = self._time_param(q, "end_time")
        now = w.now
        if end is not None and end > now - timedelta(seconds=10):
            raise BadParam("end_time", q["end_time"], f"Invalid 'end_time':'{q['end_time']}'. "
                           "'end_time' must be a minimum of 10 seconds prior to the request "
                           f"time ({x_time(now)}).")
        if not full:
            floor = now - timedelta(days=7)
            if start is not None and start < floor:
                raise BadParam("start_time", q["start_time"],
                               f"Invalid 'start_time':'{q['start_time']}'. 'start_time' must be "
                               f"on or after {floor.strftime('%Y-%m-%dT%H:%MZ')}")
            window_start = start or floor
        else:
            window_start = start or (now - timedelta(days=30))
        matcher = compile_query(query)
        conv = conversation_of(query)
        if conv is not None:
            pool: Iterable[Item] = w.index["thread"].get(conv, ())
        else:
            pool = (it for it in w.items if it.platform == "x")
        rows = []
        for it in pool:
            if not w.visible(it):
                continue
            cid, _, created, text = self.current(it)
            if created < window_start or (end is not None and created > end):
                continue
            if matcher(it, text, self):
                rows.append((cid, it))
        rows.sort(key=lambda r: r[0], reverse=True)
        # start_time was applied above; keep since_id/until_id/next_token handling
        q2 = {k: v for k, v in q.items() if k not in ("start_time", "end_time")}
        return self._paged(rows, q2, f, max_results, "next_token")

    def lookup(self, ids: list[str], q: dict[str, str], param: str,
               single: bool = False) -> dict[str, Any]:
        w = self.world
        f = self._fields(q)
        found: list[tuple[str, Item]] = []
        errors = []
        for tid in ids:
            it = w.index["x_alias"].get(tid)
            if it is None or not w.visible(it) or (tid == it.edit_id and not w.edited(it)):
                errors.append(not_found("tweet", tid, param))
                continue
            found.append((tid, it))
        body: dict[str, Any] = {}
        if found:
            data = [self.tweet(it, f["tweet"],
                               version="original" if tid == it.id else "current")
                    for tid, it in found]
            body["data"] = data[0] if single else data
            includes, inc_errors = self.includes([it for _, it in found], f)
            if includes:
                body["includes"] = includes
            errors.extend(inc_errors)
        if errors:
            body["errors"] = errors
        return body

    def users(self, keys: list[str], q: dict[str, str], param: str,
              single: bool = False) -> dict[str, Any]:
        f = self._fields(q)
        idx = self.world.index
        data = []
        errors = []
        tweets: list[dict[str, Any]] = []
        for key in keys:
            if not key:
                continue
            if param in ("username", "usernames"):
                who = idx["handle"].get(("x", key.lower()))
            else:
                who = self.who(key)
            if who is None or (isinstance(who, Account | Person) and who.platform != "x"):
                errors.append(not_found("user", key, param))
                continue
            data.append(self.user(who, f["user"]))
            pinned = self.pinned(who)
            if "pinned_tweet_id" in f["expansions"] and pinned is not None:
                tweets.append(self.tweet(pinned, f["tweet"]))
        body: dict[str, Any] = {}
        if data:
            body["data"] = data[0] if single else data
        if tweets:
            body["includes"] = {"tweets": tweets}
        if errors:
            body["errors"] = errors
        return body


def not_found(kind: str, value: str, param: str) -> dict[str, Any]:
    what = {"tweet": "tweet", "user": "user"}[kind]
    detail = (f"Could not find {what} with {param}: [{value}]." if kind == "user"
              else f"Could not find tweet with {param}: [{value}].")
    return {"value": value, "detail": detail, "title": "Not Found Error", "resource_type": what,
            "parameter": param, "resource_id": value, "type": NOT_FOUND}


def _short(seed: str) -> str:
    import hashlib

    digest = hashlib.sha1(seed.encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % 62] for b in digest[:10])


# --------------------------------------------------------------------------------------------
# Search queries
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r'-?"[^"]*"|\S+')


def conversation_of(query: str) -> str | None:
    m = re.search(r"(?<![-\w])conversation_id:(\d+)", query)
    if m and " OR " not in query:
        return m.group(1)
    return None


Matcher = Callable[[Item, str, XApi], bool]


def compile_query(query: str) -> Matcher:
    """A small subset of X search syntax: terms ANDed, ``OR`` between groups, ``-`` negation,
    quoted phrases, ``conversation_id:``, ``from:``, ``to:``, ``@user``, ``#tag``, ``is:reply``,
    ``is:retweet``, ``is:quote``, ``has:media|images|videos|links``, ``lang:``."""
    groups = [g for g in re.split(r"\s+OR\s+", query.replace("(", " ").replace(")", " ")) if g]
    compiled: list[list[tuple[bool, Callable[[Item, str, XApi], bool]]]] = []
    for g in groups:
        terms = []
        for tok in _TOKEN.findall(g):
            neg = tok.startswith("-")
            if neg:
                tok = tok[1:]
            terms.append((neg, _term(tok)))
        compiled.append(terms)

    def match(item: Item, text: str, api: XApi) -> bool:
        return any(all(t(item, text, api) != neg for neg, t in terms) for terms in compiled)

    return match


def _term(tok: str) -> Callable[[Item, str, XApi], bool]:
    low = tok.lower()
    if tok.startswith('"') and tok.endswith('"'):
        phrase = tok[1:-1].lower()
        return lambda it, text, api: phrase in text.lower()
    if ":" in tok and not tok.startswith("http"):
        op, _, value = tok.partition(":")
        op = op.lower()
        v = value.lower().lstrip("@")
        if op == "conversation_id":
            return lambda it, text, api: it.root_id == value and it.kind != "post"
        if op == "from":
            return lambda it, text, api: _username(api, it.author_id) == v or it.author_id == v
        if op == "to":
            return lambda it, text, api: bool(it.to_user_id) and (
                _username(api, it.to_user_id or "") == v or it.to_user_id == v)
        if op == "is":
            if v == "reply":
                return lambda it, text, api: it.kind != "post"
            return lambda it, text, api: False  # no retweets or quotes in the world
        if op == "has":
            if v in ("media", "images"):
                return lambda it, text, api: bool(it.media) and (
                    v == "media" or any(m.kind == "photo" for m in it.media))
            if v == "videos":
                return lambda it, text, api: any(m.kind == "video" for m in it.media)
            if v == "links":
                return lambda it, text, api: bool(it.urls)
            return lambda it, text, api: False
        if op == "lang":
            return lambda it, text, api: v == "en"
        if op in ("url", "place", "bio", "list", "point_radius", "place_country", "entity"):
            return lambda it, text, api: False
    if tok.startswith("@"):
        return lambda it, text, api: low in text.lower()
    return lambda it, text, api: re.search(r"(?<!\w)" + re.escape(low) + r"(?!\w)",
                                           text.lower()) is not None


def _username(api: XApi, uid: str) -> str:
    who = api.who(uid)
    return who.handle.lower() if who is not None else ""

