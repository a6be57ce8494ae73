"""``SimulatedPlatforms``: one world served as X, Graph and the media CDNs, with faults.

Build it over a world and mount its adapters on the ``requests`` sessions the real clients use::

    world = generate_world(seed=7)
    sim = SimulatedPlatforms(world, photo_dir=tmp_path)
    client = tweepy.Client(bearer_token=world.x_bearer_token)
    sim.mount(client.session)                       # api.twitter.com + the CDNs
    graph = facebook.GraphAPI(world.meta_token, session=sim.mount(requests.Session()))
    graph.version = "v25.0"

``x_client()`` and ``graph_client()`` do exactly that. Each adapter is a
``connectors.transport.HandlerAdapter`` (it records the calls it answered in ``.calls``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from connectors.simulated.common import json_reply
from connectors.simulated.faults import Fault
from connectors.simulated.graph_api import GraphApi, GraphError
from connectors.simulated.images import PhotoPool, video_stub
from connectors.simulated.world import World
from connectors.simulated.x_api import XApi, problem
from connectors.transport import Call, HandlerAdapter, Reply

X_HOSTS = ("api.twitter.com", "api.x.com")
GRAPH_HOSTS = ("graph.facebook.com",)
MEDIA_HOSTS = ("pbs.twimg.com", "video.twimg.com", "scontent.xx.fbcdn.net",
               "video.xx.fbcdn.net", "scontent.cdninstagram.com", "video.cdninstagram.com")


class SimulatedPlatforms:
    """The simulated X API, Graph API and CDNs over one ``World``.

    - ``faults``: ``Fault`` objects or dicts (see ``connectors.simulated.faults``).
    - ``photo_dir``: where the photo pool is cached (``photos-seed<seed>-v1/``); ``None`` keeps
      the JPEGs in memory only.
    - ``graph_from``: ``"page_token"`` (comments carry ``from`` only with that page's token, the
      real behaviour), ``"always"`` or ``"never"``.
    - ``enforce_rate_limits``: when True, going over a published X limit answers 429 until the
      window (wall clock) resets; when False (default) the headers are reported but the window
      restarts instead of running out, so long simulated runs never stall.
    """

    def __init__(self, world: World, faults: Iterable[Fault | Mapping[str, Any]] = (), *,
                 photo_dir: str | None | Any = None, graph_from: str = "page_token",
                 enforce_rate_limits: bool = False, clock: Callable[[], float] = time.time):
        if graph_from not in ("page_token", "always", "never"):
            raise ValueError("graph_from must be page_token, always or never")
        self.world = world
        self.faults: list[Fault] = [Fault.coerce(f) for f in faults]
        self.photos = PhotoPool(world.seed, photo_dir)
        self.graph_from = graph_from
        self.enforce_rate_limits = enforce_rate_limits
        self.clock = clock
        self.x = XApi(world, self, clock)
        self.graph = GraphApi(world, self, clock)
        self.requests: list[tuple[str, str, int]] = []  # (platform, path, status)

    # -- faults --------------------------------------------------------------------------------

    def add_fault(self, fault: Fault | Mapping[str, Any]) -> Fault:
        f = Fault.coerce(fault)
        self.faults.append(f)
        return f

    def clear_faults(self) -> None:
        self.faults.clear()

    def _fault_for(self, platform: str, call: Call) -> Fault | None:
        for f in self.faults:
            if f.check(platform, call.host, call.path):
                return f
        return None

    # -- dispatch ------------------------------------------------------------------------------

    def handle(self, call: Call) -> Reply:
        host = call.host.lower().split(":")[0]
        if host in X_HOSTS:
            reply = self.handle_x(call)
            platform = "x"
        elif host in GRAPH_HOSTS:
            reply = self.handle_graph(call)
            platform = "graph"
        elif host in MEDIA_HOSTS:
            reply = self.handle_media(call)
            platform = "media"
        else:
            reply = Reply(404, "Not Found", content_type="text/plain")
            platform = "unknown"
        self.requests.append((platform, call.path, reply.status))
        return reply

    def handle_x(self, call: Call) -> Reply:
        fault = self._fault_for("x", call)
        if fault is None:
            return self.x(call)
        endpoint = self.x.endpoint_of(call.path)
        if fault.kind == "malformed_page":
            return _truncate(self.x(call))
        if fault.kind == "rate_limit":
            return json_reply(fault.status or 429, problem(429, "Too Many Requests"),
                              self.x.rate_headers(endpoint, exhausted=True,
                                                  reset_in=fault.retry_after))
        headers = self.x.rate_headers(endpoint)
        if fault.kind == "server_error":
            status = fault.status or 503
            title = "Service Unavailable" if status == 503 else "Internal Server Error"
            return json_reply(status, problem(status, title), headers)
        if fault.kind == "token_expired":
            return json_reply(fault.status or 401, problem(401, "Unauthorized"), headers)
        if fault.kind == "credits_exhausted":
            return json_reply(fault.status or 402, {
                "account_id": 1722340951,
                "title": "CreditsDepleted",
                "detail": "Your enrolled account [1722340951] does not have any credits to "
                          "fulfill this request.",
                "type": "https://api.twitter.com/2/problems/credits",
            }, headers)
        return json_reply(fault.status or 403, {
            "client_id": "29384721",
            "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
                      "keys and tokens from a Twitter developer App that is attached to a "
                      "Project. You can create a project via the developer portal.",
            "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
            "title": "Client Forbidden",
            "required_enrollment": "Appropriate Level of API Access",
            "reason": "client-not-enrolled",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
        }, headers)

    def handle_graph(self, call: Call) -> Reply:
        platform = self.graph.platform_of(call)
        fault = self._fault_for(platform, call)
        if fault is None:
            return self.graph(call)
        if fault.kind == "malformed_page":
            return _truncate(self.graph(call))
        token = self.graph.token_of(call) or ""
        page_id = self.graph._page_tokens().get(token)
        minutes = max(1, round(fault.retry_after / 60))
        headers = self.graph.usage_headers(token, page_id, platform,
                                           throttled=fault.kind == "rate_limit",
                                           regain_minutes=minutes
                                           if fault.kind == "rate_limit" else 0)
        if fault.kind == "rate_limit":
            if page_id:
                code = 80002 if platform == "instagram" else 80001
                what = "Instagram account" if platform == "instagram" else "Page account"
                err = GraphError(fault.status or 400, code,
                                 f"(#{code}) There have been too many calls to this {what}. Wait "
                                 "a bit and try again. For more info, please refer to https://"
                                 "developers.facebook.com/docs/graph-api/overview/rate-limiting.",
                                 transient=True)
            else:
                err = GraphError(fault.status or 400, 4, "(#4) Application request limit "
                                 "reached", transient=True,
                                 extra={"error_subcode": 2446079})
                headers["X-App-Usage"] = ('{"call_count":100,"total_cputime":41,'
                                          '"total_time":63}')
            headers["Retry-After"] = str(fault.retry_after)
            return self.graph.error_reply(err, headers)
        if fault.kind == "server_error":
            status = fault.status or 500
            if status == 503:
                err = GraphError(503, 2, "An unexpected error has occurred. Please retry your "
                                 "request later.", transient=True)
            else:
                err = GraphError(status, 1, "An unknown error has occurred.", transient=True)
            return self.graph.error_reply(err, headers)
        if fault.kind == "token_expired":
            now = self.world.now
            expired = now - timedelta(hours=1)
            err = GraphError(fault.status or 400, 190,
                             "Error validating access token: Session has expired on "
                             f"{_fb_date(expired)}. The current time is {_fb_date(now)}.",
                             subcode=463)
            return self.graph.error_reply(err, headers)
        err = GraphError(fault.status or 403, 10,
                         "(#10) This endpoint requires the 'pages_read_engagement' permission or "
                         "the 'Page Public Content Access' feature. Refer to https://developers."
                         "facebook.com/docs/apps/review/login-permissions#manage-pages and "
                         "https://developers.facebook.com/docs/apps/review/feature#reference-"
                         "PAGES_ACCESS for details.")
        return self.graph.error_reply(err, headers)

    def handle_media(self, call: Call) -> Reply:
        fault = self._fault_for("media", call)
        if fault is not None and fault.kind != "malformed_page":
            status = fault.status or {"rate_limit": 429, "server_error": 503,
                                      "token_expired": 403, "permission": 403}[fault.kind]
            text = {429: "Too Many Requests", 503: "Service Unavailable",
                    403: "URL signature expired", 500: "Internal Server Error"}.get(
                status, "Error")
            return Reply(status, text, content_type="text/plain")
        reply = self.media(call)
        if fault is not None:
            return _truncate(reply)
        return reply

    def media(self, call: Call) -> Reply:
        host = call.host.lower().split(":")[0]
        key = host + call.path
        name = self.world.media_paths.get(key)
        headers = {"cache-control": "max-age=1209600, no-transform",
                   "access-control-allow-origin": "*"}
        if name is None and ("/profile_images/" in call.path or "t39.30808-1" in call.path):
            name = next(s.name for s in self.photos.specs if s.source == "logo")
        if name is None:
            if "fbcdn" in host or "cdninstagram" in host:
                return Reply(403, "URL signature mismatch", content_type="text/plain")
            return Reply(404, "", content_type="text/html; charset=utf-8")
        if name == "":
            return Reply(200, video_stub(), headers=headers, content_type="video/mp4")
        return Reply(200, self.photos.bytes(name), headers=headers, content_type="image/jpeg")

    # -- adapters and clients ------------------------------------------------------------------

    def x_adapter(self) -> HandlerAdapter:
        return HandlerAdapter(self._logged(self.handle_x, "x"))

    def graph_adapter(self) -> HandlerAdapter:
        return HandlerAdapter(self._logged(self.handle_graph, "graph"))

    def media_adapter(self) -> HandlerAdapter:
        return HandlerAdapter(self._logged(self.handle_media, "media"))

    def adapter(self) -> HandlerAdapter:
        """One adapter answering every simulated host."""
        return HandlerAdapter(self.handle)

    def _logged(self, fn: Callable[[Call], Reply], platform: str) -> Callable[[Call], Reply]:
        def run(call: Call) -> Reply:
            reply = fn(call)
            self.requests.append((platform, call.path, reply.status))
            return reply
        return run

    def mount(self, session: requests.Session,
              which: Iterable[str] = ("x", "graph", "media")) -> requests.Session:
        """Mount the simulated hosts on ``session`` (``which``: x, graph, media)."""
        which = set(which)
        if "x" in which:
            adapter = self.x_adapter()
            for host in X_HOSTS:
                session.mount(f"https://{host}", adapter)
        if "graph" in which:
            adapter = self.graph_adapter()
            for host in GRAPH_HOSTS:
                session.mount(f"https://{host}", adapter)
        if "media" in which:
            adapter = self.media_adapter()
            for host in MEDIA_HOSTS:
                session.mount(f"https://{host}", adapter)
        return session

    def session(self) -> requests.Session:
        return self.mount(requests.Session())

    def x_client(self, **kwargs: Any) -> Any:
        """A ``tweepy.Client`` with the world's bearer token, served by this simulation."""
        import tweepy

        kwargs.setdefault("bearer_token", self.world.x_bearer_token)
        client = tweepy.Client(**kwargs)
        self.mount(client.session, ("x", "media"))
        return client

    def graph_client(self, token: str | None = None, version: str = "v25.0") -> Any:
        """A ``facebook.GraphAPI`` (token: the world's Meta token by default) on ``version``."""
        import facebook

        graph = facebook.GraphAPI(token or self.world.meta_token,
                                  session=self.mount(requests.Session(), ("graph", "media")))
        graph.version = version
        return graph

    def environment(self) -> dict[str, str]:
        return self.world.environment()


def _truncate(reply: Reply) -> Reply:
    """The same answer with its body cut in half and status 200 (a broken page)."""
    content = reply.content()
    cut = content[: max(1, len(content) // 2)]
    return Reply(200, cut, headers=dict(reply.headers), content_type=reply.content_type)


def _fb_date(when: datetime) -> str:
    return when.strftime("%A, %d-%b-%y %H:%M:%S UTC")
