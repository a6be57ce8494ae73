"""``teacher-content``: is a registered teacher page's post about classroom or school activities?

Serves the ``teacher_page_non_school`` rule. Input ``{"id", "text"}``; the verdict's label is
``school`` or ``non_school``, ``flagged`` when ``non_school``, ``score`` = P(non_school).

Method (see ``checks/docs/teacher-content.md`` for the measurements):

- the post's MiniLM sentence embedding (384 unit-vector columns, ``checks.detectors.embedding``);
- nine explainable cue groups (``CUES``): three school-side (classroom, school events, teams and
  clubs) and six non-school (selling, product/MLM promotion, campaigning, alcohol and parties,
  religious proselytising, personal life); each a count of distinct matches capped at 2, scaled by
  the cue weight the training search picked;
- the cue groups are matched on the text as written and on its spelling-corrected reading
  (``checks.detectors.spelling``: words known neither to English nor to the training rows), so
  a typo does not hide a cue ("VBS registration at our chhurch"); training texts are never
  corrected, so the model is the same either way;
- a MiniLM fine-tuned end to end on the training rows (``checks.detectors.finetune
  teacher-content``, int8 ONNX): its log-odds of non_school, read from the corrected reading so
  a typo does not hide what the text is about; in training its out-of-fold column;
- one L2 logistic regression over all three (``checks/detectors/models/teacher-content.json``,
  a ``checks.detectors.linear.LinearModel``), trained on the training files of ``checks.datasets``
  by ``python -m checks.train teacher-content``; C and the cue weight were chosen by repeated
  5-fold cross-validation on those rows.

Reasons name the classifier probability and the cue terms found on each side. numpy, the encoder
and the model are loaded on first use only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from checks.detectors.base import InputError, Verdict
from checks.detectors.replies import strip_addressee

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from checks.detectors.linear import LinearModel
    from checks.detectors.spelling import Speller

NAME = "teacher-content"
METHOD_VERSION = "5"  # bump when features, method or training rows change (hashes added)
#: the fine-tuned classifier's log-odds of non_school (``checks.detectors.finetune``), one more
#: column of the regression; texts are read up to this many tokens
FINETUNED_FEATURE = "finetuned_logit"
FINETUNED_MAX_TOKENS = 128
LABELS = ("school", "non_school")  # second = positive (flagged)
HERE = Path(__file__).resolve().parent
MODEL_PATH = HERE / "models" / "teacher-content.json"
CUE_CAP = 2


class TextEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class TextClassifier(Protocol):
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w#@])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


_GRADE = r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth)"
_FAMILY = (r"husband|hubby|wife|boyfriend|girlfriend|fianc[eé]e?|son|daughter|twins|mom|mama|"
           r"dad|sister|brother|cousin|nephew|niece|grandpa|grandma|in-laws|family|dog|puppy|cat|"
           r"kitten|house|landlord")

#: School work named as absent ("zero lesson plans", "no grading", "not one school email"): time
#: off, not a school subject. Matched as ``personal_time`` and masked before the school groups.
_SCHOOL_ABSENT = (
    r"(?:no|zero|without|not (?:a single|one)|no more|free of|away from)\s+"
    r"(?:(?:more|school|work|stinking|single|\w+ing)\s+)?"
    r"(?:wifi|alarms?|grading|papers(?: to grade)?|school emails?|lesson plans?|emails?|"
    r"duty|staff meetings?|bells?)")
_ABSENT = re.compile(r"(?<![\w#@])" + _SCHOOL_ABSENT + r"(?![\w])", re.IGNORECASE)

#: Cue groups: name -> pattern. ``SCHOOL_GROUPS`` point to ``school``, the rest to ``non_school``
#: (the model learns each group's weight; these only decide how reasons are worded).
CUES: dict[str, re.Pattern[str]] = {
    "classroom": _rx(
        r"class(?:room|es|mates?)?", r"students?", r"homework", r"quiz(?:zes)?", r"tests?",
        r"exams?", r"units?", r"lessons?", r"syllabus", r"assignments?", r"projects?",
        r"field trips?", r"permission slips?", r"(?:parent-teacher )?conferences?",
        r"report cards?", r"grading", r"graded", r"rubric", r"canvas", r"schoology",
        r"google classroom", r"remind", r"room \d+", r"(?:\d(?:st|nd|rd|th) )?period",
        r"semester", _GRADE + r" grade(?:rs?)?", r"kindergarten(?:ers)?", r"freshm[ae]n",
        r"sophomores?", r"juniors", r"seniors", r"(?:our|my|these|your) (?:kids|kiddos|class)",
        r"kiddos?", r"families", r"sub(?:bing|stitute)?", r"lesson plans?",
        r"reading (?:log|list|goal|calendar)", r"essays?", r"worksheets?", r"science fair",
        r"spelling", r"math", r"science", r"history", r"library", r"school(?:s|wide)?",
        r"campus", r"principal", r"pto", r"pta", r"curriculum", r"teach(?:ing|er|ers)?",
        r"learn(?:ing|ed)?", r"graduat(?:e|es|ion)", r"class of \d+", r"lab", r"experiment",
        r"tutoring", r"study guide", r"supply list", r"school supplies",
        r"chromebooks?", r"(?:extra|late|partial|full|\d+%) credit",
        r"turn (?:it|them|that|this) in", r"make-?up (?:work|test|quiz|lab)", r"retakes?",
        r"(?:great|good|nice|awesome|amazing) (?:job|work|effort)", r"proud of (?:you|y'all|them)",
        # career and technology centers (the seed districts are technology centers)
        r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh) hour",
        r"clinicals?", r"clinical rotations?", r"(?:the|our|in) shop", r"shop day",
        r"instructors?", r"certifications?", r"certified", r"apprentice(?:s|ship|ships)?",
        r"industry partners?", r"job fair", r"career fair", r"(?:practical )?nursing",
        r"medical assisting", r"welding", r"welders?", r"cosmetology", r"culinary",
        r"automotive", r"diesel", r"hvac", r"carpentry", r"cdl", r"early childhood",
        r"criminal justice", r"aviation maintenance", r"scrubs", r"adult ed(?:ucation)?",
        r"(?:our|the|this) program",
    ),
    "school_event": _rx(
        r"spirit week", r"picture day", r"book fair", r"assembly", r"bake sale",
        r"(?:class|club|booster) fundraiser", r"fundraiser", r"field day", r"concert",
        r"homecoming", r"yearbook", r"prom", r"pep (?:rally|band)", r"open house",
        r"early release", r"dismissal", r"snow day", r"(?:fire|tornado|lockdown) drill",
        r"recess", r"bus(?:es)?", r"advisory", r"homeroom", r"walk-a-thon", r"talent show",
        r"(?:science|math|literacy|family|curriculum) night", r"lost and found", r"showcase",
        r"school board", r"town hall", r"mock election", r"student council", r"drop-?off",
        r"pick-?up line", r"car (?:line|riders?)", r"carpool",
        r"boosters?", r"proceeds", r"all profits", r"50/50", r"chapter account",
        r"penny war", r"food drive", r"testing", r"sub plans?",
    ),
    "team_club": _rx(
        r"team", r"tournament", r"(?:swim|track|cross country|state|district|county) meet",
        r"regionals?", r"state (?:final|semifinal|contest|championship|qualifier)s?",
        r"district final", r"practice", r"clubs?", r"band", r"choir", r"orchestra", r"ffa",
        r"4-h", r"robotics", r"coach(?:es)?", r"varsity", r"jv", r"debate", r"quiz bowl",
        r"auditions?", r"rehearsals?", r"theat(?:er|re)", r"wrestl(?:ers?|ing)",
        r"cheer(?:ing|leaders?|leading)?", r"athletes?", r"marching", r"conference title",
        r"bpa", r"deca", r"hosa", r"skillsusa", r"fccla", r"tsa", r"nhs", r"(?:our )?chapter",
        r"competitors?",
    ),
    "student_enterprise": _rx(
        r"(?:students|class|classes|club|team|chapter|program|kids|seniors|juniors|graders)"
        r" (?:is|are|will be) (?:selling|taking orders|running|open)",
        r"(?:supporting|to support|benefit(?:ing|s)?|funds? for|proceeds (?:go to|benefit))"
        r" (?:our|the) (?:trip|team|program|club|class|chapter|students|competitors)",
        r"(?:clinic|salon|shop|caf[eé]|restaurant|bakery|garage) (?:is )?open to the public",
        r"student[- ]run", r"run by (?:our )?students",
    ),
    "civics_lesson": _rx(
        r"mock (?:election|trial|senate|congress|hearing|debate|caucus)", r"civics",
        r"(?:ap |us |u\.s\. |american )?gov(?:ernment|t)? (?:class|classes|unit|students|"
        r"project|kids)", r"ap gov", r"social studies", r"student council",
        r"class (?:president|officers?|election|vote)", r"(?:junior|senior|freshman|sophomore)"
        r" class officers?", r"primary sources?", r"sample ballot", r"voter registration",
        r"register(?:ed)? to vote", r"polling (?:place|site|location)s?",
        r"information (?:night|session)", r"forum recording", r"bill becomes a law",
        r"(?:model un|debate team|student journalists?|school newspaper)",
        r"(?:field trip|trip|tour|visit) to the (?:state )?capitol", r"capitol (?:trip|tour)",
        r"(?:students|kids|class|kindergarten(?:ers)?|graders|period|room \d+) voted",
        r"unit on", r"(?:election|government|civics|voting) unit", r"executive branch",
        r"legislative branch", r"three branches", r"voting age", r"fictional candidates?",
        r"class (?:cookie|pet|book|name) (?:election|vote)", r"no school.{0,30}election day",
        r"(?:officer|chapter|club|council|student) elections?", r"campaign speech(?:es)?",
    ),
    "selling": _rx(
        r"sell(?:ing)?", r"for sale", r"obo", r"garage sale", r"moving sale", r"yard sale",
        r"estate sale", r"porch pickup", r"pickup only", r"dm me", r"message me", r"inbox me",
        r"text me", r"inquiries", r"etsy", r"my shop", r"use (?:my )?code", r"promo code",
        r"\d+% off", r"bogo", r"free shipping", r"book (?:through|with) me", r"booking",
        r"side hustle", r"my business", r"buying or selling", r"for rent", r"roommate",
        r"hit me up", r"asking \$?\d+", r"make an offer", r"negotiable", r"marketplace",
        r"face value", r"tickets? for sale", r"private (?:\w+ )?(?:tutoring|lessons)",
        r"not affiliated with", r"\$\d+ ?(?:/|an |per )(?:hr|hour|session|week)",
    ),
    "promotion_mlm": _rx(
        r"join my team", r"earn (?:money )?from home", r"work from home", r"passive income",
        r"wholesale", r"essential oils?", r"scentsy", r"pampered chef", r"color street",
        r"younique", r"monat", r"herbalife", r"shake program", r"crypto", r"giveaways?",
        r"followers", r"my (?:tiktok|youtube|podcast|blog|channel)", r"blog post",
        r"(?:business|shop|food truck|bakery|salon) is (?:open|having)", r"investing",
        r"like and share", r"candle business", r"usborne", r"tupperware", r"mary kay", r"avon",
        r"lularoe", r"paparazzi jewelry", r"rodan", r"arbonne", r"pure romance",
    ),
    "campaigning": _rx(
        r"vote (?:for (?!(?:our|your|the|my|this|a|an|favorite|whoever|who|which|what|each)\b)"
        r"\w+|no|yes|against|red|blue|them out|him out|her out|\w+ (?:for|on) )",
        r"voting (?:against|for|no|yes|straight)", r"i'?m voting", r"re-?elect", r"senate",
        r"congress(?:man|woman)?", r"democrats?", r"republicans?", r"liberals?",
        r"conservatives?", r"petition", r"(?:call|email|text|tell) your (?:state )?"
        r"(?:representatives?|rep|senators?|legislators?|lawmakers?)", r"recall",
        r"prop(?:osition)? \d+", r"campaign(?:ing|s)? for", r"candidates?", r"#\w+20\d\d",
        r"second amendment", r"gun rights", r"partisan", r"the media", r"this country",
        r"taxed", r"tax the", r"government", r"maga", r"gop", r"yard signs?",
        r"primary", r"primaries", r"ballots?", r"election day", r"early voting", r"runoff",
        r"endors(?:e|es|ed|ing|ement)", r"\w+'s campaign", r"phone bank(?:ing)?",
        r"knock(?:ing)? (?:on )?doors", r"canvass(?:ing)?", r"(?:has|gets|got) my vote",
        r"my vote", r"pac", r"slate", r"governor", r"mayor", r"legislature",
        r"(?:state|county|city) (?:rep|senator|commission(?:er)?)", r"straight ticket",
        r"(?<!pep )rally", r"march(?:ing)? on", r"#\w*vote\w*", r"retweet if", r"share this",
        r"(?:as a|i'?m a) (?:teacher|educator),? (?:i'?m )?(?:telling|endorsing|urging|asking)",
        r"mill levy", r"levy override", r"for school board", r"board seat",
    ),
    "alcohol_party": _rx(
        r"wine(?:ries|ry)?", r"cabernet", r"merlot", r"pinot", r"chardonnay",
        r"prosecco", r"champagne", r"glass of \w+", r"beers?", r"margs?", r"margaritas?",
        r"mimosas?", r"cocktails?",
        r"happy hour", r"cheers", r"bottle of", r"drinks", r"drinking", r"drunk", r"tipsy",
        r"hungover", r"brewer(?:y|ies)", r"tailgat(?:e|ing)", r"a cold one", r"bar crawl",
        r"shots", r"vodka", r"tequila", r"whiskey", r"bourbon", r"sangria", r"ros[eé]",
        r"poker", r"bottomless", r"booze", r"\U0001F377", r"\U0001F37A", r"\U0001F37B",
        r"\U0001F942", r"\U0001F379", r"\U0001F37E", r"\U0001F378",
    ),
    "religion": _rx(
        r"jesus", r"christ", r"the lord", r"gospel", r"bible study", r"church", r"get saved",
        r"be saved", r"saved", r"repent", r"revival", r"sermon", r"scripture", r"salvation",
        r"sunday service", r"worship", r"pray with you", r"youth group", r"ministry", r"pastor",
    ),
    "personal_life": _rx(
        r"(?:my|our) (?:" + _FAMILY + r")(?:'s)?", r"engaged", r"engagement", r"wedding",
        r"anniversary", r"baby #?\d?", r"pregnan(?:t|cy)", r"expecting", r"vacation",
        r"vacay", r"cruise", r"beach", r"disney", r"date night", r"divorce", r"diet", r"keto",
        r"half marathon", r"marathon", r"hike", r"camping", r"hunting", r"fishing",
        r"birthday", r"best friend", r"sorority", r"brunch", r"netflix", r"binge",
        r"fantasy football", r"new (?:house|truck|car|hair)", r"remodel", r"mortgage",
        r"hit the gym", r"workout",
        r"dentist", r"mechanic", r"lawyer", r"tattoo", r"yoga", r"skydiving", r"scuba",
        r"gofundme", r"venmo", r"travel (?:baseball|hockey|soccer|softball|volleyball) team",
        r"dance recital", r"girl scout troop", r"mission trip", r"pageant", r"girls'? trip",
        r"honeymoon", r"photo shoot pics", r"family photos",
    ),
    "personal_time": _rx(
        r"my (?:own )?(?:weekend|summer|break|spring break|winter break|fall break|day off|"
        r"days off|time off|vacation|plans|summer plans|own kids|knee|back|surgery|doctor|"
        r"therapist|meds|medication|diagnosis|chemo|health|store|side business|second job|"
        r"bracket|commute|apartment|couch|garden|birthday)",
        r"summer plans", r"(?:slept|sleeping|sleep) (?:in|till|until|late)", r"naps?",
        _SCHOOL_ABSENT, r"set an alarm", r"out of office",
        r"unplug(?:ging|ged)?", r"road trip", r"booked (?:it|our|my)",
        r"(?:at|to|on) the lake", r"the pool", r"pool'?s open", r"poolside",
        r"porch", r"sweatpants", r"me time", r"self[- ]care", r"on the side", r"side (?:gig|job)",
        r"weekend shifts?", r"cancer", r"migraine", r"covid", r"bloodwork", r"book club",
        r"reunion", r"podcasts?", r"teachers pay teachers", r"tpt", r"(?:i'?m|i am) (?:a )?"
        r"licensed", r"realtor",
        r"(?:days|weeks|mondays|sleeps) (?:until|till|til) (?:i|i'?m|my|me)",
        r"leaving teaching", r"teacher discount",
        r"(?:chiefs|cowboys|braves|lakers|yankees|packers|steelers|eagles|cubs|dodgers|"
        r"patriots|super bowl|world series|march madness|nfl|nba|mlb)",
        r"work family", r"my (?:union|church)",
    ),
}
SCHOOL_GROUPS = ("classroom", "school_event", "team_club", "student_enterprise", "civics_lesson")
NON_SCHOOL_GROUPS = tuple(g for g in CUES if g not in SCHOOL_GROUPS)


def cue_hits(text: str, corrected: str | None = None) -> dict[str, list[str]]:
    """Distinct matched terms per cue group (lower-cased, in order of appearance); with
    ``corrected`` (the text's spelling-corrected reading) its terms follow those as written."""
    if corrected is not None and corrected != text:
        written, read = cue_hits(text), cue_hits(corrected)
        return {g: written[g] + [t for t in read[g] if t not in written[g]] for g in written}
    text = text or ""
    masked = _ABSENT.sub(lambda m: " " * len(m.group(0)), text)
    out: dict[str, list[str]] = {}
    for group, pattern in CUES.items():
        seen: list[str] = []
        for match in pattern.finditer(masked if group in SCHOOL_GROUPS else text):
            term = match.group(0).lower()
            if term not in seen:
                seen.append(term)
        out[group] = seen
    return out


#: Cue groups that another group's presence switches off: campaign words inside a civics lesson
#: (a mock election, a capitol trip, voter registration for seniors, a chapter's officer
#: elections) are the lesson's subject.
#: Selling words where students sell for their program (a class fundraiser, a student-run
#: clinic open to the public) are the program's business.
NEUTRALISED_BY = {"campaigning": "civics_lesson", "selling": "student_enterprise"}


def active(hits: Mapping[str, list[str]], group: str) -> bool:
    """Whether ``group``'s matches count as a feature (not neutralised by context)."""
    other = NEUTRALISED_BY.get(group)
    return not (other and hits.get(other))


def feature_names() -> list[str]:
    from checks.detectors.embedding import DIMENSIONS

    return ([f"emb[{i}]" for i in range(DIMENSIONS)] + [f"cue:{g}" for g in CUES]
            + [FINETUNED_FEATURE])


def cue_matrix(hits: Sequence[Mapping[str, list[str]]]) -> np.ndarray:
    """(n, groups) capped counts of distinct matches."""
    import numpy as np

    return np.array([[min(len(h[g]), CUE_CAP) if active(h, g) else 0 for g in CUES]
                     for h in hits], dtype=np.float64)


def features(texts: Sequence[str], encoder: TextEncoder, speller: Speller | None = None, *,
             classifier: TextClassifier | None = None, ft: np.ndarray | None = None,
             ) -> tuple[np.ndarray, list[dict[str, list[str]]]]:
    """The model's input for ``texts`` (one ``encode`` call, one classifier pass) and the cue
    hits behind it: the embedding of the text as written, the cues also of its corrected
    reading (``speller``), the fine-tuned classifier's log-odds of non_school, read from the
    corrected reading too (in training its out-of-fold probabilities ``ft`` instead; the speller
    knows every training word, so no training text would be corrected)."""
    import numpy as np

    texts = [strip_addressee(t) for t in texts]
    corrected = [speller.correct(t) for t in texts] if speller else None
    hits = [cue_hits(t, corrected[i] if corrected else None) for i, t in enumerate(texts)]
    emb = np.asarray(encoder.encode(texts), dtype=np.float64)
    if ft is None:
        if classifier is None:
            raise ValueError("features needs the fine-tuned classifier or its probabilities")
        ft = classifier.predict_proba(corrected or texts)
    p = np.clip(np.asarray(ft, dtype=np.float64)[:, 1], 1e-4, 1 - 1e-4)
    return np.hstack([emb, cue_matrix(hits), np.log(p / (1 - p))[:, None]]), hits


def text_of(item: Any, index: int = 0) -> str:
    """The ``text`` of one input, or ``InputError`` saying what is wrong. ``None`` counts as
    empty text (a media-only post)."""
    if not isinstance(item, Mapping):
        raise InputError(f"{NAME} input #{index}: expected an object with 'text', "
                         f"got {type(item).__name__}")
    if "text" not in item:
        raise InputError(f"{NAME} input #{index} (id {item.get('id')!r}): missing 'text'")
    text = item["text"]
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InputError(f"{NAME} input #{index} (id {item.get('id')!r}): 'text' must be a "
                         f"string, got {type(text).__name__}")
    return text


def _cue_fixes(text: str, hits: Mapping[str, list[str]], speller: Speller,
               ) -> list[tuple[str, str]]:
    """The corrections of ``text`` behind cue terms its corrected reading added to ``hits``."""
    written = strip_addressee(text)
    fixes = speller.corrections(written)
    if not fixes:
        return []
    as_written = cue_hits(written)
    added = " ".join(t for g, terms in hits.items() for t in terms if t not in as_written[g])
    return [(a, b) for a, b in fixes if re.search(rf"\b{re.escape(b.lower())}\b", added)]


def _fmt(group: str, terms: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{t}'" for t in terms[:limit])
    return f"{group.replace('_', ' ')} ({shown})"


class TeacherContentDetector:
    """MiniLM embedding + cue counts -> logistic regression. Batched, order-preserving."""

    name = NAME

    def __init__(self, model: LinearModel | None = None, *, model_path: str | Path = MODEL_PATH,
                 encoder: TextEncoder | None = None):
        from checks.detectors.linear import LinearModel

        self.model = model if model is not None else LinearModel.load(model_path)
        if list(self.model.classes) != list(LABELS):
            raise ValueError(f"{NAME} model classes {self.model.classes}, expected {LABELS}")
        self._encoder = encoder
        self._classifier: TextClassifier | None = None
        from checks.detectors import spelling

        digest = hashlib.sha256(self.model.dumps().encode("utf-8")).hexdigest()
        self.version = f"{METHOD_VERSION}+{digest[:10]}{spelling.version_tag(NAME)}"

    @property
    def encoder(self) -> TextEncoder:
        if self._encoder is None:
            from checks.detectors.embedding import encoder

            self._encoder = encoder()
        return self._encoder

    @property
    def classifier(self) -> TextClassifier:
        if self._classifier is None:
            from checks.detectors import finetuned

            self._classifier = finetuned.for_detector(NAME, LABELS,
                                                      self.model.meta["finetuned_sha256"],
                                                      max_tokens=FINETUNED_MAX_TOKENS)
        return self._classifier

    def validate(self, item: Mapping[str, Any]) -> None:
        """Raise ``InputError`` if ``item`` cannot be scored (for per-line CLI errors)."""
        text_of(item)

    def classify(self, inputs: Sequence[Mapping[str, Any]]) -> list[Verdict]:
        """One verdict per input, in order; all texts of the batch go to one ``encode`` call.
        A post with no text (media only) is not flagged: there is nothing to judge."""
        texts = [text_of(item, i) for i, item in enumerate(inputs)]
        verdicts: list[Verdict | None] = [None] * len(texts)
        scored = [i for i, t in enumerate(texts) if t.strip()]
        for i, t in enumerate(texts):
            if not t.strip():
                verdicts[i] = Verdict(flagged=False, label=LABELS[0], score=0.0,
                                      reasons=["no text to judge (media-only or empty post)"])
        if scored:
            from checks.detectors import spelling

            speller = spelling.for_detector(NAME)
            x, hits = features([texts[i] for i in scored], self.encoder, speller,
                               classifier=self.classifier)
            proba = self.model.positive_proba(x)
            for i, p, h in zip(scored, proba, hits, strict=True):
                verdicts[i] = self._verdict(float(p), h, _cue_fixes(texts[i], h, speller))
        return [v for v in verdicts if v is not None]

    def _verdict(self, p: float, hits: Mapping[str, list[str]],
                 fixes: Sequence[tuple[str, str]] = ()) -> Verdict:
        threshold = self.model.threshold
        non_school = p >= threshold
        non_cues = [_fmt(g, hits[g]) for g in NON_SCHOOL_GROUPS if hits[g]]
        school_cues = [_fmt(g, hits[g]) for g in SCHOOL_GROUPS if hits[g]]
        reasons = [f"classifier p(non_school)={p:.2f} (threshold {threshold:.2f})"]
        sides = [("non-school cues: ", non_cues), ("school cues: ", school_cues)]
        if not non_school:
            sides.reverse()
        reasons += [prefix + "; ".join(cues) for prefix, cues in sides if cues]
        if not non_cues and not school_cues:
            reasons.append("no cue terms; decided by the text embedding")
        details: dict[str, Any] = {"cues": {g: list(t) for g, t in hits.items() if t}}
        if fixes:
            reasons.append("cues also read with the spelling corrected: "
                           + ", ".join(f"{a} -> {b}" for a, b in fixes))
            details["spelling_corrected"] = [list(f) for f in fixes]
        return Verdict(flagged=non_school, label=LABELS[1] if non_school else LABELS[0],
                       score=p, reasons=reasons, details=details)


@cache
def _default() -> TeacherContentDetector:
    return TeacherContentDetector()


def detector(**options: Any) -> TeacherContentDetector:
    """The process-wide detector with the committed model; with options (``model``,
    ``model_path``, ``encoder``) a new instance."""
    return TeacherContentDetector(**options) if options else _default()


# --------------------------------------------------------------------------------------------
# training (``python -m checks.train teacher-content``)
# --------------------------------------------------------------------------------------------

#: Hyper-parameter grid searched by cross-validation on the training rows.
GRID = {"C": (1.0, 3.0, 10.0, 30.0, 100.0), "cue_weight": (0.3, 0.5, 0.7, 1.0, 1.5)}
CV_FOLDS, CV_REPEATS, CV_SEED = 5, 5, 0


def fit(x: np.ndarray, labels: Sequence[str], *, C: float, cue_weight: float,
        train_sha256: str = "", meta: Mapping[str, Any] | None = None,
        tol: float = 1e-10) -> LinearModel:
    """Fit the model on prepared features (embedding columns as they are, cue columns divided by
    ``1/cue_weight``, which the saved model applies itself)."""
    from checks.detectors.embedding import DIMENSIONS, MODEL_ID
    from checks.detectors.linear import fit_logistic

    n_cues = x.shape[1] - DIMENSIONS - 1
    scale = [1.0] * DIMENSIONS + [1.0 / cue_weight] * n_cues + [1.0]
    return fit_logistic(x, labels, LABELS, C=C, column_scale=scale, feature_names=feature_names(),
                        train_sha256=train_sha256, embedding_model=MODEL_ID, tol=tol,
                        meta={"cue_weight": cue_weight, "cue_cap": CUE_CAP, **(meta or {})})


def cross_validate(x: np.ndarray, labels: Sequence[str], *, C: float, cue_weight: float,
                   n_stack: int = 0) -> dict[str, float]:
    """Repeated stratified k-fold on the training rows: mean non_school F1, macro F1, accuracy.
    The last ``n_stack`` rows of ``x`` are stack rows: every fold is fitted on them too, and
    none is ever scored (they are written rows of one register, not a page's mix)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import RepeatedStratifiedKFold

    y = np.array(labels)
    n = len(y) - n_stack
    stack = np.arange(n, len(y))
    splitter = RepeatedStratifiedKFold(n_splits=CV_FOLDS, n_repeats=CV_REPEATS,
                                       random_state=CV_SEED)
    scores: dict[str, list[float]] = {"f1_non_school": [], "macro_f1": [], "accuracy": []}
    for fold_idx, test_idx in splitter.split(x[:n], y[:n]):
        train_idx = np.concatenate([fold_idx, stack])
        model = fit(x[train_idx], list(y[train_idx]), C=C, cue_weight=cue_weight, tol=1e-6)
        pred = model.predict(x[test_idx])
        scores["f1_non_school"].append(f1_score(y[test_idx], pred, pos_label=LABELS[1]))
        scores["macro_f1"].append(f1_score(y[test_idx], pred, average="macro"))
        scores["accuracy"].append(accuracy_score(y[test_idx], pred))
    return {k: round(float(np.mean(v)), 4) for k, v in scores.items()}


def stack_features(texts: Sequence[str], encoder: TextEncoder, finetuned_sha256: str,
                   ) -> np.ndarray:
    """The model's input for stack rows, exactly as the audit computes it: the shipped
    classifier (which never saw them) and the cue groups read their spelling-corrected text."""
    from checks.detectors import finetuned, spelling

    classifier = finetuned.for_detector(NAME, LABELS, finetuned_sha256,
                                        max_tokens=FINETUNED_MAX_TOKENS)
    x, _ = features(texts, encoder, spelling.for_detector(NAME), classifier=classifier)
    return x


def train(data_path: str | Path | Sequence[str | Path] | None = None,
          out_path: str | Path | None = MODEL_PATH, *, search: bool = True,
          encoder: TextEncoder | None = None, log: Any = print) -> LinearModel:
    """Train on the training files (``checks.datasets.training_paths``, with the fine-tuned
    classifier's out-of-fold probabilities) and the stack rows (``checks.datasets.stack_paths``,
    as the audit reads them), or on ``data_path`` only (one file or several), and (unless
    ``out_path`` is None) write the model JSON.

    With ``search`` the grid ``GRID`` is cross-validated on the training rows and the best macro
    F1 wins (ties: smaller C, then smaller cue weight); without it the hyper-parameters recorded
    in the current model file are reused, which reproduces that model exactly.
    """
    import numpy as np

    from checks import datasets
    from checks.detectors.linear import LinearModel

    paths = datasets.resolve(NAME, data_path)
    stack = datasets.stack_paths(NAME) if data_path is None else []
    rows, stack_rows = datasets.load_all(paths), datasets.load_all(stack)
    labels = [r["label"] for r in rows + stack_rows]
    if encoder is None:
        from checks.detectors.embedding import encoder as shared_encoder

        encoder = shared_encoder()
    from checks.detectors.finetune import read_oof

    ft, finetuned_sha = read_oof(NAME, rows, datasets.joined_sha256(paths), LABELS)
    x, _ = features([r["text"] for r in rows], encoder, ft=ft)
    if stack_rows:
        x = np.vstack([x, stack_features([r["text"] for r in stack_rows], encoder,
                                         finetuned_sha)])
    meta: dict[str, Any] = {"train_file": datasets.joined_names(paths),
                            "n_train": len(rows) + len(stack_rows),
                            "stack_file": datasets.joined_names(stack),
                            "stack_sha256": datasets.joined_sha256(stack),
                            "n_stack": len(stack_rows),
                            "cv_scored_on": datasets.joined_names(paths),
                            "finetuned_sha256": finetuned_sha,
                            "cv_folds": CV_FOLDS, "cv_repeats": CV_REPEATS, "cv_seed": CV_SEED}
    if search:
        table = []
        for C in GRID["C"]:
            for w in GRID["cue_weight"]:
                result = cross_validate(x, labels, C=C, cue_weight=w,
                                        n_stack=len(stack_rows))
                table.append({"C": C, "cue_weight": w, **result})
                log(f"  C={C:<6} cue_weight={w:<4} {result}")
        best = max(table, key=lambda r: (r["macro_f1"], -r["C"], -r["cue_weight"]))
        C, w = best["C"], best["cue_weight"]
        meta.update(cv_best={k: best[k] for k in ("f1_non_school", "macro_f1", "accuracy")},
                    cv_grid=table)
    else:
        current = LinearModel.load(MODEL_PATH)
        C, w = float(current.meta["C"]), float(current.meta["cue_weight"])
        meta.update({k: current.meta[k] for k in ("cv_best", "cv_grid") if k in current.meta})
    model = fit(x, labels, C=C, cue_weight=w, train_sha256=datasets.joined_sha256(paths),
                meta=meta)
    if out_path is not None:
        model.save(out_path)
        log(f"{NAME}: C={C} cue_weight={w} on {meta['train_file']} -> {out_path}")
    return model
