"""The simulated district: accounts, registry, posts, comments, replies, media, ground truth.

``generate_world(seed, scale)`` builds the whole district deterministically from the seed. What
it contains (at scale 1, about 1,000 items; item counts grow linearly with ``scale``):

- a district with ~5 schools (``sqrt(scale)`` more as it grows), designees (``D001``...), official
  accounts on X, Facebook and Instagram, a few dozen registered teacher pages, and one or two
  unregistered accounts that present themselves as official (in the ground truth only);
- posts, public comments and replies in threads over ``weeks`` weeks ending at ``end``, with
  times in school hours of America/Chicago, per-account engagement baselines and planted spikes;
- media (photos with and without people, single-student photos, videos with a preview image,
  albums and carousels) pointing at a pool of real JPEGs (``images.PhotoPool``);
- parent consents, media-consent links, reply approvals and a roster of hashed student handles;
- planted violations of every rule in DESIGN.md at known rates, with ``ground_truth`` rows, and
  a ``labels`` dict on every item (what a perfect detector would say about it).

The world has a clock (``world.now``): the handlers serve only items created at or before it,
and hide/delete events apply once their time has passed. Deletions happen after ``end`` (so a
second capture after ``advance()`` observes them); most hides happen before ``end`` (visible as
``is_hidden``/``hidden``), some after.

Conventions a consumer relies on:
- X items are keyed by their original tweet id (``edit_history_tweet_ids[0]``); an edited tweet
  also has ``edit_id``, the id it is served under once the edit time has passed.
- Graph ids look like the real ones: Facebook posts ``{page_id}_{post_id}``, comments
  ``{post_id}_{comment_id}``; Instagram media and comment ids are 17-18 digit numbers.
- ``roster.csv`` holds ``sha256(handle.lower().lstrip("@"))`` of student X/Instagram usernames,
  and for Facebook ``sha256(from.id)``.
- ``consents.csv`` holds ``sha256(student id number)``.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.simulated import text as T
from connectors.simulated.images import PhotoSpec, pool_specs

TIMEZONE = "America/Chicago"
TZ = ZoneInfo(TIMEZONE)
DEFAULT_END = datetime(2026, 4, 24, 22, 0, tzinfo=UTC)  # Friday, 5 pm in Chicago
X_EPOCH_MS = 1288834974657
ITEMS_PER_SCALE = 1000
X_BEARER_ENV = "SOCIALAUDIT_X_BEARER_TOKEN"
META_TOKEN_ENV = "SOCIALAUDIT_META_TOKEN"
ROE_PATH = "/social-media-rules"

RULES = (
    "teacher_page_non_school",
    "student_media_without_consent",
    "unapproved_controversial_reply",
    "removable_comment",
    "confidential_disclosure",
    "private_exchange_with_student",
    "account_governance",
    "undocumented_removal",
    "media_attention",
)
GROUND_WEIGHTS = (
    ("obscene_profane", 0.2), ("threat_violence", 0.12), ("harassment_abuse", 0.18),
    ("spam_advertising", 0.2), ("illegal_activity", 0.1), ("off_topic", 0.2),
)
CONTROVERSIAL_WEIGHTS = (
    ("bond_election", 0.28), ("bus_accident", 0.14), ("discipline_incident", 0.14),
    ("book_removal", 0.13), ("phone_ban", 0.08), ("four_day_week", 0.07),
    ("budget_cuts", 0.07), ("school_closure", 0.04), ("threat_rumor", 0.05),
)
CONSENT_PROBLEMS = (
    ("missing", 0.35), ("unknown", 0.14), ("revoked", 0.13), ("expired", 0.12),
    ("scope", 0.1), ("single_student", 0.16),
)
STREETS = ("College Ave", "Main St", "Oklahoma Blvd", "School Rd", "Eagle Dr", "Flynn St",
           "Eleventh St", "Barnes Ave")
DESIGNEE_ROLES = (
    "Director of Communications", "Public Information Officer", "Digital Media Coordinator",
    "Assistant Superintendent", "Webmaster", "Athletics Communications Coordinator",
    "Executive Assistant to the Superintendent", "Community Relations Specialist",
)


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class School:
    code: str
    name: str
    mascot: str
    town: str
    phone: str
    email: str
    address: str

    def as_text_ctx(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "mascot": self.mascot, "town": self.town,
                "phone": self.phone, "email": self.email, "address": self.address}


@dataclass(slots=True)
class Designee:
    designee_id: str
    name: str
    email: str
    role: str


@dataclass(slots=True)
class Account:
    """An account on one platform: official, teacher page, or unregistered look-alike."""

    platform: str  # x | facebook | instagram
    platform_id: str
    handle: str
    display_name: str
    kind: str  # official | teacher_page
    school: str  # school name, or "District Office"
    school_code: str
    owner: str
    designee_admins: list[str]
    token_env: str
    registered: bool
    roe_link: bool
    bio: str
    website: str
    created_at: datetime
    followers: int
    baseline: float  # median likes/reactions of an ordinary post
    level: str  # district | school | teacher | unregistered
    linked_id: str | None = None  # Instagram account <-> Facebook page
    teacher_name: str | None = None
    subject: str | None = None
    pinned_post_id: str | None = None  # X: the post pinned to the profile

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.platform_id}"


@dataclass(slots=True)
class Person:
    """A member of the public or a student, on one platform."""

    platform: str
    id: str
    handle: str  # X / Instagram username; Facebook: "" (no public handle)
    name: str
    role: str  # public | student
    school: str
    created_at: datetime

    def mention(self) -> str:
        """How a reply names this person after "@": the username, or on Facebook the name."""
        return self.name if self.platform == "facebook" else self.handle


@dataclass(slots=True)
class Consent:
    consent_id: str
    student_id: str
    student_id_sha256: str
    scope: tuple[str, ...]
    granted_on: date
    expires_on: date | None
    revoked_on: date | None
    school: str
    status: str  # valid | revoked | expired | scope

    def valid_on(self, day: date) -> bool:
        if "social_media" not in self.scope or day < self.granted_on:
            return False
        if self.expires_on is not None and day > self.expires_on:
            return False
        return not (self.revoked_on is not None and day >= self.revoked_on)


@dataclass(slots=True)
class MediaConsent:
    platform: str
    post_id: str
    consent_id: str


@dataclass(slots=True)
class Approval:
    approval_id: str
    platform: str
    target_id: str
    approver: str
    approved_at: datetime
    note: str


@dataclass(slots=True)
class Media:
    media_id: str  # X media_key, Facebook photo/video id, Instagram (child) media id
    kind: str  # photo | video
    photo: str  # pool photo name (the photo, or the video's preview image)
    url: str  # photo URL or the video's preview image URL
    width: int
    height: int
    faces: int
    alt_text: str | None = None
    video_url: str | None = None
    duration_ms: int | None = None
    view_count: int | None = None


@dataclass(slots=True)
class Item:
    """A post, a comment (reply to a post) or a reply (to a comment), on one platform."""

    id: str
    platform: str
    kind: str  # post | comment | reply
    account_id: str  # platform id of the account whose timeline/page holds the thread
    author_id: str
    author_role: str  # official | teacher | unregistered | public | student
    text: str
    created: datetime
    root_id: str  # the post (X: conversation id)
    parent_id: str | None  # the item replied to (None for posts)
    to_user_id: str | None = None  # X in_reply_to_user_id
    media: list[Media] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    hidden_at: datetime | None = None
    deleted_at: datetime | None = None
    edit_id: str | None = None  # X: id of the edited version
    edited_at: datetime | None = None
    original_text: str | None = None
    urls: list[tuple[str, str]] = field(default_factory=list)  # X: (t.co, expanded)
    shortcode: str | None = None  # Instagram

    @property
    def ts(self) -> float:
        return self.created.timestamp()


@dataclass
class World:
    """Everything the simulated district is, plus its clock."""

    seed: int
    scale: float
    start: datetime
    end: datetime
    weeks: int
    district: dict[str, str]
    schools: list[School]
    designees: list[Designee]
    accounts: list[Account]
    people: list[Person]
    consents: list[Consent]
    media_consents: list[MediaConsent]
    approvals: list[Approval]
    items: list[Item]
    ground_truth: list[dict[str, Any]]
    tokens: dict[str, str]  # environment variable name -> credential value
    photo_specs: tuple[PhotoSpec, ...]
    media_paths: dict[str, str]  # host + path -> pool photo name ("" for a video file)
    roster: list[tuple[str, str, str]] = field(default_factory=list)  # platform, sha256, school
    now: datetime = field(default=DEFAULT_END)
    _index: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- clock -----------------------------------------------------------------------------

    def set_now(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("world.now must be timezone-aware")
        self.now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self.now = self.now + delta
        return self.now

    def visible(self, item: Item) -> bool:
        return item.created <= self.now and (item.deleted_at is None or item.deleted_at > self.now)

    def hidden(self, item: Item) -> bool:
        return item.hidden_at is not None and item.hidden_at <= self.now

    def edited(self, item: Item) -> bool:
        return item.edited_at is not None and item.edited_at <= self.now

    # -- credentials -----------------------------------------------------------------------

    @property
    def x_bearer_token(self) -> str:
        return self.tokens[X_BEARER_ENV]

    @property
    def meta_token(self) -> str:
        return self.tokens[META_TOKEN_ENV]

    def environment(self) -> dict[str, str]:
        """Environment variables (name -> value) a pipeline run against this world needs."""
        return dict(self.tokens)

    # -- views -----------------------------------------------------------------------------

    @property
    def registered_accounts(self) -> list[Account]:
        return [a for a in self.accounts if a.registered]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for item in self.items:
            out[item.kind] += 1
        out["items"] = len(self.items)
        return dict(out)

    def label_rows(self) -> list[dict[str, Any]]:
        """One row per post, comment and reply, per media item and per account."""
        accounts = self.index["account"]
        rows: list[dict[str, Any]] = []
        for item in self.items:
            acc = accounts[(item.platform, item.account_id)]
            row: dict[str, Any] = {
                "kind": item.kind,
                "platform": item.platform,
                "item_native_id": item.id,
                "account_id": item.account_id,
                "account_registered": acc.registered,
                "account_kind": acc.kind,
                "author_id": item.author_id,
                "author_role": item.author_role,
                "created_at": iso(item.created),
                "root_id": item.root_id,
                "parent_id": item.parent_id,
                "text": item.text,
                "labels": item.labels,
            }
            if item.original_text is not None:
                row["original_text"] = item.original_text
                row["edit_id"] = item.edit_id
                row["edited_at"] = iso(item.edited_at) if item.edited_at else None
            if item.hidden_at is not None:
                row["hidden_at"] = iso(item.hidden_at)
            if item.deleted_at is not None:
                row["deleted_at"] = iso(item.deleted_at)
            rows.append(row)
            for m in item.media:
                spec = self.index["photo"][m.photo]
                rows.append({
                    "kind": "media",
                    "platform": item.platform,
                    "item_native_id": m.media_id,
                    "post_id": item.id,
                    "account_id": item.account_id,
                    "media_type": m.kind,
                    "url": m.url,
                    "photo": m.photo,
                    "alt_text": m.alt_text,
                    "labels": {
                        "faces": m.faces,
                        "people": m.faces > 0,
                        "single_person": m.faces == 1,
                        "photo_kind": spec.kind,
                        "single_student": spec.kind == "single_student",
                    },
                })
        for acc in self.accounts:
            rows.append({
                "kind": "account",
                "platform": acc.platform,
                "item_native_id": None,
                "account_id": acc.platform_id,
                "handle": acc.handle,
                "text": acc.bio,
                "labels": {
                    "account_kind": acc.kind,
                    "level": acc.level,
                    "registered": acc.registered,
                    "presents_as_official": acc.level in ("district", "school", "unregistered"),
                    "roe_link": acc.roe_link,
                    "designee_admins": list(acc.designee_admins),
                },
            })
        return rows

    def digest(self) -> str:
        """SHA-256 over everything generated (registry, items, labels, ground truth)."""
        h = hashlib.sha256()
        for row in self.label_rows():
            h.update(json.dumps(row, sort_keys=True, default=str).encode())
        for rows in (self.ground_truth, [vars_of(a) for a in self.accounts],
                     [vars_of(c) for c in self.consents], [vars_of(m) for m in self.media_consents],
                     [vars_of(a) for a in self.approvals], self.roster,
                     [vars_of(d) for d in self.designees], sorted(self.media_paths.items())):
            h.update(json.dumps(rows, sort_keys=True, default=str).encode())
        return h.hexdigest()

    # -- indexes (built once, used by the handlers) -----------------------------------------

    @property
    def index(self) -> dict[str, Any]:
        if not self._index:
            self._index.update(_build_index(self))
        return self._index


def vars_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _build_index(world: World) -> dict[str, Any]:
    account = {(a.platform, a.platform_id): a for a in world.accounts}
    by_handle = {(a.platform, a.handle.lower()): a for a in world.accounts}
    person = {(p.platform, p.id): p for p in world.people}
    for p in world.people:
        if p.handle:
            by_handle.setdefault((p.platform, p.handle.lower()), p)  # type: ignore[arg-type]
    item: dict[str, Item] = {}
    x_alias: dict[str, Item] = {}
    children: dict[str, list[Item]] = defaultdict(list)
    thread: dict[str, list[Item]] = defaultdict(list)
    posts_of: dict[tuple[str, str], list[Item]] = defaultdict(list)
    x_authored: dict[str, list[Item]] = defaultdict(list)
    x_mentions: dict[str, list[Item]] = defaultdict(list)
    media: dict[str, tuple[Item, Media]] = {}
    for it in world.items:
        item[it.id] = it
        if it.platform == "x":
            x_alias[it.id] = it
            if it.edit_id:
                x_alias[it.edit_id] = it
            x_authored[it.author_id].append(it)
            if it.kind != "post":
                thread[it.root_id].append(it)
            for handle in re.findall(r"@(\w{1,15})", it.text):
                x_mentions[handle.lower()].append(it)
        if it.kind == "post":
            posts_of[(it.platform, it.account_id)].append(it)
        elif it.parent_id:
            children[it.parent_id].append(it)
            if it.platform != "x" and it.kind == "reply":
                thread[it.root_id].append(it)
            elif it.platform != "x":
                thread[it.root_id].append(it)
        for m in it.media:
            media[m.media_id] = (it, m)
    for lst in list(children.values()) + list(thread.values()) + list(posts_of.values()) \
            + list(x_authored.values()) + list(x_mentions.values()):
        lst.sort(key=lambda i: (i.created, i.id))
    return {
        "account": account,
        "handle": by_handle,
        "person": person,
        "item": item,
        "x_alias": x_alias,
        "children": children,
        "thread": thread,
        "posts_of": posts_of,
        "x_authored": x_authored,
        "x_mentions": x_mentions,
        "media": media,
        "photo": {s.name: s for s in world.photo_specs},
    }


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in pairs)
    for name, w in pairs:
        r -= w
        if r <= 0:
            return name
    return pairs[-1][0]


class _Deck:
    """Draws from weighted kinds like a shuffled deck: every kind shows up at its rate, even in
    small worlds (a weight of 0.1 is one card in ten)."""

    def __init__(self, rng: random.Random, pairs: tuple[tuple[str, float], ...]):
        self.rng = rng
        total = sum(w for _, w in pairs)
        self.kinds = [name for name, _ in pairs]
        self.cards = [name for name, w in pairs for _ in range(max(1, round(20 * w / total)))]
        self.pile: list[str] = []

    def draw(self) -> str:
        if not self.pile:
            # one card of each kind on top, so even a few draws see every kind
            rest = list(self.cards)
            for name in self.kinds:
                rest.remove(name)
            self.rng.shuffle(rest)
            top = list(self.kinds)
            self.rng.shuffle(top)
            self.pile = rest + top  # pop() takes from the end
        return self.pile.pop()


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit = math.exp(-lam)
        k, p = 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_B64URL = _B64 + "-_"
_URL_RE = re.compile(r"https?://[^\s]+")


class _Ids:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Any) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def snowflake(self, ts: float) -> str:
        ms = int(ts * 1000)
        return self._unique(lambda: str(((ms - X_EPOCH_MS) << 22) | self.rng.getrandbits(22)))

    def digits(self, prefix: str, n: int) -> str:
        return self._unique(lambda: prefix + "".join(
            str(self.rng.randrange(10)) for _ in range(n)))

    def token(self, n: int, alphabet: str = _B64) -> str:
        return "".join(alphabet[self.rng.randrange(len(alphabet))] for _ in range(n))


class _Gen:
    def __init__(self, seed: int, scale: float, end: datetime, weeks: int):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.seed = seed
        self.scale = scale
        self.end = end.astimezone(UTC)
        self.weeks = weeks
        self.start = self.end - timedelta(weeks=weeks)
        self.end_ts = self.end.timestamp()
        self.start_ts = self.start.timestamp()
        self.rng = random.Random(f"socialaudit-world:{seed}")
        self.ids = _Ids(random.Random(f"socialaudit-ids:{seed}"))
        self.items: list[Item] = []
        self.gt: list[dict[str, Any]] = []
        self.media_paths: dict[str, str] = {}
        self.media_consents: list[MediaConsent] = []
        self.approvals: list[Approval] = []
        self.specs = pool_specs(seed)
        deck_rng = random.Random(f"socialaudit-decks:{seed}")
        self.topic_deck = _Deck(deck_rng, CONTROVERSIAL_WEIGHTS)
        self.consent_deck = _Deck(deck_rng, CONSENT_PROBLEMS)
        self.ground_deck = _Deck(deck_rng, GROUND_WEIGHTS)
        kinds: dict[str, list[PhotoSpec]] = defaultdict(list)
        for s in self.specs:
            kinds[s.kind].append(s)
        self.photos = kinds
        self.people_photos = kinds["group"] + kinds["pair"]
        # local midnight (UTC timestamp) of each day in the period, and weekday
        first = self.start.astimezone(TZ).date()
        last = self.end.astimezone(TZ).date()
        self.days: list[tuple[float, int]] = []
        d = first
        while d <= last:
            midnight = datetime(d.year, d.month, d.day, tzinfo=TZ).timestamp()
            self.days.append((midnight, d.weekday()))
            d += timedelta(days=1)

    # -- time ------------------------------------------------------------------------------

    def post_time(self, evening: bool = False) -> float:
        rng = self.rng
        for _ in range(20):
            midnight, weekday = self.days[rng.randrange(len(self.days))]
            if weekday >= 5 and rng.random() < 0.65:
                continue
            if evening and rng.random() < 0.4:
                hour = rng.uniform(17.5, 22.5)
            else:
                hour = rng.uniform(6.8, 20.0)
            ts = midnight + hour * 3600
            if self.start_ts <= ts <= self.end_ts - 600:
                return ts
        return rng.uniform(self.start_ts, self.end_ts - 3600)

    def after(self, ts: float, mean_hours: float, min_s: float = 45.0) -> float:
        delay = min_s + self.rng.expovariate(1.0 / (mean_hours * 3600))
        room = self.end_ts - 30 - ts
        if room <= min_s:
            return min(ts + min_s, self.end_ts - 1)
        if delay > room:
            delay = min_s + self.rng.random() * (room - min_s)
        return ts + delay

    @staticmethod
    def dt(ts: float) -> datetime:
        return datetime.fromtimestamp(round(ts), UTC)

    # -- build -----------------------------------------------------------------------------

    def run(self) -> World:
        rng = self.rng
        name, short, domain, _ = T.pick(rng, T.DISTRICT_NAMES)
        self.district = {"name": name, "short": short, "url": f"https://www.{domain}",
                         "domain": domain, "timezone": TIMEZONE}
        self.make_schools()
        self.make_designees()
        self.make_accounts()
        self.make_people()
        self.make_consents()
        self.make_posts()
        self.make_comments()
        self.make_private_exchanges()
        self.finish_threads()
        self.guarantee_events()
        self.make_approvals()
        self.make_metrics()
        self.pin_posts()
        self.make_governance_truth()
        tokens = self.make_tokens()
        world = World(
            seed=self.seed, scale=self.scale, start=self.start, end=self.end, weeks=self.weeks,
            district=self.district, schools=self.schools, designees=self.designees,
            accounts=self.accounts, people=self.people, consents=self.consents,
            media_consents=self.media_consents, approvals=self.approvals, items=self.items,
            ground_truth=self.gt, tokens=tokens, photo_specs=self.specs,
            media_paths=self.media_paths, now=self.end,
        )
        return world

    def make_schools(self) -> None:
        rng = self.rng
        n = max(3, round(5 * math.sqrt(self.scale)))
        stems = list(T.SCHOOL_STEMS)
        rng.shuffle(stems)
        self.schools = []
        codes: set[str] = set()
        for i in range(n):
            stem = stems[i % len(stems)] + ("" if i < len(stems) else f" {i // len(stems) + 1}")
            kind, abbr = T.SCHOOL_KINDS[0] if i == 0 else T.pick(rng, T.SCHOOL_KINDS)
            if i == 1:
                kind, abbr = T.SCHOOL_KINDS[3]
            initials = "".join(w[0] for w in stem.split() if w[0].isalpha())
            code = f"{initials}{abbr}"
            while code in codes:
                code = f"{code}{len(codes)}"
            codes.add(code)
            town = T.pick(rng, T.TOWNS)
            self.schools.append(School(
                code=code, name=f"{stem} {kind}", mascot=T.pick(rng, T.MASCOTS), town=town,
                phone=f"(580) 555-{110 + 10 * i:04d}",
                email=f"{code.lower()}@{self.district['domain']}",
                address=f"{rng.randint(100, 2400)} {T.pick(rng, STREETS)}, {town}, OK",
            ))
        self.office = School(
            code=self.district["short"], name="District Office", mascot=self.schools[0].mascot,
            town=self.schools[0].town, phone="(580) 555-0100",
            email=f"info@{self.district['domain']}",
            address=f"1801 {T.pick(rng, STREETS)}, {self.schools[0].town}, OK",
        )
        self.school_by_name = {s.name: s for s in self.schools}
        self.school_by_name[self.office.name] = self.office

    def make_designees(self) -> None:
        rng = self.rng
        n = 3 + len(self.schools) // 2
        self.designees = []
        for i in range(n):
            first, last = T.pick(rng, T.ADULT_FIRST_NAMES), T.pick(rng, T.LAST_NAMES)
            role = DESIGNEE_ROLES[i] if i < len(DESIGNEE_ROLES) else "Campus Communications Liaison"
            self.designees.append(Designee(
                f"D{i + 1:03d}", f"{first} {last}",
                f"{first[0].lower()}{last.lower()}@{self.district['domain']}", role))

    def _created(self, years: tuple[int, int]) -> datetime:
        y = self.rng.randint(*years)
        return datetime(y, self.rng.randint(1, 12), self.rng.randint(1, 28),
                        self.rng.randint(0, 23), self.rng.randint(0, 59), tzinfo=UTC)

    def _platform_id(self, platform: str, created: datetime) -> str:
        if platform == "x":
            if created.year >= 2022:
                return self.ids.snowflake(created.timestamp())
            return self.ids.digits(str(self.rng.randint(1, 9)), self.rng.randint(7, 9))
        if platform == "facebook":
            return self.ids.digits("10" + str(self.rng.randint(0, 9)), 12)
        return self.ids.digits("178414", 11)

    def _account(self, platform: str, *, kind: str, level: str, school: School, handle: str,
                 display: str, owner: str, admins: list[str], registered: bool = True,
                 teacher: tuple[str, str] | None = None) -> Account:
        rng = self.rng
        created = self._created((2010, 2019) if level != "teacher" else (2016, 2025))
        if level == "unregistered":
            created = self._created((2024, 2025))
        pid = self._platform_id(platform, created)
        base = {"district": 45.0, "school": 18.0, "teacher": 7.0, "unregistered": 4.0}[level]
        base *= math.exp(rng.gauss(0, 0.35)) * (0.6 if platform == "x" else 1.0)
        followers = int(base * rng.uniform(40, 90))
        if platform == "x":
            handle = re.sub(r"[^A-Za-z0-9_]", "", handle)[:15]
        elif platform == "instagram":
            handle = re.sub(r"[^a-z0-9_.]", "", handle.lower())[:30]
        else:
            handle = re.sub(r"[^A-Za-z0-9.]", "", handle)[:50]
        return Account(
            platform=platform, platform_id=pid, handle=handle, display_name=display, kind=kind,
            school=school.name, school_code=school.code, owner=owner, designee_admins=admins,
            token_env="", registered=registered, roe_link=True, bio="", website="",
            created_at=created, followers=followers, baseline=round(base, 1), level=level,
            teacher_name=teacher[0] if teacher else None, subject=teacher[1] if teacher else None,
        )

    def make_accounts(self) -> None:
        rng = self.rng
        d = self.district
        accs: list[Account] = []
        dids = [x.designee_id for x in self.designees]
        main = ["D001", "D002"]
        short = d["short"]
        slug = d["domain"].split(".")[0]
        accs.append(self._account("x", kind="official", level="district", school=self.office,
                                  handle=f"{short}schools", display=d["name"],
                                  owner="Communications Office", admins=list(main)))
        accs.append(self._account("facebook", kind="official", level="district",
                                  school=self.office, handle=slug, display=d["name"],
                                  owner="Communications Office", admins=list(main)))
        accs.append(self._account("instagram", kind="official", level="district",
                                  school=self.office, handle=slug, display=d["name"],
                                  owner="Communications Office", admins=list(main)))
        x_schools = 0
        for i, s in enumerate(self.schools):
            admin = [dids[2 + i % (len(dids) - 2)]] if len(dids) > 2 else ["D001"]
            if rng.random() < 0.35:
                admin.append("D001")
            base = s.name.replace(" ", "")
            plats = []
            if rng.random() < 0.9 or i == 0:
                plats.append("facebook")
            if rng.random() < 0.55:
                plats.append("instagram")
            if rng.random() < 0.4 or (i < 2 and x_schools < 2):
                plats.append("x")
                x_schools += 1
            for p in plats:
                handle = {"x": f"{s.code}{s.mascot}", "facebook": base,
                          "instagram": f"{s.code.lower()}_{s.mascot.lower()}"}[p]
                accs.append(self._account(p, kind="official", level="school", school=s,
                                          handle=handle, display=s.name,
                                          owner=f"{s.name} Principal's Office",
                                          admins=list(admin)))
        n_teachers = max(8, round(30 * math.sqrt(self.scale)))
        for i in range(n_teachers):
            s = self.schools[i % len(self.schools)] if i < len(self.schools) * 2 \
                else T.pick(rng, self.schools)
            first, last = T.pick(rng, T.ADULT_FIRST_NAMES), T.pick(rng, T.LAST_NAMES)
            title = T.pick(rng, ("Mrs.", "Mr.", "Ms.", "Coach", "Mrs.", "Ms."))
            subject = T.pick(rng, T.SUBJECTS)
            platform = _weighted(rng, (("facebook", 0.4), ("instagram", 0.35), ("x", 0.25)))
            display = T.pick(rng, (f"{title} {last}'s {subject} Class",
                                   f"{title} {last} - {subject}",
                                   f"{s.mascot} {subject} with {title} {last}",
                                   f"{title} {last}'s Classroom"))
            handle = T.pick(rng, (f"{title.rstrip('.')}{last}{subject.split()[0]}",
                                  f"{last}{s.code}", f"{title.rstrip('.')}{last}Class",
                                  f"{first}{last}Teaches"))
            admins = [T.pick(rng, dids)] if rng.random() < 0.3 else []
            accs.append(self._account(platform, kind="teacher_page", level="teacher", school=s,
                                      handle=handle, display=display,
                                      owner=f"{first} {last}", admins=admins,
                                      teacher=(f"{title} {last}", subject)))
        n_unreg = max(1, round(2 * math.sqrt(self.scale)))
        for i in range(n_unreg):
            s = T.pick(rng, self.schools) if i % 2 else self.office
            label = d["name"] if s is self.office else s.name
            platform = ("facebook", "x", "instagram")[i % 3]
            handle = T.pick(rng, (f"{s.code}Official", f"{s.code}_news", f"real{s.code}updates",
                                  f"{s.code}{s.mascot}Official"))
            accs.append(self._account(platform, kind="official", level="unregistered", school=s,
                                      handle=handle, display=f"{label} (Official)",
                                      owner="unknown", admins=[], registered=False))
        # governance problems: official accounts without designee admin, pages without RoE link
        officials = [a for a in accs if a.registered and a.level == "school"]
        n_bad = max(1, round(math.sqrt(self.scale)))
        for a in rng.sample(officials, min(n_bad, len(officials))):
            a.designee_admins = []
        registered = [a for a in accs if a.registered]
        candidates = [a for a in registered if a.designee_admins or a.kind == "teacher_page"]
        no_roe = rng.sample([a for a in candidates if a.kind == "official"], 1) + rng.sample(
            [a for a in candidates if a.kind == "teacher_page"], 1)
        for a in rng.sample(candidates, max(0, n_bad - 1)):
            if a not in no_roe:
                no_roe.append(a)
        for a in accs:
            a.roe_link = a.registered and a not in no_roe
            self._bio(a)
        # Page tokens (variable names only; values come from make_tokens)
        for a in accs:
            if a.platform == "facebook" and a.registered:
                share = 0.85 if a.kind == "official" else 0.5
                if rng.random() < share:
                    a.token_env = "SOCIALAUDIT_META_PAGE_TOKEN_" + re.sub(
                        r"[^A-Z0-9]", "_", a.handle.upper())[:40]
        # link Instagram accounts to the Facebook page of the same owner
        fb_by_owner = {(a.school, a.owner): a for a in accs if a.platform == "facebook"}
        for a in accs:
            if a.platform == "instagram":
                page = fb_by_owner.get((a.school, a.owner))
                if page is not None:
                    a.linked_id = page.platform_id
                    page.linked_id = a.platform_id
        # unique handles per platform
        seen: set[tuple[str, str]] = set()
        for a in accs:
            h = a.handle
            n = 1
            while (a.platform, h.lower()) in seen:
                n += 1
                h = f"{a.handle[:13]}{n}"
            a.handle = h
            seen.add((a.platform, h.lower()))
        self.accounts = accs

    def _bio(self, a: Account) -> None:
        d = self.district
        roe = d["url"] + ROE_PATH
        school = self.school_by_name[a.school]
        if a.level == "district":
            bio = f"Official account of {d['name']}. Serving {len(self.schools)} campuses."
        elif a.level == "school":
            bio = f"Official page of {a.school}, home of the {school.mascot}. {d['name']}."
        elif a.level == "teacher":
            bio = (f"{a.teacher_name}'s {a.subject} class at {a.school}. "
                   "Updates for students and families.")
        else:
            name = a.display_name.replace(" (Official)", "")
            bio = f"News and updates for {name} families! Go {school.mascot}!"
        website = d["url"] if a.level != "unregistered" else ""
        if a.roe_link:
            if self.rng.random() < 0.5:
                bio += f" Rules of engagement: {roe}"
            else:
                website = roe
                bio += " Please read our social media rules of engagement (link below)."
        a.bio = bio
        a.website = website

    def make_people(self) -> None:
        rng = self.rng
        people: list[Person] = []
        self.public: dict[str, list[Person]] = {}
        for platform in ("x", "facebook", "instagram"):
            n = max(60, round(220 * math.sqrt(self.scale)))
            lst = []
            for _ in range(n):
                first = T.pick(rng, T.ADULT_FIRST_NAMES + T.FIRST_NAMES[:30])
                last = T.pick(rng, T.LAST_NAMES)
                created = self._created((2009, 2025))
                pid = self._person_id(platform, created)
                handle = "" if platform == "facebook" else T.person_handle(rng, first, last)
                lst.append(Person(platform, pid, handle, f"{first} {last}", "public", "", created))
            self.public[platform] = lst
            people.extend(lst)
        self.students: dict[tuple[str, str], list[Person]] = defaultdict(list)
        self.roster: list[tuple[str, str, str]] = []
        per_school = max(8, round(14 * math.sqrt(self.scale) / max(1, len(self.schools) / 5)))
        for s in self.schools:
            for _ in range(per_school):
                platform = _weighted(rng, (("instagram", 0.5), ("x", 0.32), ("facebook", 0.18)))
                first, last = T.pick(rng, T.FIRST_NAMES), T.pick(rng, T.LAST_NAMES)
                created = self._created((2021, 2025))
                pid = self._person_id(platform, created)
                handle = "" if platform == "facebook" else T.person_handle(
                    rng, first, last, teen=True)
                p = Person(platform, pid, handle, f"{first} {last}", "student", s.name, created)
                people.append(p)
                self.students[(s.name, platform)].append(p)
        # unique handles
        seen: set[tuple[str, str]] = {(a.platform, a.handle.lower()) for a in self.accounts}
        for p in people:
            if not p.handle:
                continue
            h = p.handle
            n = 1
            while (p.platform, h.lower()) in seen:
                n += 1
                h = f"{p.handle[:12]}{n}"
            p.handle = h
            seen.add((p.platform, h.lower()))
        # the hashed roster lists about 90% of the students who are on social media
        for s in self.schools:
            for platform in ("x", "facebook", "instagram"):
                for p in self.students[(s.name, platform)]:
                    if rng.random() < 0.9:
                        self.roster.append((platform, _sha(student_key(p)), s.name))
        self.people = people

    def _person_id(self, platform: str, created: datetime) -> str:
        if platform == "x":
            if created.year >= 2022:
                return self.ids.snowflake(created.timestamp())
            return self.ids.digits(str(self.rng.randint(1, 9)), self.rng.randint(7, 9))
        if platform == "facebook":
            return self.ids.digits(str(self.rng.randint(1, 9)), 15)
        return self.ids.digits("178414", 11)

    def make_consents(self) -> None:
        rng = self.rng
        start_day = self.start.astimezone(TZ).date()
        end_day = self.end.astimezone(TZ).date()
        seq = {2025: 0, 2026: 0}
        self.consents: list[Consent] = []
        self.consents_by_school: dict[str, dict[str, list[Consent]]] = defaultdict(
            lambda: defaultdict(list))
        per_school = max(20, round(40 * math.sqrt(self.scale) / max(1, len(self.schools) / 5)))
        used_ids: set[str] = set()
        for s in self.schools:
            for _ in range(per_school):
                year = 2025 if rng.random() < 0.7 else 2026
                seq[year] += 1
                cid = f"PC-{year}-{seq[year]:04d}"
                sid = str(rng.randint(2030000, 2049999))
                while sid in used_ids:
                    sid = str(rng.randint(2030000, 2049999))
                used_ids.add(sid)
                if year == 2025:
                    granted = date(2025, 8, rng.randint(1, 28))
                else:
                    granted = date(2026, 1, rng.randint(2, 9))
                status = _weighted(rng, (("valid", 0.8), ("revoked", 0.07), ("expired", 0.07),
                                         ("scope", 0.06)))
                scope: tuple[str, ...] = ("social_media", "website", "print")
                if rng.random() < 0.3:
                    scope = ("social_media", "website")
                expires: date | None = date(2026, 7, 31) if rng.random() < 0.6 else None
                revoked: date | None = None
                if status == "revoked":
                    revoked = start_day + timedelta(days=rng.randint(3, 25))
                elif status == "expired":
                    expires = start_day + timedelta(days=rng.randint(2, 20))
                    granted = min(granted, expires - timedelta(days=120))
                elif status == "scope":
                    scope = T.pick(rng, (("website", "print"), ("print",), ("website",)))
                c = Consent(cid, sid, _sha(sid), scope, granted, expires, revoked, s.name, status)
                if c.granted_on > end_day:
                    continue
                self.consents.append(c)
                self.consents_by_school[s.name][status].append(c)
        self.unknown_seq = 9000

    # -- posts -----------------------------------------------------------------------------

    def _ctx(self, acc: Account) -> dict[str, Any]:
        school = self.school_by_name[acc.school]
        school_ctx = school.as_text_ctx()
        if school is self.office:
            school_ctx["name"] = self.district["name"]
        ctx = T.base_ctx(self.rng, school_ctx, self.district)
        ctx["_tags"] = T.hashtags_for(school.as_text_ctx(), self.district)
        return ctx

    def make_posts(self) -> None:
        rng = self.rng
        n_items = ITEMS_PER_SCALE * self.scale
        n_posts = max(40, round(0.28 * n_items))
        weights = []
        for a in self.accounts:
            w = {"district": 6.0, "school": 3.0, "teacher": 1.4, "unregistered": 0.6}[a.level]
            if a.platform == "instagram" and a.level == "district":
                w = 4.0
            w *= math.exp(rng.gauss(0, 0.45)) if a.level == "teacher" else 1.0
            weights.append(w)
        cum = []
        total = 0.0
        for w in weights:
            total += w
            cum.append(total)
        self.ctx_cache = {a.key: self._ctx(a) for a in self.accounts}
        per_account = [0] * len(self.accounts)
        for _ in range(n_posts):
            per_account[bisect.bisect_left(cum, rng.random() * total)] += 1
        # make sure every registered account has at least one post
        for i in range(len(self.accounts)):
            if per_account[i] == 0:
                per_account[i] = 1
        self.posts: list[Item] = []
        for a, n in zip(self.accounts, per_account, strict=True):
            for _ in range(n):
                self.posts.append(self.make_post(a))
        self.posts.sort(key=lambda i: i.created)
        spikes = max(3, round(0.02 * len(self.posts)))
        candidates = [p for p in self.posts if p.created < self.end - timedelta(hours=30)
                      and self._acc(p).registered]
        for p in rng.sample(candidates, min(spikes, len(candidates))):
            p.labels["engagement_spike"] = True
        self._edits()

    def _acc(self, item: Item) -> Account:
        return self.acc_by_id[(item.platform, item.account_id)]

    @property
    def acc_by_id(self) -> dict[tuple[str, str], Account]:
        cache = getattr(self, "_acc_by_id", None)
        if cache is None:
            cache = {(a.platform, a.platform_id): a for a in self.accounts}
            self._acc_by_id = cache
        return cache

    def make_post(self, a: Account) -> Item:
        rng = self.rng
        ctx = self.ctx_cache[a.key]
        tags = ctx["_tags"]
        ts = self.post_time(evening=a.level == "teacher")
        role = {"district": "official", "school": "official", "teacher": "teacher",
                "unregistered": "unregistered"}[a.level]
        media_kind = "none"  # none | people | no_people
        r = rng.random()
        if a.level in ("district", "school"):
            if r < 0.07:
                topic = self.topic_deck.draw()
                made = T.official_post(rng, ctx, tags, controversial=topic)
            elif r < 0.09:
                made = T.official_post(rng, ctx, tags, decoy=True)
            elif r < 0.10:
                made = T.confidential_post(rng, ctx)
            elif r < 0.14:
                made = T.public_contact_post(rng, ctx)
            elif r < 0.50:
                made = T.photo_caption(rng, ctx, tags)
                media_kind = "people" if rng.random() < 0.72 else "no_people"
            else:
                made = T.official_post(rng, ctx, tags)
                if rng.random() < 0.3:
                    media_kind = "no_people" if rng.random() < 0.6 else "people"
        elif a.level == "teacher":
            if r < 0.12:
                made = T.teacher_post(rng, ctx, tags, non_school=True)
                if rng.random() < 0.4:
                    media_kind = "no_people"
            elif r < 0.14:
                made = T.confidential_post(rng, ctx)
            else:
                made = T.teacher_post(rng, ctx, tags, non_school=False)
                if rng.random() < 0.45:
                    media_kind = "people" if rng.random() < 0.6 else "no_people"
        else:
            made = T.photo_caption(rng, ctx, tags) if r < 0.5 else T.official_post(rng, ctx, tags)
            if r < 0.5:
                media_kind = "people" if rng.random() < 0.5 else "no_people"
        if a.platform == "instagram" and media_kind == "none":
            media_kind = "no_people"
        labels = dict(made.labels)
        text = made.text
        item = Item(
            id="", platform=a.platform, kind="post", account_id=a.platform_id,
            author_id=a.platform_id, author_role=role, text=text, created=self.dt(ts),
            root_id="", parent_id=None, labels=labels,
        )
        self._assign_post_id(item, a)
        if media_kind != "none":
            self._attach_media(item, a, ctx, people=media_kind == "people")
        else:
            labels["consent_status"] = "not_needed"
        self._finalize_text(item)
        self.items.append(item)
        # ground truth for the post itself
        if a.registered:
            if a.kind == "teacher_page" and labels.get("topic") == "non_school":
                self.truth("teacher_page_non_school", item, kind=labels.get("non_school_kind"))
            if labels.get("confidential"):
                self.truth("confidential_disclosure", item, kind=labels.get("confidential_kind"))
        return item

    def _assign_post_id(self, item: Item, a: Account) -> None:
        if a.platform == "x":
            item.id = self.ids.snowflake(item.ts)
        elif a.platform == "facebook":
            item.id = f"{a.platform_id}_{self.ids.digits('122', 13)}"
        else:
            item.id = self.ids.digits("179", 14)
            item.shortcode = self.ids.token(11, _B64URL)
        item.root_id = item.id

    # -- media -----------------------------------------------------------------------------

    def _photo_url(self, platform: str, kind: str, media_id: str) -> tuple[str, str]:
        """(url, lookup key host+path) for a photo or a video's preview image."""
        ids = self.ids
        if platform == "x":
            key = ids.token(15, _B64URL)
            if kind == "video":
                path = f"/ext_tw_video_thumb/{media_id.split('_')[1]}/pu/img/{key}.jpg"
            else:
                path = f"/media/{key}.jpg"
            return "https://pbs.twimg.com" + path, "pbs.twimg.com" + path
        a = ids.digits(str(self.rng.randint(1, 9)), 8)
        c = ids.digits(str(self.rng.randint(1, 9)), 18)
        oe = format(int(self.end_ts) + 86400 * 14 + self.rng.randrange(86400), "X")
        oh = ids.token(39, _B64URL)
        if platform == "facebook":
            seg = "t39.30808-6" if kind == "photo" else "t15.5256-10"
            path = f"/v/{seg}/{a}_{media_id}_{c}_n.jpg"
            q = (f"?_nc_cat={self.rng.randint(100, 111)}&ccb=1-7&_nc_sid={ids.token(6).lower()}"
                 f"&_nc_ohc={ids.token(22, _B64URL)}&_nc_ht=scontent.xx&oh=00_{oh}&oe={oe}")
            return "https://scontent.xx.fbcdn.net" + path + q, "scontent.xx.fbcdn.net" + path
        path = f"/v/t51.29350-15/{a}_{media_id}_{c}_n.jpg"
        q = ("?stp=dst-jpg_e35&_nc_ht=scontent.cdninstagram.com"
             f"&_nc_cat={self.rng.randint(100, 111)}"
             f"&_nc_ohc={ids.token(22, _B64URL)}&edm={ids.token(12, _B64URL)}&oh=00_{oh}&oe={oe}")
        return "https://scontent.cdninstagram.com" + path + q, "scontent.cdninstagram.com" + path

    def _video_url(self, platform: str, media_id: str) -> tuple[str, str]:
        ids = self.ids
        key = ids.token(16, _B64URL)
        if platform == "x":
            mid = media_id.split("_")[1]
            path = f"/ext_tw_video/{mid}/pu/vid/1280x720/{key}.mp4"
            return "https://video.twimg.com" + path + "?tag=12", "video.twimg.com" + path
        if platform == "facebook":
            path = f"/v/t42.1790-2/{ids.digits('4', 8)}_{media_id}_{ids.digits('1', 18)}_n.mp4"
            return ("https://video.xx.fbcdn.net" + path + f"?_nc_cat=1&ccb=1-7&oh=00_{key}",
                    "video.xx.fbcdn.net" + path)
        path = f"/v/t50.2886-16/{ids.digits('4', 8)}_{media_id}_{ids.digits('1', 18)}_n.mp4"
        return ("https://video.cdninstagram.com" + path
                + f"?_nc_ht=video.cdninstagram.com&oh=00_{key}",
                "video.cdninstagram.com" + path)

    def _media(self, item: Item, spec: PhotoSpec, kind: str, alt: str | None) -> Media:
        platform = item.platform
        if platform == "x":
            mid = ("7_" if kind == "video" else "3_") + self.ids.snowflake(item.ts - 30)
        elif platform == "facebook":
            mid = self.ids.digits("122", 13)
        else:
            mid = self.ids.digits("180", 14)
        url, key = self._photo_url(platform, kind, mid)
        self.media_paths[key] = spec.name
        m = Media(media_id=mid, kind=kind, photo=spec.name, url=url, width=spec.width,
                  height=spec.height, faces=spec.faces, alt_text=alt)
        if kind == "video":
            vurl, vkey = self._video_url(platform, mid)
            self.media_paths[vkey] = ""
            m.video_url = vurl
            m.duration_ms = self.rng.randint(8000, 95000)
            m.view_count = self.rng.randint(80, 4000)
        return m

    def _attach_media(self, item: Item, a: Account, ctx: dict[str, Any], people: bool) -> None:
        rng = self.rng
        labels = item.labels
        layout = _weighted(rng, (("single", 0.72), ("album", 0.16), ("video", 0.12)))
        n = 1 if layout != "album" else rng.randint(2, 4)
        problem = "ok"
        if people:
            if rng.random() < 0.015:
                problem = "adult_guest"
            elif rng.random() < 0.22:
                problem = self.consent_deck.draw()
        specs: list[PhotoSpec] = []
        if not people:
            specs = [T.pick(rng, self.photos["no_people"]) for _ in range(n)]
        elif problem == "single_student":
            specs = [T.pick(rng, self.photos["single_student"])]
            layout = "single" if layout == "album" else layout
        elif problem == "adult_guest":
            specs = [T.pick(rng, self.photos["single_adult"])]
            layout = "single"
        else:
            specs = [T.pick(rng, self.people_photos)]
            for _ in range(n - 1):
                pool = self.people_photos if rng.random() < 0.7 else self.photos["no_people"]
                specs.append(T.pick(rng, pool))
        faces = max(s.faces for s in specs)
        day = item.created.astimezone(TZ).date()
        consent_ids: list[str] = []
        if people and problem not in ("adult_guest",):
            consent_ids = self._consents_for(a, day, faces, problem)
            if problem in ("revoked", "expired", "scope") and not consent_ids:
                problem = "missing"
        placement = T.pick(rng, ("registry", "registry", "registry", "caption", "caption", "alt",
                                 "split"))
        if consent_ids and len(consent_ids) > 4 and placement in ("caption", "alt"):
            placement = "registry"
        if placement == "alt" and layout == "video":
            placement = "caption"  # the platforms carry no alt text on videos
        if item.platform == "x" and placement in ("caption", "split") and len(
                _URL_RE.sub("https://t.co/xxxxxxxxxx", item.text)) + 24 * len(consent_ids) > 270:
            placement = "registry"
        alt_ids = consent_ids if placement == "alt" else []
        media: list[Media] = []
        for i, spec in enumerate(specs):
            kind = "video" if layout == "video" and i == 0 else "photo"
            alt = None
            if rng.random() < 0.55 or (alt_ids and i == 0):
                alt = T.alt_text(rng, ctx, spec.faces)
                if alt_ids and i == 0:
                    alt = f"{alt} {T.consent_mention(rng, alt_ids)}"
            media.append(self._media(item, spec, kind, alt))
        item.media = media
        if consent_ids:
            if placement == "caption":
                item.text = f"{item.text}\n\n{T.consent_mention(rng, consent_ids)}"
            elif placement == "split" and len(consent_ids) > 1:
                half = len(consent_ids) // 2
                item.text = f"{item.text}\n{T.consent_mention(rng, consent_ids[:half])}"
                for cid in consent_ids[half:]:
                    self.media_consents.append(MediaConsent(item.platform, item.id, cid))
            elif placement in ("registry", "split"):
                for cid in consent_ids:
                    self.media_consents.append(MediaConsent(item.platform, item.id, cid))
        if problem == "adult_guest":
            item.text = f"{item.text} Thank you to our guest speaker for visiting!"
        labels["faces"] = faces
        labels["people"] = people
        labels["consent_status"] = problem if people else "not_needed"
        labels["consent_ids"] = consent_ids
        labels["consent_placement"] = placement if consent_ids else None
        if people and problem not in ("ok", "adult_guest") and a.registered:
            self.truth("student_media_without_consent", item, problem=problem, faces=faces,
                       consent_ids=consent_ids, media_ids=[m.media_id for m in media])

    def _consents_for(self, a: Account, day: date, faces: int, problem: str) -> list[str]:
        rng = self.rng
        school = a.school if a.school in self.consents_by_school else T.pick(
            rng, [s.name for s in self.schools])
        pools = self.consents_by_school[school]
        valid = pools["valid"]
        want = max(1, min(faces, 6))
        if problem == "missing":
            return []
        if problem == "single_student":
            return [T.pick(rng, valid).consent_id] if valid and rng.random() < 0.5 else []
        ok = rng.sample(valid, min(len(valid), want if problem == "ok" else max(0, want - 1)))
        ids = [c.consent_id for c in ok]
        if problem == "ok":
            return ids
        if problem == "unknown":
            self.unknown_seq += rng.randint(1, 40)
            bad = f"PC-2026-{self.unknown_seq:04d}"
        else:
            bad_pool = [c for c in pools[problem] if not c.valid_on(day)]
            if not bad_pool:
                return []
            bad = T.pick(rng, bad_pool).consent_id
        ids.insert(rng.randrange(len(ids) + 1), bad)
        return ids

    def _finalize_text(self, item: Item) -> None:
        """X: shorten links to t.co and keep posts within 280 characters."""
        if item.platform != "x":
            return
        text = item.text
        urls: list[tuple[str, str]] = []

        def shorten(m: re.Match[str]) -> str:
            tco = "https://t.co/" + self.ids.token(10)
            urls.append((tco, m.group(0)))
            return tco

        text = _URL_RE.sub(shorten, text)
        if len(text) > 280:
            text = text[:279].rstrip() + "…"
            urls = [u for u in urls if u[0] in text]
        item.text = text
        item.urls = urls

    def _edits(self) -> None:
        rng = self.rng
        for p in self.posts:
            if p.platform not in ("x", "facebook") or p.labels.get("thread_controversial"):
                continue
            if rng.random() >= (0.04 if p.platform == "x" else 0.03):
                continue
            if rng.random() < 0.5:
                original = T._typo(rng, p.text)
                if original == p.text:
                    original = p.text.replace(" the ", " teh ", 1)
            else:
                original = p.text
                updated = f"{p.text} UPDATE: {T.fill(rng, 'now at {time} in {place}.', {})}"
                if p.platform == "x" and len(updated) > 280:
                    continue
                p.text = updated
            if original == p.text:
                continue
            p.original_text = original
            if p.platform == "x":
                p.edited_at = self.dt(p.ts + rng.uniform(60, 1500))
                p.edit_id = self.ids.snowflake(p.edited_at.timestamp())
            else:
                p.edited_at = self.dt(min(p.ts + rng.uniform(600, 2 * 86400), self.end_ts - 60))

    # -- comments and replies ---------------------------------------------------------------

    def _new_id(self, platform: str, post: Item, ts: float) -> str:
        if platform == "x":
            return self.ids.snowflake(ts)
        if platform == "facebook":
            return f"{post.id.split('_')[1]}_{self.ids.digits('1', 15)}"
        return self.ids.digits("178", 14)

    def add(self, post: Item, *, parent: Item, author_id: str, role: str, made: T.Made,
            ts: float, kind: str, to_user: str | None = None) -> Item:
        """Append a comment or reply; mentions follow each platform's habits.

        X replies start with ``@handle`` of the user replied to; Facebook tags show the name
        without ``@`` (or no name at all); Instagram keeps ``@username``.
        """
        acc = self._acc(post)
        iid = self._new_id(post.platform, post, ts)
        text = made.text
        if post.platform == "x" and not text.startswith("@") and to_user is not None:
            handle = self._handle_of(post.platform, to_user)
            if handle:
                text = f"@{handle} {text}"
        elif post.platform == "facebook" and text.startswith("@") and to_user is not None:
            name = self._name_of(post.platform, to_user)
            if name and text[1:].startswith(name):
                rest = text[1 + len(name):].lstrip()
                text = f"{name} {rest}" if self.rng.random() < 0.6 else rest[:1].upper() + rest[1:]
            else:
                text = text[1:]
        item = Item(
            id=iid, platform=post.platform, kind=kind, account_id=acc.platform_id,
            author_id=author_id, author_role=role, text=text, created=self.dt(ts),
            root_id=post.id, parent_id=parent.id, to_user_id=to_user, labels=dict(made.labels),
        )
        self._finalize_text(item)
        self.items.append(item)
        return item

    def _name_of(self, platform: str, pid: str) -> str:
        acc = self.acc_by_id.get((platform, pid))
        if acc is not None:
            return acc.display_name
        p = self.person_by_id.get((platform, pid))
        return p.name if p is not None else ""

    def _handle_of(self, platform: str, pid: str) -> str:
        acc = self.acc_by_id.get((platform, pid))
        if acc is not None:
            return acc.handle
        p = self.person_by_id.get((platform, pid))
        return p.handle if p is not None else ""

    @property
    def person_by_id(self) -> dict[tuple[str, str], Person]:
        cache = getattr(self, "_person_by_id", None)
        if cache is None:
            cache = {(p.platform, p.id): p for p in self.people}
            self._person_by_id = cache
        return cache

    def _commenter(self, platform: str) -> Person:
        lst = self.public[platform]
        return lst[int(len(lst) * self.rng.random() ** 1.6)]

    def make_comments(self) -> None:
        rng = self.rng
        n_items = ITEMS_PER_SCALE * self.scale
        budget = 0.55 * n_items
        weights = []
        for p in self.posts:
            a = self._acc(p)
            w = {"district": 2.2, "school": 1.3, "teacher": 0.8, "unregistered": 0.6}[a.level]
            if p.labels.get("thread_controversial"):
                w *= 5
            if p.labels.get("engagement_spike"):
                w *= 4
            if p.labels.get("people"):
                w *= 1.3
            weights.append(w)
        scale = budget / max(1e-9, sum(weights))
        self.staff_replies: list[tuple[Item, Item]] = []  # (post, reply)
        self.thread_texts: dict[str, set[str]] = {}
        for p, w in zip(self.posts, weights, strict=True):
            n = _poisson(rng, w * scale)
            for _ in range(n):
                self._comment(p)
        # every district needs a few official replies in controversial threads
        hot = [p for p in self.posts if p.labels.get("thread_controversial")
               and self._acc(p).registered and p.created < self.end - timedelta(hours=6)]
        answered = {p.id for p, _ in self.staff_replies if p.labels.get("thread_controversial")}
        for p in hot[: max(0, 2 - len(answered))]:
            if p.id not in answered:
                self._comment(p, force_reply=True)

    def _comment(self, post: Item, force_reply: bool = False) -> None:
        rng = self.rng
        acc = self._acc(post)
        ctx = self.ctx_cache[acc.key]
        platform = post.platform
        controversial = post.labels.get("controversial_topic")
        ts = self.after(post.ts, 7.0)
        students = self.students.get((acc.school, platform), [])
        if acc.level == "teacher" and students and rng.random() < 0.4 and not force_reply:
            student = T.pick(rng, students)
            made = T.student_comment(rng, ctx, private=False)
            c = self.add(post, parent=post, author_id=student.id, role="student", made=made,
                         ts=ts, kind="comment", to_user=acc.platform_id)
            if rng.random() < 0.3:
                reply = T.teacher_to_student(rng, ctx, student.mention(), private=False)
                r_ts = self.after(ts, 4.0)
                self._staff_reply(post, c, reply, r_ts, to_user=student.id)
            return
        person = self._commenter(platform)
        r = rng.random()
        p_remove = 0.14 if controversial else 0.10
        p_critical = 0.45 if controversial else 0.10
        ground = None
        critical = False
        if r < p_remove and not force_reply:
            ground = self.ground_deck.draw()
        elif r < p_remove + p_critical:
            critical = True
        confidential_kind = None
        staff_replies = False
        if ground is None and acc.registered:
            p_reply = 0.35 if controversial else (0.1 if acc.level == "teacher" else 0.13)
            staff_replies = force_reply or rng.random() < p_reply
            if staff_replies and not controversial and rng.random() < 0.09:
                confidential_kind = T.pick(rng, tuple(T.CONFIDENTIAL_REPLIES))
        sfirst = T.pick(rng, T.FIRST_NAMES)
        answer = None
        if confidential_kind:
            made = T.parent_prompt(rng, ctx, confidential_kind, sfirst)
        elif staff_replies and not controversial and not critical:
            if rng.random() < 0.75:
                made, answer = T.question_with_answer(rng, ctx)
            else:
                made, answer = T.praise_with_thanks(rng, ctx)
        else:
            said = self.thread_texts.setdefault(post.id, set())
            for _ in range(4):
                friend = self._commenter(platform)
                made = T.public_comment(rng, ctx, ground=ground, controversial=controversial,
                                        critical=critical,
                                        friend=friend.handle or friend.name.split()[0])
                if made.text.lower() not in said:
                    break
            said.add(made.text.lower())
        c = self.add(post, parent=post, author_id=person.id, role="public", made=made, ts=ts,
                     kind="comment", to_user=acc.platform_id)
        self._removal(c, acc, ground, critical)
        if acc.registered and ground:
            self.truth("removable_comment", c, ground=ground)
        if staff_replies:
            reply = T.staff_reply(rng, {**ctx, "sfirst": sfirst}, person.mention(),
                                  controversial=controversial, confidential=confidential_kind,
                                  answer=answer)
            r_ts = self.after(ts, 3.0)
            sr = self._staff_reply(post, c, reply, r_ts, to_user=person.id)
            if controversial and rng.random() < 0.35:
                back = T.public_followup(rng, ctx, self._mention(acc), critical=True)
                b_ts = self.after(r_ts, 2.0)
                b = self.add(post, parent=sr if platform == "x" else c, author_id=person.id,
                             role="public", made=back, ts=b_ts, kind="reply",
                             to_user=acc.platform_id)
                self._removal(b, acc, None, True)
                if rng.random() < 0.4:
                    again = T.staff_reply(rng, ctx, person.mention(), controversial=controversial)
                    self._staff_reply(post, b if platform == "x" else c, again,
                                      self.after(b_ts, 3.0), to_user=person.id)
        if rng.random() < (0.2 if controversial else 0.05):
            other = self._commenter(platform)
            if other.id != person.id:
                f = T.public_followup(rng, ctx, person.mention(),
                                      critical=bool(controversial) and critical)
                fr = self.add(post, parent=c, author_id=other.id, role="public", made=f,
                              ts=self.after(ts, 5.0), kind="reply", to_user=person.id)
                self._removal(fr, acc, None, bool(f.labels.get("critical")))

    def _mention(self, acc: Account) -> str:
        return acc.display_name if acc.platform == "facebook" else acc.handle

    def _staff_reply(self, post: Item, parent: Item, made: T.Made, ts: float,
                     to_user: str) -> Item:
        acc = self._acc(post)
        role = "teacher" if acc.kind == "teacher_page" else (
            "official" if acc.registered else "unregistered")
        item = self.add(post, parent=parent, author_id=acc.platform_id, role=role, made=made,
                        ts=ts, kind="reply", to_user=to_user)
        if acc.registered:
            self.staff_replies.append((post, item))
            if item.labels.get("confidential"):
                self.truth("confidential_disclosure", item,
                           kind=item.labels.get("confidential_kind"))
        return item

    def _removal(self, c: Item, acc: Account, ground: str | None, critical: bool) -> None:
        rng = self.rng
        action = None
        r = rng.random()
        if c.platform == "x":
            if ground and r < (0.35 if ground == "spam_advertising" else 0.2):
                action = "deleted"
            elif critical and r < 0.05:
                action = "deleted"
        else:
            if ground:
                if r < 0.3:
                    action = "hidden"
                elif r < 0.45 + (0.15 if ground == "spam_advertising" else 0):
                    action = "deleted"
            elif critical:
                if r < 0.08:
                    action = "hidden"
                elif r < 0.11:
                    action = "deleted"
            elif r < 0.004:
                action = "hidden"
        if action is None:
            return
        if action == "hidden":
            if rng.random() < 0.2:
                when = self.end_ts + rng.uniform(3600, 60 * 3600)
            else:
                when = self.after(c.ts, 10.0, min_s=300)
            c.hidden_at = self.dt(when)
        else:
            c.deleted_at = self.dt(self.end_ts + rng.uniform(2 * 3600, 70 * 3600))
        if acc.registered:
            self.truth("undocumented_removal", c, action=action,
                       at=iso(c.hidden_at or c.deleted_at),  # type: ignore[arg-type]
                       justified_ground=ground, critical=critical)

    def make_private_exchanges(self) -> None:
        rng = self.rng
        n_pairs = max(2, round(2 * self.scale))
        teachers = [a for a in self.accounts if a.kind == "teacher_page" and a.registered and (
            a.platform in ("x", "instagram") or a.token_env)]
        posts_of: dict[str, list[Item]] = defaultdict(list)
        for p in self.posts:
            if p.created < self.end - timedelta(days=2):
                posts_of[p.account_id].append(p)
        candidates = [a for a in teachers if posts_of[a.platform_id]
                      and self.students.get((a.school, a.platform))]
        if not candidates:
            return
        rng.shuffle(candidates)
        used: set[tuple[str, str]] = set()
        for i in range(n_pairs):
            acc = candidates[i % len(candidates)]
            ctx = self.ctx_cache[acc.key]
            student = T.pick(rng, self.students[(acc.school, acc.platform)])
            if (acc.platform_id, student.id) in used:
                continue
            used.add((acc.platform_id, student.id))
            post = T.pick(rng, posts_of[acc.platform_id])
            k = rng.randint(6, 11)
            ts = self.after(post.ts, 6.0)
            made = T.student_comment(rng, ctx, private=True)
            first = self.add(post, parent=post, author_id=student.id, role="student", made=made,
                             ts=ts, kind="comment", to_user=acc.platform_id)
            last = first
            teacher_ids = []
            said: set[str] = {made.text}
            for j in range(k):
                ts = self.after(ts, 3.0, min_s=120)
                private = rng.random() < 0.75
                for _ in range(4):
                    reply = T.teacher_to_student(rng, ctx, student.mention(), private=private)
                    if reply.text not in said:
                        break
                said.add(reply.text)
                parent = last if acc.platform == "x" else first
                tr = self._staff_reply(post, parent, reply, ts, to_user=student.id)
                tr.labels["private_exchange"] = True
                teacher_ids.append(tr.id)
                if j < k - 1:
                    ts = self.after(ts, 2.0, min_s=120)
                    for _ in range(4):
                        sm = T.student_comment(rng, ctx, private=True)
                        if sm.text not in said:
                            break
                    said.add(sm.text)
                    last = self.add(post, parent=tr if acc.platform == "x" else first,
                                    author_id=student.id, role="student", made=sm, ts=ts,
                                    kind="reply", to_user=acc.platform_id)
                else:
                    last = tr
            key = student_key(student)
            self.gt.append({
                "rule": "private_exchange_with_student",
                "platform": acc.platform,
                "item_native_id": teacher_ids[-1],
                "account_id": acc.platform_id,
                "detail": {
                    "student_handle_sha256": _sha(key),
                    "student_handle": student.handle or student.id,
                    "teacher_reply_ids": teacher_ids,
                    "replies": len(teacher_ids),
                    "thread": post.id,
                    "in_roster": any(r[1] == _sha(key) for r in self.roster),
                },
            })
            if not self.gt[-1]["detail"]["in_roster"]:
                self.roster.append((acc.platform, _sha(key), acc.school))
                self.gt[-1]["detail"]["in_roster"] = True

    def finish_threads(self) -> None:
        """Sort items; thread-level labels (controversial) onto every comment and reply."""
        by_id = {p.id: p for p in self.posts}
        for it in self.items:
            if it.kind != "post":
                root = by_id[it.root_id]
                it.labels.setdefault("thread_controversial",
                                     bool(root.labels.get("thread_controversial")))
                if root.labels.get("controversial_topic"):
                    it.labels.setdefault("controversial_topic", root.labels["controversial_topic"])

    def guarantee_events(self) -> None:
        """Small worlds still get each kind of event the tests and demos look for: an X reply
        deleted later, a Facebook and an Instagram comment hidden after ``end``, an X edit."""
        rng = self.rng
        registered = {(a.platform, a.platform_id) for a in self.accounts if a.registered}

        def public_comments(platform: str) -> list[Item]:
            return [i for i in self.items if i.platform == platform and i.author_role == "public"
                    and (platform, i.account_id) in registered and i.hidden_at is None
                    and i.deleted_at is None]

        if not any(i.platform == "x" and i.deleted_at for i in self.items):
            pool = public_comments("x")
            if pool:
                c = max(pool, key=lambda i: (i.labels.get("comment_ground") != "none", i.ts))
                c.deleted_at = self.dt(self.end_ts + rng.uniform(2 * 3600, 70 * 3600))
                self._removal_truth(c, "deleted")
        for platform in ("facebook", "instagram"):
            if not any(i.platform == platform and i.hidden_at and i.hidden_at > self.end
                       for i in self.items):
                pool = public_comments(platform)
                if pool:
                    c = max(pool, key=lambda i: (i.labels.get("comment_ground") != "none", i.ts))
                    c.hidden_at = self.dt(self.end_ts + rng.uniform(3600, 60 * 3600))
                    self._removal_truth(c, "hidden")
        if not any(p.edit_id for p in self.posts):
            for p in self.posts:
                if p.platform == "x" and not p.labels.get("thread_controversial") \
                        and T._typo(rng, p.text) != p.text:
                    p.original_text = T._typo(rng, p.text)
                    p.edited_at = self.dt(p.ts + rng.uniform(60, 1500))
                    p.edit_id = self.ids.snowflake(p.edited_at.timestamp())
                    break

    def _removal_truth(self, c: Item, action: str) -> None:
        ground = c.labels.get("comment_ground")
        when = c.hidden_at if action == "hidden" else c.deleted_at
        assert when is not None
        self.truth("undocumented_removal", c, action=action, at=iso(when),
                   justified_ground=None if ground in (None, "none") else ground,
                   critical=bool(c.labels.get("critical")))

    def make_approvals(self) -> None:
        rng = self.rng
        seq = 0
        threads: dict[str, list[Item]] = defaultdict(list)
        posts: dict[str, Item] = {}
        for post, reply in self.staff_replies:
            if post.labels.get("thread_controversial") and self._acc(post).kind == "official":
                threads[post.id].append(reply)
                posts[post.id] = post
        approvers = [d.designee_id for d in self.designees[:4]]
        deck = _Deck(random.Random(f"socialaudit-approvals:{self.seed}"),
                     (("before", 0.5), ("late", 0.25), ("none", 0.25)))
        order = list(threads)
        rng.shuffle(order)
        # the first threads get one of each outcome, the rest come from the deck
        firsts = ["none", "late", "before"]
        plans = {pid: firsts[n] if n < len(firsts) else deck.draw()
                 for n, pid in enumerate(order)}
        for pid, replies in threads.items():
            replies.sort(key=lambda i: i.created)
            post = posts[pid]
            first = replies[0].ts
            plan = plans[pid]
            approval = None
            if plan != "none":
                if plan == "before":
                    when = max(post.ts + 120, first - rng.uniform(1800, 36 * 3600))
                    when = min(when, first - 60)
                else:
                    when = first + rng.uniform(3600, 3 * 86400)
                seq += 1
                topic = post.labels.get("controversial_topic", "")
                approval = Approval(
                    f"AP-2026-{seq:04d}", post.platform, pid, T.pick(rng, approvers),
                    self.dt(when).astimezone(TZ),
                    T.pick(rng, (f"Responses on {topic.replace('_', ' ')} thread",
                                 "Approved talking points", "Approved per superintendent",
                                 "Use FAQ language only", "")),
                )
                self.approvals.append(approval)
            for r in replies:
                late = approval is not None and approval.approved_at.timestamp() > r.ts
                if approval is None or late:
                    r.labels["approval_required"] = True
                    r.labels["approved"] = False
                    self.truth("unapproved_controversial_reply", r, thread=pid,
                               topic=post.labels.get("controversial_topic"),
                               approval_id=approval.approval_id if approval else None,
                               approved_at=iso(approval.approved_at) if approval else None,
                               reason="approved_after_reply" if late else "no_approval")
                else:
                    r.labels["approval_required"] = True
                    r.labels["approved"] = True
        # approvals that cover ordinary threads (noise)
        ordinary = [p for p, _ in self.staff_replies if not p.labels.get("thread_controversial")]
        for post in rng.sample(ordinary, min(len(ordinary), max(1, len(threads) // 3))):
            seq += 1
            self.approvals.append(Approval(
                f"AP-2026-{seq:04d}", post.platform, post.id, T.pick(rng, approvers),
                self.dt(post.ts + rng.uniform(600, 7200)).astimezone(TZ), "Routine response"))
        self.approvals.sort(key=lambda a: a.approval_id)

    def make_metrics(self) -> None:
        rng = self.rng
        direct: dict[str, int] = defaultdict(int)
        total: dict[str, int] = defaultdict(int)
        for it in self.items:
            if it.kind != "post" and it.parent_id:
                direct[it.parent_id] += 1
                total[it.root_id] += 1
        for it in self.items:
            if it.kind == "post":
                acc = self._acc(it)
                f = math.exp(rng.gauss(0, 0.45))
                if it.labels.get("thread_controversial"):
                    f *= 1.8
                if it.labels.get("people"):
                    f *= 1.3
                spike = it.labels.get("engagement_spike")
                if spike:
                    f *= rng.uniform(14, 40)
                likes = max(0, round(acc.baseline * f))
                if it.platform == "x":
                    it.metrics = {
                        "retweet_count": round(likes * rng.uniform(0.05, 0.25)),
                        "reply_count": direct[it.id],
                        "like_count": likes,
                        "quote_count": round(likes * rng.uniform(0, 0.04)),
                        "bookmark_count": round(likes * rng.uniform(0, 0.05)),
                        "impression_count": round(likes * rng.uniform(25, 60)) + 20,
                    }
                elif it.platform == "facebook":
                    it.metrics = {"reactions": likes, "comments": total[it.id],
                                  "shares": round(likes * rng.uniform(0, 0.15))}
                else:
                    it.metrics = {"like_count": likes, "comments_count": total[it.id]}
                if spike and acc.registered:
                    metric = "reactions" if it.platform == "facebook" else "like_count"
                    self.truth("media_attention", it, metric=metric,
                               value=likes, baseline_median=acc.baseline,
                               ratio=round(likes / max(acc.baseline, 1.0), 1))
            else:
                likes = int(rng.random() ** 3 * 12)
                if it.platform == "x":
                    it.metrics = {"retweet_count": 0, "reply_count": direct[it.id],
                                  "like_count": likes, "quote_count": 0, "bookmark_count": 0,
                                  "impression_count": likes * 9 + rng.randint(3, 60)}
                else:
                    it.metrics = {"like_count": likes, "comment_count": direct[it.id]}

    def pin_posts(self) -> None:
        """Official X accounts pin their oldest announcement with a link, never edited or
        deleted. Chosen without the rng, so nothing else of the world changes; the pinned post
        holds no Rules of Engagement link (bios and websites do, see ``_bio``)."""
        for a in self.accounts:
            if a.platform != "x" or a.kind != "official" or not a.registered:
                continue
            a.pinned_post_id = next(
                (p.id for p in self.posts if p.account_id == a.platform_id and p.urls
                 and p.deleted_at is None and p.edit_id is None), None)

    def make_governance_truth(self) -> None:
        for a in self.accounts:
            problems = []
            if not a.registered:
                problems.append("unregistered_official")
            else:
                if a.kind == "official" and not a.designee_admins:
                    problems.append("no_designee_admin")
                if not a.roe_link:
                    problems.append("no_rules_of_engagement_link")
            for problem in problems:
                self.gt.append({
                    "rule": "account_governance", "platform": a.platform,
                    "item_native_id": None, "account_id": a.platform_id,
                    "detail": {"problem": problem, "handle": a.handle,
                               "display_name": a.display_name, "kind": a.kind},
                })

    def make_tokens(self) -> dict[str, str]:
        def tok(prefix: str, name: str, n: int) -> str:
            digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
            chars = "".join(_B64[b % 62] for b in digest * 3)
            return prefix + chars[:n]

        tokens = {
            X_BEARER_ENV: tok("AAAAAAAAAAAAAAAAAAAAA", "x", 90),
            META_TOKEN_ENV: tok("EAAG", "meta", 180),
        }
        for a in self.accounts:
            if a.token_env:
                tokens[a.token_env] = tok("EAAG", a.token_env, 180)
        return tokens

    def truth(self, rule: str, item: Item, **detail: Any) -> None:
        self.gt.append({"rule": rule, "platform": item.platform, "item_native_id": item.id,
                        "account_id": item.account_id, "detail": detail})


def generate_world(seed: int, scale: float = 1.0, *, end: datetime | None = None,
                   weeks: int = 13) -> World:
    """A whole simulated district, deterministic for ``(seed, scale, end, weeks)``.

    ``end`` defaults to ``DEFAULT_END`` (2026-04-24 17:00 in Chicago), so output is
    reproducible; ``world.now`` starts at ``end``.
    """
    gen = _Gen(seed, scale, end or DEFAULT_END, weeks)
    world = gen.run()
    world.items.sort(key=lambda i: (i.created, i.id))
    world.ground_truth.sort(key=lambda r: (r["rule"], r["platform"], r["account_id"],
                                           r["item_native_id"] or ""))
    world.roster = sorted(set(gen.roster))
    return world


def student_key(person: Person) -> str:
    """What the roster hashes: the lowercase username (X, Instagram) or ``from.id`` (Facebook)."""
    return person.id if person.platform == "facebook" else person.handle.lower().lstrip("@")
