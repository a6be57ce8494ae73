"""The simulated Graph API (``https://graph.facebook.com/vNN.N/...``) for Pages and Instagram.

Nodes and edges served (what facebook-sdk's ``get_object``, ``get_connections`` and
``get_all_connections`` call):

- Page ``/{page-id}`` (also by username) and ``/me``; edges ``posts``, ``feed``,
  ``published_posts`` (newest first; ``since``, ``until``, ``limit`` <= 100, ``after``/``before``
  cursors), ``tagged``/``visitor_posts`` (empty).
- Post ``/{page-id}_{post-id}``: ``message``, ``created_time``, ``updated_time`` (after an edit
  the new message), ``permalink_url``, ``status_type``, ``full_picture``, ``from``, ``shares``,
  ``attachments{media,target,type,url,subattachments}`` (albums as ``subattachments``, videos
  with ``media.source``), and the count sub-queries
  ``comments.filter(stream).summary(true).limit(0)`` / ``reactions.summary(total_count)
  .limit(0)`` / ``reactions.type(LOVE)...as(love)``; edge ``comments`` (``filter=toplevel`` by
  default, ``filter=stream`` gives replies flat with ``parent``; ``order``; ``summary``).
- Comment ``/{post-id}_{comment-id}``: ``is_hidden``, ``comment_count``, ``like_count``,
  ``can_remove``..., ``parent``; ``from`` only when the request carries the Page token of that
  page (the "no from" mode of a user/system token; ``graph_from="always"|"never"`` overrides);
  edge ``comments`` (its replies).
- Photo/Video ``/{id}`` (``images``, ``alt_text`` — the automatic "May be an image of..." —,
  ``alt_text_custom``, ``source``).
- Page fields ``about`` (the bio, cut at 255 characters), ``description`` (whole), ``website``
  as the admin typed it (for a third of the Pages without ``https://``), ``link``; absent when
  empty, like every Graph field.
- Instagram user ``/{ig-user-id}`` (``username``, ``biography``, ``website``...), edge ``media``
  (``caption``, ``media_type`` IMAGE|VIDEO|CAROUSEL_ALBUM, ``media_product_type``, ``media_url``,
  ``thumbnail_url``, ``permalink``, ``shortcode``, ``timestamp``, ``like_count``,
  ``comments_count``, ``alt_text``, ``children{...}``); media edges ``comments`` (newest first,
  ``hidden``, ``from{id,username}``, nested ``replies{...}``) and ``children``; comment edge
  ``replies``.
- Root ``/?ids=a,b``.

Every answer carries ``X-App-Usage`` and, with a Page token, ``X-Business-Use-Case-Usage``;
``paging.next`` keeps ``access_token=<the token sent>`` like the real API. Errors use the real
body shape: unknown or deleted objects ``100``/``33`` (``GraphMethodException``), unknown fields
``100``, deprecated post fields ``12``, bad token ``190``, missing token ``104``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from connectors.simulated.common import (
    FieldSpec,
    FieldSyntaxError,
    decode_cursor,
    encode_cursor,
    graph_time,
    json_reply,
    parse_fields,
    parse_graph_time,
)
from connectors.simulated.world import Account, Item, Media, World
from connectors.transport import Call, Reply

if TYPE_CHECKING:
    from connectors.simulated.platforms import SimulatedPlatforms

GRAPH = "https://graph.facebook.com"
_VERSION = re.compile(r"^v\d+\.\d+$")
MISSING = object()

DEPRECATED_POST_FIELDS = ("type", "link", "object_id", "source", "name", "caption",
                          "description", "properties")


class GraphError(Exception):
    def __init__(self, status: int, code: int, message: str, *, type_: str = "OAuthException",
                 subcode: int | None = None, transient: bool | None = None,
                 extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type_
        self.subcode = subcode
        self.transient = transient
        self.extra = extra or {}


def no_object(oid: str) -> GraphError:
    return GraphError(
        400, 100,
        f"Unsupported get request. Object with ID '{oid}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        type_="GraphMethodException", subcode=33)


def no_field(name: str, node: str) -> GraphError:
    return GraphError(400, 100, f"(#100) Tried accessing nonexisting field ({name}) on node "
                                f"type ({node})")


@dataclass
class Node:
    kind: str  # Page, IGUser, Post, Comment, IGMedia, IGChild, IGComment, Photo, Video, User
    obj: Any
    item: Item | None = None
    media: Media | None = None


@dataclass
class Ctx:
    token: str
    page_token_of: str | None  # page id if the token is a Page token
    version: str
    call: Call


class GraphApi:
    """Handler for ``https://graph.facebook.com``."""

    def __init__(self, world: World, platforms: SimulatedPlatforms,
                 clock: Callable[[], float] = time.time):
        self.world = world
        self.platforms = platforms
        self.clock = clock
        self.calls: dict[str, int] = {}
        self.trace = 0

    # -- identity ----------------------------------------------------------------------------

    def _page_tokens(self) -> dict[str, str]:
        cached = getattr(self, "_pt", None)
        if cached is None:
            cached = {}
            for a in self.world.accounts:
                if a.token_env and a.token_env in self.world.tokens:
                    cached[self.world.tokens[a.token_env]] = a.platform_id
            self._pt = cached
        return cached

    @staticmethod
    def token_of(call: Call) -> str | None:
        token = call.query.get("access_token")
        if token:
            return token
        auth = call.headers.get("Authorization") or call.headers.get("authorization") or ""
        for prefix in ("OAuth ", "Bearer "):
            if auth.startswith(prefix):
                return auth[len(prefix):]
        return None

    def split_path(self, path: str) -> tuple[str, list[str]]:
        parts = [p for p in path.split("/") if p]
        version = "v25.0"
        if parts and _VERSION.match(parts[0]):
            version = parts.pop(0)
        return version, parts

    def platform_of(self, call: Call) -> str:
        """facebook or instagram: which platform the object of a request belongs to."""
        _, parts = self.split_path(call.path)
        if not parts:
            return "facebook"
        try:
            node = self.resolve(parts[0], None, check_visible=False)
        except GraphError:
            return "facebook"
        if node.kind.startswith("IG"):
            return "instagram"
        return "facebook"

    # -- headers -----------------------------------------------------------------------------

    def usage_headers(self, ctx_token: str | None, page_id: str | None, platform: str, *,
                      throttled: bool = False, regain_minutes: int = 0) -> dict[str, str]:
        key = page_id or "app"
        n = self.calls.get(key, 0) + 1
        self.calls[key] = n
        pct = (n % 4000) * 100 // 4800
        if throttled:
            pct = 100
        headers = {
            "X-App-Usage": json.dumps({"call_count": pct if not page_id else min(pct, 5),
                                       "total_cputime": pct // 3, "total_time": pct // 2}),
            "x-fb-rev": "1023456789",
            "facebook-api-version": "v25.0",
        }
        if page_id:
            headers["X-Business-Use-Case-Usage"] = json.dumps({page_id: [{
                "type": "instagram" if platform == "instagram" else "pages",
                "call_count": pct, "total_cputime": pct // 3, "total_time": pct // 2,
                "estimated_time_to_regain_access": regain_minutes,
            }]})
        return headers

    def next_trace(self) -> str:
        self.trace += 1
        digest = hashlib.sha1(f"{self.world.seed}:{self.trace}".encode()).digest()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(alphabet[b % 62] for b in digest[:11])

    def error_reply(self, err: GraphError, headers: dict[str, str]) -> Reply:
        body: dict[str, Any] = {"message": err.message, "type": err.type, "code": err.code}
        if err.subcode is not None:
            body["error_subcode"] = err.subcode
        if err.transient is not None:
            body["is_transient"] = err.transient
        body.update(err.extra)
        trace = self.next_trace()
        body["fbtrace_id"] = trace
        h = dict(headers)
        h["x-fb-trace-id"] = trace
        h["WWW-Authenticate"] = f'OAuth "Facebook Platform" "{_www_error(err.code)}" ' \
                                f'"{err.message[:80]}"'
        return json_reply(err.status, {"error": body}, h)

    # -- entry -------------------------------------------------------------------------------

    def __call__(self, call: Call) -> Reply:
        version, parts = self.split_path(call.path)
        token = self.token_of(call)
        page_id = self._page_tokens().get(token or "")
        platform = self.platform_of(call)
        headers = self.usage_headers(token, page_id, platform)
        headers["facebook-api-version"] = version
        if not token:
            return self.error_reply(GraphError(
                400, 104, "An access token is required to request this resource."), headers)
        if token != self.world.meta_token and page_id is None:
            return self.error_reply(GraphError(
                400, 190, "Invalid OAuth access token - Cannot parse access token"), headers)
        if call.method != "GET":
            return self.error_reply(GraphError(
                403, 200, "(#200) The simulated district is read-only."), headers)
        ctx = Ctx(token, page_id, version, call)
        try:
            body = self.route(parts, ctx)
        except GraphError as err:
            return self.error_reply(err, headers)
        headers["x-fb-trace-id"] = self.next_trace()
        return json_reply(200, body, headers)

    def route(self, parts: list[str], ctx: Ctx) -> dict[str, Any]:
        q = ctx.call.query
        specs = self._fields(q.get("fields"))
        if not parts:
            ids = [i for i in q.get("ids", "").split(",") if i]
            if not ids:
                raise GraphError(400, 100, "(#100) Missing 'ids' parameter")
            out = {}
            missing = []
            for oid in ids:
                try:
                    node = self.resolve(oid, ctx)
                except GraphError:
                    missing.append(oid)
                    continue
                out[oid] = self.render(node, specs, ctx)
            if missing:
                raise GraphError(400, 100, "(#100) Some of the aliases you requested do not "
                                           f"exist: {','.join(missing)}")
            return out
        node = self.resolve(parts[0], ctx)
        if len(parts) == 1:
            return self.render(node, specs, ctx)
        if len(parts) > 2:
            raise GraphError(400, 2500, f"Unknown path components: /{'/'.join(parts[2:])}")
        return self.edge(node, parts[1], specs, dict(q), ctx, parts[0])

    @staticmethod
    def _fields(raw: str | None) -> list[FieldSpec] | None:
        try:
            return parse_fields(raw)
        except FieldSyntaxError as exc:
            raise GraphError(400, 2500, str(exc)) from None

    # -- resolving ids -------------------------------------------------------------------------

    def resolve(self, oid: str, ctx: Ctx | None, check_visible: bool = True) -> Node:
        w = self.world
        idx = w.index
        if oid == "me":
            if ctx is not None and ctx.page_token_of:
                return Node("Page", idx["account"][("facebook", ctx.page_token_of)])
            uid = "1000" + str(int(hashlib.sha1(str(w.seed).encode()).hexdigest(), 16))[:11]
            return Node("User", {"id": uid, "name": f"{w.district['short']} Social Audit"})
        acc = idx["account"].get(("facebook", oid)) or idx["account"].get(("instagram", oid))
        if acc is None and not oid.isdigit() and "_" not in oid:
            acc = idx["handle"].get(("facebook", oid.lower()))
            if not isinstance(acc, Account):
                acc = None
        if acc is not None:
            return Node("Page" if acc.platform == "facebook" else "IGUser", acc)
        item = idx["item"].get(oid)
        if item is not None and item.platform in ("facebook", "instagram"):
            if check_visible and not w.visible(item):
                raise no_object(oid)
            if item.platform == "facebook":
                return Node("Post" if item.kind == "post" else "Comment", item, item)
            return Node("IGMedia" if item.kind == "post" else "IGComment", item, item)
        found = idx["media"].get(oid)
        if found is not None:
            post, m = found
            if post.platform in ("facebook", "instagram"):
                if check_visible and not w.visible(post):
                    raise no_object(oid)
                if post.platform == "instagram":
                    return Node("IGChild", m, post, m)
                return Node("Video" if m.kind == "video" else "Photo", m, post, m)
        raise no_object(oid)

    # -- rendering nodes -----------------------------------------------------------------------

    def render(self, node: Node, specs: list[FieldSpec] | None, ctx: Ctx) -> dict[str, Any]:
        producers = self.producers(node, ctx)
        if specs is None:
            specs = [FieldSpec(n) for n in DEFAULTS[node.kind]]
            lenient = True
        else:
            lenient = False
        out: dict[str, Any] = {}
        for spec in specs:
            if node.kind == "Post" and spec.name in DEPRECATED_POST_FIELDS:
                raise GraphError(400, 12, f"(#12) {spec.name} field is deprecated for versions "
                                          "v3.3 and higher")
            fn = producers.get(spec.name)
            if fn is None:
                if lenient:
                    continue
                raise no_field(spec.name, NODE_NAMES[node.kind])
            value = fn(spec)
            if value is not MISSING:
                out[spec.alias] = value
        if "id" in out:  # the real API puts id last in most answers
            out["id"] = out.pop("id")
        return out

    def producers(self, node: Node, ctx: Ctx) -> dict[str, Callable[[FieldSpec], Any]]:
        w = self.world
        kind = node.kind
        if kind == "Page":
            a: Account = node.obj
            return {
                "id": lambda s: a.platform_id,
                "name": lambda s: a.display_name,
                "username": lambda s: a.handle,
                "about": lambda s: a.bio[:255],
                "description": lambda s: a.bio,
                "website": lambda s: _typed_website(a),
                "link": lambda s: f"https://www.facebook.com/{a.handle}",
                "fan_count": lambda s: a.followers,
                "followers_count": lambda s: a.followers + a.followers // 20,
                "category": lambda s: "School" if a.kind == "official" else "Teacher",
                "category_list": lambda s: [{"id": "2601", "name": "School"}],
                "is_published": lambda s: True,
                "verification_status": lambda s: "not_verified",
                "emails": lambda s: [self._contact(a)[0]],
                "phone": lambda s: self._contact(a)[1],
                "instagram_business_account": lambda s: (
                    self._sub({"id": a.linked_id}, s) if a.linked_id else MISSING),
                "picture": lambda s: {"data": {"height": 50, "is_silhouette": False,
                                               "url": _profile_pic(a.platform_id),
                                               "width": 50}},
                "created_time": lambda s: graph_time(a.created_at),
            }
        if kind == "User":
            u = node.obj
            return {"id": lambda s: u["id"], "name": lambda s: u["name"]}
        if kind == "IGUser":
            a = node.obj
            return {
                "id": lambda s: a.platform_id,
                "ig_id": lambda s: int(a.platform_id[-10:]),
                "username": lambda s: a.handle,
                "name": lambda s: a.display_name,
                "biography": lambda s: a.bio,
                "website": lambda s: a.website or MISSING,
                "followers_count": lambda s: a.followers,
                "follows_count": lambda s: 120 + a.followers // 30,
                "media_count": lambda s: sum(1 for p in w.index["posts_of"].get(
                    ("instagram", a.platform_id), ()) if w.visible(p)),
                "profile_picture_url": lambda s: _profile_pic(a.platform_id),
            }
        it: Item = node.item  # type: ignore[assignment]
        if kind == "Post":
            acc = w.index["account"][("facebook", it.account_id)]
            return {
                "id": lambda s: it.id,
                "message": lambda s: self._message(it) or MISSING,
                "created_time": lambda s: graph_time(it.created),
                "updated_time": lambda s: graph_time(
                    it.edited_at if it.edited_at and w.edited(it) else it.created),
                "permalink_url": lambda s: f"https://www.facebook.com/{acc.platform_id}/posts/"
                                           f"{it.id.split('_')[1]}/",
                "status_type": lambda s: _status_type(it),
                "is_hidden": lambda s: False,
                "is_published": lambda s: True,
                "is_expired": lambda s: False,
                "full_picture": lambda s: it.media[0].url if it.media else MISSING,
                "picture": lambda s: it.media[0].url if it.media else MISSING,
                "icon": lambda s: ("https://www.facebook.com/images/icons/photo.gif"
                                   if it.media else MISSING),
                "from": lambda s: self._sub({"name": acc.display_name, "id": acc.platform_id},
                                            s),
                "shares": lambda s: ({"count": it.metrics.get("shares", 0)}
                                     if it.metrics.get("shares") else MISSING),
                "privacy": lambda s: {"allow": "", "deny": "", "description": "Public",
                                      "friends": "", "value": "EVERYONE"},
                "message_tags": lambda s: MISSING,
                "story": lambda s: MISSING,
                "attachments": lambda s: self._sub_list(self._attachments(it, acc), s),
                "comments": lambda s: self._nested_edge(node, "comments", s, ctx),
                "reactions": lambda s: self._reactions(it, s),
                "likes": lambda s: self._reactions(it, s, likes=True),
                "sharedposts": lambda s: {"data": []},
            }
        if kind == "Comment":
            acc = w.index["account"][("facebook", it.account_id)]
            return {
                "id": lambda s: it.id,
                "message": lambda s: it.text,
                "created_time": lambda s: graph_time(it.created),
                "from": lambda s: self._from_fb(it, acc, ctx, s),
                "parent": lambda s: self._parent(it, acc, ctx, s),
                "comment_count": lambda s: self._count_children(it),
                "like_count": lambda s: it.metrics.get("like_count", 0),
                "is_hidden": lambda s: w.hidden(it),
                "is_private": lambda s: False,
                "can_remove": lambda s: ctx.page_token_of == acc.platform_id,
                "can_hide": lambda s: ctx.page_token_of == acc.platform_id
                and it.author_id != acc.platform_id,
                "can_comment": lambda s: True,
                "can_like": lambda s: True,
                "can_reply_privately": lambda s: False,
                "user_likes": lambda s: False,
                "permalink_url": lambda s: self._comment_permalink(it, acc),
                "message_tags": lambda s: MISSING,
                "attachment": lambda s: MISSING,
                "object": lambda s: self._sub({"created_time": graph_time(
                    w.index["item"][it.root_id].created), "id": it.root_id}, s),
                "comments": lambda s: self._nested_edge(node, "comments", s, ctx),
                "reactions": lambda s: self._reactions(it, s),
                "likes": lambda s: self._reactions(it, s, likes=True),
            }
        if kind in ("Photo", "Video"):
            m: Media = node.media  # type: ignore[assignment]
            acc = w.index["account"][("facebook", it.account_id)]
            common = {
                "id": lambda s: m.media_id,
                "created_time": lambda s: graph_time(it.created),
                "updated_time": lambda s: graph_time(it.created),
                "from": lambda s: self._sub({"name": acc.display_name, "id": acc.platform_id},
                                            s),
                "picture": lambda s: m.url,
                "link": lambda s: f"https://www.facebook.com/photo.php?fbid={m.media_id}",
            }
            if kind == "Photo":
                spec = w.index["photo"][m.photo]
                return {
                    **common,
                    "name": lambda s: self._message(it) or MISSING,
                    "images": lambda s: [{"height": m.height, "source": m.url,
                                          "width": m.width}],
                    "width": lambda s: m.width,
                    "height": lambda s: m.height,
                    "alt_text": lambda s: _auto_alt(spec.faces, spec.kind),
                    "alt_text_custom": lambda s: m.alt_text or MISSING,
                    "album": lambda s: MISSING,
                }
            return {
                **common,
                "description": lambda s: self._message(it) or MISSING,
                "source": lambda s: m.video_url,
                "length": lambda s: round((m.duration_ms or 0) / 1000, 2),
                "permalink_url": lambda s: f"/{acc.platform_id}/videos/{m.media_id}/",
                "title": lambda s: MISSING,
                "thumbnails": lambda s: {"data": [{"uri": m.url, "width": m.width,
                                                   "height": m.height, "is_preferred": True}]},
            }
        if kind in ("IGMedia", "IGChild"):
            acc = w.index["account"][("instagram", it.account_id)]
            if kind == "IGChild":
                m = node.media  # type: ignore[assignment]
                return self._ig_child(it, m, acc)
            return {
                "id": lambda s: it.id,
                "ig_id": lambda s: it.id[-19:],
                "caption": lambda s: it.text or MISSING,
                "media_type": lambda s: _ig_type(it),
                "media_product_type": lambda s: "REELS" if _ig_type(it) == "VIDEO" else "FEED",
                "media_url": lambda s: (it.media[0].video_url if _ig_type(it) == "VIDEO"
                                        else it.media[0].url) if it.media else MISSING,
                "thumbnail_url": lambda s: (it.media[0].url if _ig_type(it) == "VIDEO"
                                            else MISSING),
                "permalink": lambda s: f"https://www.instagram.com/p/{it.shortcode}/",
                "shortcode": lambda s: it.shortcode,
                "timestamp": lambda s: graph_time(it.created),
                "username": lambda s: acc.handle,
                "owner": lambda s: self._sub({"id": acc.platform_id}, s),
                "like_count": lambda s: it.metrics.get("like_count", 0),
                "comments_count": lambda s: sum(1 for c in w.index["thread"].get(it.id, ())
                                                if w.visible(c)),
                "is_comment_enabled": lambda s: True,
                "is_shared_to_feed": lambda s: True if _ig_type(it) == "VIDEO" else MISSING,
                "alt_text": lambda s: (it.media[0].alt_text or MISSING)
                if _ig_type(it) == "IMAGE" and it.media else MISSING,
                "children": lambda s: self._ig_children(it, acc, s)
                if _ig_type(it) == "CAROUSEL_ALBUM" else MISSING,
                "comments": lambda s: self._nested_edge(node, "comments", s, ctx),
            }
        if kind == "IGComment":
            acc = w.index["account"][("instagram", it.account_id)]
            return {
                "id": lambda s: it.id,
                "text": lambda s: it.text,
                "timestamp": lambda s: graph_time(it.created),
                "username": lambda s: self._ig_username(it, acc),
                "from": lambda s: self._sub({"id": it.author_id,
                                             "username": self._ig_username(it, acc)}, s),
                "like_count": lambda s: it.metrics.get("like_count", 0),
                "hidden": lambda s: w.hidden(it),
                "parent_id": lambda s: it.parent_id if it.kind == "reply" else MISSING,
                "media": lambda s: self._sub({"id": it.root_id}, s),
                "user": lambda s: (self._sub({"id": acc.platform_id}, s)
                                   if it.author_id == acc.platform_id else MISSING),
                "replies": lambda s: self._nested_edge(node, "replies", s, ctx)
                if it.kind == "comment" else MISSING,
            }
        raise no_object(str(getattr(node.obj, "id", "?")))

    # -- field helpers -------------------------------------------------------------------------

    def _contact(self, a: Account) -> tuple[str, str]:
        """(email, phone) shown on a page: its school's office, or the district office."""
        for s in self.world.schools:
            if s.name == a.school:
                return s.email, s.phone
        return f"info@{self.world.district['domain']}", "(580) 555-0100"

    def _message(self, it: Item) -> str:
        if it.original_text is not None and not (it.edited_at and self.world.edited(it)):
            return it.original_text
        return it.text

    @staticmethod
    def _sub(obj: dict[str, Any], spec: FieldSpec) -> dict[str, Any]:
        if spec.sub is None:
            return obj
        return {s.alias: obj[s.name] for s in spec.sub if s.name in obj}

    def _sub_list(self, data: list[dict[str, Any]], spec: FieldSpec) -> dict[str, Any]:
        if spec.sub is None:
            return {"data": data}
        return {"data": [_select(d, spec.sub) for d in data]}

    def _from_fb(self, it: Item, acc: Account, ctx: Ctx, spec: FieldSpec) -> Any:
        if it.author_id == acc.platform_id:
            return self._sub({"name": acc.display_name, "id": acc.platform_id}, spec)
        mode = self.platforms.graph_from
        if mode == "never" or (mode == "page_token" and ctx.page_token_of != acc.platform_id):
            return MISSING
        person = self.world.index["person"].get(("facebook", it.author_id))
        name = person.name if person is not None else "Facebook User"
        return self._sub({"name": name, "id": it.author_id}, spec)

    def _parent(self, it: Item, acc: Account, ctx: Ctx, spec: FieldSpec) -> Any:
        if it.kind != "reply" or not it.parent_id:
            return MISSING
        parent = self.world.index["item"].get(it.parent_id)
        if parent is None:
            return MISSING
        obj: dict[str, Any] = {"created_time": graph_time(parent.created)}
        frm = self._from_fb(parent, acc, ctx, FieldSpec("from"))
        if frm is not MISSING:
            obj["from"] = frm
        obj["message"] = parent.text
        obj["id"] = parent.id
        return self._sub(obj, spec)

    def _count_children(self, it: Item) -> int:
        w = self.world
        return sum(1 for c in w.index["children"].get(it.id, ()) if w.visible(c))

    def _comment_permalink(self, it: Item, acc: Account) -> str:
        post_local = it.root_id.split("_")[1]
        if it.kind == "reply" and it.parent_id:
            return (f"https://www.facebook.com/{acc.platform_id}/posts/{post_local}/?comment_id="
                    f"{it.parent_id.split('_')[1]}&reply_comment_id={it.id.split('_')[1]}")
        return (f"https://www.facebook.com/{acc.platform_id}/posts/{post_local}/?comment_id="
                f"{it.id.split('_')[1]}")

    def _attachments(self, it: Item, acc: Account) -> list[dict[str, Any]]:
        if not it.media:
            return []

        def photo(m: Media) -> dict[str, Any]:
            url = f"https://www.facebook.com/photo.php?fbid={m.media_id}&set=a.{acc.platform_id}&type=3"
            return {"media": {"image": {"height": m.height, "src": m.url, "width": m.width}},
                    "target": {"id": m.media_id, "url": url}, "type": "photo", "url": url,
                    "media_type": "photo", "unshimmed_url": url}

        first = it.media[0]
        if first.kind == "video":
            url = f"https://www.facebook.com/{acc.platform_id}/videos/{first.media_id}/"
            return [{"media": {"image": {"height": 720, "src": first.url, "width": 1280},
                               "source": first.video_url},
                     "target": {"id": first.media_id, "url": url}, "type": "video_inline",
                     "url": url, "media_type": "video", "unshimmed_url": url}]
        if len(it.media) == 1:
            return [photo(first)]
        url = f"https://www.facebook.com/{acc.platform_id}/posts/{it.id.split('_')[1]}/"
        return [{"media": {"image": {"height": first.height, "src": first.url,
                                     "width": first.width}},
                 "target": {"id": it.id.split("_")[1], "url": url},
                 "title": f"Photos from {acc.display_name}'s post", "type": "album",
                 "media_type": "album", "url": url, "unshimmed_url": url,
                 "subattachments": {"data": [
                     {k: v for k, v in photo(m).items() if k != "unshimmed_url"}
                     for m in it.media]}}]

    def _reactions(self, it: Item, spec: FieldSpec, likes: bool = False) -> dict[str, Any]:
        total = it.metrics.get("reactions", it.metrics.get("like_count", 0))
        rtype = spec.modifiers.get("type", "").upper()
        if rtype:
            shares = {"LIKE": 0.68, "LOVE": 0.2, "CARE": 0.04, "HAHA": 0.03, "WOW": 0.02,
                      "SAD": 0.02, "ANGRY": 0.01}
            if it.labels.get("thread_controversial"):
                shares = {"LIKE": 0.5, "LOVE": 0.05, "CARE": 0.05, "HAHA": 0.05, "WOW": 0.05,
                          "SAD": 0.15, "ANGRY": 0.15}
            total = round(total * shares.get(rtype, 0.0))
        out: dict[str, Any] = {"data": []}
        if "summary" in spec.modifiers:
            if likes:
                out["summary"] = {"total_count": total, "can_like": True, "has_liked": False}
            else:
                out["summary"] = {"total_count": total, "viewer_reaction": "NONE"}
        return out

    def _ig_username(self, it: Item, acc: Account) -> str:
        if it.author_id == acc.platform_id:
            return acc.handle
        p = self.world.index["person"].get(("instagram", it.author_id))
        return p.handle if p is not None else "instagramuser"

    def _ig_child(self, it: Item, m: Media, acc: Account) -> dict[str, Callable[[FieldSpec], Any]]:
        return {
            "id": lambda s: m.media_id,
            "ig_id": lambda s: m.media_id[-19:],
            "media_type": lambda s: "VIDEO" if m.kind == "video" else "IMAGE",
            "media_url": lambda s: m.video_url if m.kind == "video" else m.url,
            "thumbnail_url": lambda s: m.url if m.kind == "video" else MISSING,
            "permalink": lambda s: f"https://www.instagram.com/p/{it.shortcode}/",
            "shortcode": lambda s: it.shortcode,
            "timestamp": lambda s: graph_time(it.created),
            "username": lambda s: acc.handle,
            "owner": lambda s: self._sub({"id": acc.platform_id}, s),
            "alt_text": lambda s: m.alt_text or MISSING,
        }

    def _ig_children(self, it: Item, acc: Account, spec: FieldSpec) -> dict[str, Any]:
        data = []
        specs = spec.sub or [FieldSpec("id")]
        for m in it.media:
            prods = self._ig_child(it, m, acc)
            row = {}
            for s in specs:
                fn = prods.get(s.name)
                if fn is None:
                    raise no_field(s.name, "ShadowIGMedia")
                v = fn(s)
                if v is not MISSING:
                    row[s.alias] = v
            data.append(row)
        return {"data": data}

    # -- edges ---------------------------------------------------------------------------------

    def edge_items(self, node: Node, edge: str, q: dict[str, str]) -> tuple[list[Item], str, str]:
        """(items in serving order, node kind of items, order name) for an edge of ``node``."""
        w = self.world
        idx = w.index
        kind = node.kind
        if kind == "Page" and edge in ("posts", "feed", "published_posts"):
            posts = [p for p in idx["posts_of"].get(("facebook", node.obj.platform_id), ())
                     if w.visible(p)]
            return list(reversed(posts)), "Post", "reverse_chronological"
        if kind == "IGUser" and edge == "media":
            posts = [p for p in idx["posts_of"].get(("instagram", node.obj.platform_id), ())
                     if w.visible(p)]
            return list(reversed(posts)), "IGMedia", "reverse_chronological"
        if kind in ("Post", "Comment") and edge == "comments":
            it = node.item
            assert it is not None
            filt = q.get("filter", "toplevel")
            if filt not in ("toplevel", "stream"):
                raise GraphError(400, 100, "(#100) param filter must be one of {toplevel, "
                                           "stream} - got \"" + filt + "\"")
            if kind == "Post" and filt == "stream":
                rows = [c for c in idx["thread"].get(it.id, ()) if w.visible(c)]
            else:
                rows = [c for c in idx["children"].get(it.id, ()) if w.visible(c)]
            order = q.get("order", "chronological")
            if order not in ("chronological", "reverse_chronological", "ranked"):
                raise GraphError(400, 100, "(#100) param order must be one of {chronological, "
                                           "reverse_chronological, ranked}")
            if order == "reverse_chronological":
                rows = list(reversed(rows))
            return rows, "Comment", order
        if kind == "IGMedia" and edge == "comments":
            it = node.item
            assert it is not None
            rows = [c for c in idx["children"].get(it.id, ()) if w.visible(c)]
            return list(reversed(rows)), "IGComment", "reverse_chronological"
        if kind == "IGComment" and edge == "replies":
            it = node.item
            assert it is not None
            rows = [c for c in idx["children"].get(it.id, ()) if w.visible(c)]
            return rows, "IGComment", "chronological"
        raise no_field(edge, NODE_NAMES[kind])

    def edge(self, node: Node, edge: str, specs: list[FieldSpec] | None, q: dict[str, str],
             ctx: Ctx, path_id: str) -> dict[str, Any]:
        if node.kind == "IGMedia" and edge == "children":
            if _ig_type(node.item) != "CAROUSEL_ALBUM":  # type: ignore[arg-type]
                return {"data": []}
            acc = self.world.index["account"][("instagram", node.item.account_id)]  # type: ignore[union-attr]
            return self._ig_children(node.item, acc, FieldSpec("children", sub=specs))  # type: ignore[arg-type]
        if node.kind == "Post" and edge == "attachments":
            acc = self.world.index["account"][("facebook", node.item.account_id)]  # type: ignore[union-attr]
            return self._sub_list(self._attachments(node.item, acc),  # type: ignore[arg-type]
                                  FieldSpec("attachments", sub=specs))
        if node.kind in ("Post", "Comment") and edge in ("reactions", "likes"):
            it = node.item
            assert it is not None
            return self._reactions(it, FieldSpec(edge, {"summary": q.get("summary", "")}
                                                 if q.get("summary") else {}),
                                   likes=edge == "likes")
        if (node.kind == "Page" and edge in ("tagged", "visitor_posts", "ratings")) or (
                node.kind == "IGUser" and edge in ("tags", "stories", "live_media")):
            return {"data": []}
        items, item_kind, order = self.edge_items(node, edge, q)
        return self.page_of(items, item_kind, order, specs, q, ctx, path_id, edge)

    def _nested_edge(self, node: Node, edge: str, spec: FieldSpec, ctx: Ctx) -> Any:
        q = {k: v for k, v in spec.modifiers.items() if k != "as"}
        items, item_kind, order = self.edge_items(node, edge, q)
        assert node.item is not None
        return self.page_of(items, item_kind, order, spec.sub, q, ctx, node.item.id, edge,
                            nested=True)

    def page_of(self, items: list[Item], item_kind: str, order: str,
                specs: list[FieldSpec] | None, q: dict[str, str], ctx: Ctx, path_id: str,
                edge: str, nested: bool = False) -> Any:
        try:
            limit = int(q.get("limit", "25"))
        except ValueError:
            raise GraphError(400, 100, "(#100) Param limit must be a number") from None
        if limit > 100 and item_kind in ("Post", "IGMedia"):
            raise GraphError(400, 100, "(#100) The limit parameter should not exceed 100")
        limit = max(0, min(limit, 5000))
        since = parse_graph_time(q.get("since", "")) if q.get("since") else None
        until = parse_graph_time(q.get("until", "")) if q.get("until") else None
        total = len(items)
        if since is not None:
            items = [i for i in items if i.ts >= since]
        if until is not None:
            items = [i for i in items if i.ts <= until]
        descending = order == "reverse_chronological"

        def key(i: Item) -> tuple[float, str]:
            return (i.ts, i.id)

        after = q.get("after")
        before = q.get("before")
        start = 0
        if after:
            pivot = _cursor_key(after)
            if pivot is None:
                raise GraphError(400, 100, "(#100) The after cursor is not valid")
            start = next((n for n, i in enumerate(items)
                          if (key(i) < pivot if descending else key(i) > pivot)), len(items))
            page = items[start:start + limit]
        elif before:
            pivot = _cursor_key(before)
            if pivot is None:
                raise GraphError(400, 100, "(#100) The before cursor is not valid")
            end = next((n for n, i in enumerate(items)
                        if (key(i) <= pivot if descending else key(i) >= pivot)), len(items))
            start = max(0, end - limit)
            page = items[start:end]
        else:
            page = items[:limit]
        data = [self.render(self._node_of(i, item_kind), specs, ctx) for i in page]
        out: dict[str, Any] = {"data": data}
        if page:
            first = encode_cursor(page[0].ts, page[0].id)
            last = encode_cursor(page[-1].ts, page[-1].id)
            paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
            more = start + len(page) < len(items)
            if more:
                paging["next"] = self._url(ctx, path_id, edge, q, specs, after=last)
            if after or before or start > 0:
                paging["previous"] = self._url(ctx, path_id, edge, q, specs, before=first)
            out["paging"] = paging
        summary_flag = q.get("summary")
        if summary_flag and summary_flag.lower() not in ("false", "0") and item_kind in (
                "Comment", "IGComment"):
            out["summary"] = {"order": "ranked" if order == "ranked" else order,
                              "total_count": total, "can_comment": True}
        if nested and limit == 0:
            out.pop("paging", None)
        if nested and not data and "summary" not in out:
            return MISSING  # the real API leaves out an empty nested edge
        return out

    def _node_of(self, it: Item, kind: str) -> Node:
        return Node(kind, it, it)

    def _url(self, ctx: Ctx, path_id: str, edge: str, q: dict[str, str],
             specs: list[FieldSpec] | None, **cursor: str) -> str:
        params: dict[str, str] = {"access_token": ctx.token, "pretty": "0"}
        for k, v in q.items():
            if k in ("access_token", "after", "before", "pretty", "as"):
                continue
            params[k] = v
        if specs is not None and "fields" not in params:
            params["fields"] = _unparse(specs)
        params.update(cursor)
        return f"{GRAPH}/{ctx.version}/{path_id}/{edge}?{urlencode(params)}"


def _cursor_key(token: str) -> tuple[float, str] | None:
    parts = decode_cursor(token)
    if not parts or len(parts) != 2:
        return None
    try:
        return float(parts[0]), parts[1]
    except ValueError:
        return None


def _select(d: dict[str, Any], specs: list[FieldSpec]) -> dict[str, Any]:
    out = {}
    for s in specs:
        if s.name in d:
            v = d[s.name]
            if s.sub is not None and isinstance(v, dict):
                if "data" in v and isinstance(v["data"], list) and any(
                        sub.name == "data" for sub in s.sub):
                    v = _select(v, s.sub)  # `edge{data{...}}` selects on the list wrapper
                elif "data" in v and isinstance(v["data"], list):
                    v = {"data": [_select(x, s.sub) for x in v["data"]]}
                else:
                    v = _select(v, s.sub)
            out[s.alias] = v
    return out


def _unparse(specs: list[FieldSpec]) -> str:
    parts = []
    for s in specs:
        text = s.name + "".join(f".{k}({v})" for k, v in s.modifiers.items())
        if s.sub is not None:
            text += "{" + _unparse(s.sub) + "}"
        parts.append(text)
    return ",".join(parts)


def _status_type(it: Item) -> str:
    if not it.media:
        return "mobile_status_update"
    return "added_video" if it.media[0].kind == "video" else "added_photos"


def _ig_type(it: Item) -> str:
    if len(it.media) > 1:
        return "CAROUSEL_ALBUM"
    if it.media and it.media[0].kind == "video":
        return "VIDEO"
    return "IMAGE"


def _auto_alt(faces: int, kind: str) -> str:
    if faces == 0:
        return "May be an image of text" if kind == "no_people" and faces == 0 else \
            "No photo description available."
    if faces == 1:
        return "May be an image of 1 person"
    return f"May be an image of {faces} people"


def _profile_pic(pid: str) -> str:
    return (f"https://scontent.xx.fbcdn.net/v/t39.30808-1/{pid[-9:]}_{pid}_n.jpg"
            f"?stp=cp0_dst-jpg_s50x50&_nc_ht=scontent.xx")


def _www_error(code: int) -> str:
    return "invalid_token" if code in (190, 102, 104) else "invalid_request"


DEFAULTS: dict[str, tuple[str, ...]] = {
    "Page": ("name", "id"),
    "User": ("name", "id"),
    "IGUser": ("id",),
    "Post": ("created_time", "message", "id"),
    "Comment": ("created_time", "from", "message", "id"),
    "Photo": ("created_time", "name", "id"),
    "Video": ("created_time", "description", "id"),
    "IGMedia": ("id",),
    "IGChild": ("id",),
    "IGComment": ("timestamp", "text", "id"),
}
NODE_NAMES = {
    "Page": "Page", "User": "User", "IGUser": "IGUser", "Post": "PagePost",
    "Comment": "Comment", "Photo": "Photo", "Video": "Video", "IGMedia": "IGMedia",
    "IGChild": "ShadowIGMedia", "IGComment": "IGComment",
}


def _typed_website(a: Account) -> Any:
    """A Page's website as its admin typed it: Graph returns the text as is, so a third of the
    Pages give it without a scheme (``www.district.org/...``)."""
    if not a.website:
        return MISSING
    return re.sub(r"^https?://", "", a.website) if int(a.platform_id) % 3 == 0 else a.website
