"""``controversy``: is a district thread controversial (so replies need a designee's approval)?

Serves the ``unapproved_controversial_reply`` rule. Input ``{"id", "post", "comments": [...]}``
with comments as strings or objects with ``text``; the verdict's label is ``controversial`` or
``not_controversial``, ``flagged`` when controversial, ``score`` = P(controversial).

The labelling rule (``checks/data/README.md``) is an OR: a thread is controversial if **(A)** its
topic is divisive or a crisis, whatever the comments say, or **(B)** three or more comments are
angry at a district decision or argue about it. The detector mirrors that structure:

- **topic score** ``p_topic``: logistic regression on the post's MiniLM embedding plus twelve
  topic-cue indicators (``TOPICS``: elections/taxes, books and curriculum, boundaries and
  closures, cuts and layoffs, hot-button issues, mascots, safety measures, crises, misconduct,
  discipline incidents, leadership turmoil, contested decisions);
- **storm score** ``p_storm``: logistic regression on five comment statistics: the share and the
  number (capped at 3) of *angry* comments, the highest anger probability, the share of
  VADER-negative comments, and whether clearly positive and clearly negative comments meet (an
  argument). A comment's anger probability comes from a third logistic regression on its MiniLM
  embedding, trained on the comment training files: comments labelled ``protected`` (critical, angry
  or sarcastic about the district, on topic) against plain ``none`` comments;
- **combination**: noisy-OR, ``p = 1 - (1 - p_topic) * (1 - p_storm)``, flagged at the threshold
  chosen by cross-validation.

Reasons quote only the post's matched topic terms, counts and scores, never a comment's words:
they are copied into findings' evidence, and a comment is a third party's text.

All three models live in ``checks/detectors/models/controversy.json`` (a
``checks.detectors.linear.ModelBundle``), written by ``python -m checks.train controversy`` from
the train files only. numpy, VADER, the encoder and the model are loaded on first use.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from checks.detectors.base import InputError, Verdict

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from checks.detectors.linear import LinearModel, ModelBundle

NAME = "controversy"
METHOD_VERSION = "2"  # bump when features, method or reasons change (the model hash is appended)
LABELS = ("not_controversial", "controversial")  # second = positive (flagged)
HERE = Path(__file__).resolve().parent
MODEL_PATH = HERE / "models" / "controversy.json"
ANGRY_CAP = 3  # rule (B): three angry comments make a storm
VADER_NEGATIVE = -0.05  # VADER's own cut-off for "negative"
VADER_STRONG = 0.3  # |compound| for "clearly" positive / negative (argument signal)
STORM_FEATURES = ("angry_share", "angry_count", "angry_max", "negative_share", "argument")


class TextEncoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


#: Topic cues of rule (A), one pattern per group; the topic model learns each group's weight.
TOPICS: dict[str, re.Pattern[str]] = {
    "election_tax": _rx(
        r"bonds?", r"(?:mill )?levy", r"levies", r"millage", r"referendum", r"ratification",
        r"tax(?:es| rate| impact| increase| hike)?", r"ballots?", r"election", r"override",
        r"polling places?", r"voters?"),
    "books_curriculum": _rx(
        r"book (?:challenge|removal|ban)s?", r"banned", r"challenged?", r"reconsideration",
        r"removed? from (?:the )?(?:library|shelves|classroom)", r"curriculum",
        r"sex ed(?:ucation)?",
        r"critical race theory", r"crt", r"complaint about (?:a|the) (?:lesson|book)",
        r"formal complaint", r"reading list", r"opt[- ]out"),
    "boundary_closure": _rx(
        r"boundar(?:y|ies)", r"feeder", r"rezon(?:e|ing)", r"attendance zones?",
        r"clos(?:e|ing|ure)", r"consolidat(?:e|ed|ion|ing)", r"merg(?:e|er|ing)",
        r"grade configuration", r"charter", r"relocat(?:e|ion)", r"redistricting"),
    "cuts_layoffs": _rx(
        r"layoffs?", r"laid off", r"eliminat(?:e|es|ed|ing|ion)", r"cuts?", r"reduction in force",
        r"rif", r"positions", r"deficit", r"shortfall", r"reduc(?:e|es|ed|ing) (?:staff|staffing)",
        r"fees?", r"furloughs?", r"outsourc(?:e|ing)"),
    "hot_button": _rx(
        r"masks?", r"mask mandate", r"vaccin(?:e|es|ation|ations)", r"dei", r"diversity",
        r"equity", r"inclusion", r"prayer", r"religio(?:n|us)", r"bible", r"gender identity",
        r"transgender", r"pronouns?", r"pride", r"lgbtq\+?", r"drag", r"sexual orientation",
        r"immigration", r"political", r"bathrooms?", r"locker rooms?"),
    "mascot_rename": _rx(r"mascots?", r"renam(?:e|ed|ing)", r"name change", r"retire the"),
    "safety_measures": _rx(
        r"sros?", r"school resource officers?", r"armed", r"guards?", r"metal detectors?",
        r"(?:weapons? detection )?scanners?", r"clear (?:backpacks?|bags?)", r"cameras?",
        r"fenc(?:e|es|ing)", r"locked", r"surveillance", r"searches", r"phone ban"),
    "crisis": _rx(
        r"lockdown(?! drill)", r"shelter[- ]in[- ]place", r"threats?", r"weapons?", r"guns?",
        r"firearms?", r"knife", r"evacuat(?:ed|ion|e)", r"crash(?:ed)?", r"rollover",
        r"accident", r"injur(?:ed|y|ies)", r"hospital(?:ized)?", r"struck",
        r"lead (?:levels|pipes)",
        r"radon", r"gas leak", r"asbestos", r"mold", r"tb", r"tuberculosis", r"bed ?bugs",
        r"outbreak", r"breach", r"ransomware", r"cyber(?:security)? (?:incident|attack)",
        r"lost (?:his|her|their) li(?:fe|ves)", r"police", r"suspect", r"emergency",
        r"food poisoning", r"overdose"),
    "misconduct": _rx(
        r"investigat(?:e|es|ed|ing|ion)", r"administrative leave", r"on leave",
        r"arrest(?:ed)?", r"charged", r"misconduct", r"allegations?", r"inappropriate(?:ly)?",
        r"improperly", r"terminat(?:ed|ion)", r"dismissed", r"suspen(?:ded|sion)", r"dui",
        r"abuse", r"viral", r"cover-?up", r"complaints?", r"lawsuit", r"settlement"),
    "discipline_incident": _rx(
        r"fights?", r"assault(?:ed)?", r"bully(?:ing)?", r"brawl", r"vandalism", r"hazing",
        r"forfeit", r"ineligible", r"racist", r"slurs?", r"truancy", r"expelled", r"chants?"),
    "leadership": _rx(
        r"resign(?:s|ed|ation)?", r"censure[sd]?", r"reassigned", r"no confidence",
        r"walk(?:ed)? out", r"disrupt(?:ed|ion)", r"recall", r"placed on (?:paid )?leave",
        r"contract (?:not renewed|buyout)", r"superintendent search"),
    "decision": _rx(
        r"board (?:voted|approved|adopted|will consider|will vote)", r"voted \d-\d",
        r"\d-\d vote", r"new policy", r"policy change",
        r"will (?:require|eliminate|begin|no longer|move|install|block|refer|close|cut|charge)",
        r"beginning (?:next|this|in|monday)", r"starting next", r"effective immediately",
        r"must (?:wear|pay)", r"will cost"),
}


def topic_hits(post: str) -> dict[str, list[str]]:
    """Distinct matched topic terms per group (lower-cased, in order of appearance)."""
    out: dict[str, list[str]] = {}
    for group, pattern in TOPICS.items():
        seen: list[str] = []
        for match in pattern.finditer(post or ""):
            term = match.group(0).lower()
            if term not in seen:
                seen.append(term)
        out[group] = seen
    return out


def topic_feature_names() -> list[str]:
    from checks.detectors.embedding import DIMENSIONS

    return [f"emb[{i}]" for i in range(DIMENSIONS)] + [f"topic:{g}" for g in TOPICS]


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------

def _where(index: int, item: Mapping[str, Any]) -> str:
    return f"{NAME} input #{index} (id {item.get('id')!r})"


def thread_of(item: Any, index: int = 0) -> tuple[str, list[str]]:
    """``(post, comment texts)`` of one input, or ``InputError`` saying what is wrong.
    ``None`` counts as empty text; ``comments`` may be empty."""
    if not isinstance(item, Mapping):
        raise InputError(f"{NAME} input #{index}: expected an object with 'post' and "
                         f"'comments', got {type(item).__name__}")
    for key in ("post", "comments"):
        if key not in item:
            raise InputError(f"{_where(index, item)}: missing {key!r}")
    post = item["post"]
    if post is None:
        post = ""
    if not isinstance(post, str):
        raise InputError(f"{_where(index, item)}: 'post' must be a string, "
                         f"got {type(post).__name__}")
    comments = item["comments"]
    if comments is None:
        comments = []
    if isinstance(comments, str | bytes | Mapping) or not isinstance(comments, Sequence):
        raise InputError(f"{_where(index, item)}: 'comments' must be a list of strings or of "
                         f"objects with 'text', got {type(comments).__name__}")
    texts = []
    for j, comment in enumerate(comments):
        if isinstance(comment, Mapping):
            if "text" not in comment:
                raise InputError(f"{_where(index, item)}: comment #{j} has no 'text'")
            comment = comment["text"]
        if comment is None:
            comment = ""
        if not isinstance(comment, str):
            raise InputError(f"{_where(index, item)}: comment #{j} must be a string or an "
                             f"object with 'text', got {type(comment).__name__}")
        texts.append(comment)
    return post, texts


# --------------------------------------------------------------------------------------------
# features
# --------------------------------------------------------------------------------------------

@cache
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise RuntimeError("the controversy detector needs vaderSentiment "
                           "(pip install vaderSentiment==3.3.2)") from exc
    return SentimentIntensityAnalyzer()


def vader_compound(texts: Sequence[str]) -> list[float]:
    analyzer = _vader()
    return [float(analyzer.polarity_scores(t)["compound"]) if t.strip() else 0.0 for t in texts]


@dataclass
class ThreadEvidence:
    """What the thread-level features were computed from (kept for reasons and details)."""

    topics: dict[str, list[str]]
    anger: list[float]  # per comment, P(angry)
    compound: list[float]  # per comment, VADER compound

    @property
    def angry(self) -> list[int]:
        return [j for j, p in enumerate(self.anger) if p >= 0.5]

    def storm_vector(self) -> list[float]:
        n = len(self.anger)
        if n == 0:
            return [0.0] * len(STORM_FEATURES)
        angry = len(self.angry)
        negative = sum(c <= VADER_NEGATIVE for c in self.compound)
        argument = (any(c >= VADER_STRONG for c in self.compound)
                    and any(c <= -VADER_STRONG for c in self.compound))
        return [angry / n, min(angry, ANGRY_CAP) / ANGRY_CAP, max(self.anger), negative / n,
                float(argument)]


def thread_features(threads: Sequence[tuple[str, list[str]]], encoder: TextEncoder,
                    anger_model: LinearModel,
                    ) -> tuple[np.ndarray, np.ndarray, list[ThreadEvidence]]:
    """Topic-model input, storm-model input and evidence for each thread: posts and all comments
    of the batch are embedded in one ``encode`` call."""
    import numpy as np

    posts = [post for post, _ in threads]
    comments = [c for _, cs in threads for c in cs]
    emb = np.asarray(encoder.encode(posts + comments), dtype=np.float64)
    post_emb, comment_emb = emb[:len(posts)], emb[len(posts):]
    anger = (anger_model.positive_proba(comment_emb) if comments
             else np.zeros(0, dtype=np.float64))
    compound = vader_compound(comments)
    evidence, start = [], 0
    for post, cs in threads:
        stop = start + len(cs)
        evidence.append(ThreadEvidence(topics=topic_hits(post),
                                       anger=[float(p) for p in anger[start:stop]],
                                       compound=compound[start:stop]))
        start = stop
    topic_cues = np.array([[1.0 if e.topics[g] else 0.0 for g in TOPICS] for e in evidence],
                          dtype=np.float64).reshape(len(evidence), len(TOPICS))
    x_topic = np.hstack([post_emb, topic_cues])
    x_storm = np.array([e.storm_vector() for e in evidence], dtype=np.float64).reshape(
        len(evidence), len(STORM_FEATURES))
    return x_topic, x_storm, evidence


def noisy_or(p_topic: np.ndarray, p_storm: np.ndarray) -> np.ndarray:
    return 1.0 - (1.0 - p_topic) * (1.0 - p_storm)


# --------------------------------------------------------------------------------------------
# detector
# --------------------------------------------------------------------------------------------

class ControversyDetector:
    """Topic score OR storm score (noisy-OR of two logistic regressions). Batched, in order."""

    name = NAME

    def __init__(self, bundle: ModelBundle | None = None, *,
                 model_path: str | Path = MODEL_PATH, encoder: TextEncoder | None = None):
        from checks.detectors.linear import ModelBundle

        self.bundle = bundle if bundle is not None else ModelBundle.load(model_path)
        missing = {"topic", "storm", "comment_anger"} - set(self.bundle.models)
        if missing:
            raise ValueError(f"{NAME} model bundle lacks {sorted(missing)}")
        self.topic = self.bundle.models["topic"]
        self.storm = self.bundle.models["storm"]
        self.anger = self.bundle.models["comment_anger"]
        self.threshold = float(self.bundle.params["threshold"])
        constants = {"angry_cap": ANGRY_CAP, "vader_negative": VADER_NEGATIVE,
                     "vader_strong": VADER_STRONG}
        for key, value in constants.items():
            if self.bundle.params.get(key) != value:
                raise ValueError(f"{NAME} model was trained with {key}="
                                 f"{self.bundle.params.get(key)!r}, this code uses {value!r}: "
                                 "retrain (python -m checks.train controversy)")
        self._encoder = encoder
        digest = hashlib.sha256(self.bundle.dumps().encode("utf-8")).hexdigest()
        self.version = f"{METHOD_VERSION}+{digest[:10]}"

    @property
    def encoder(self) -> TextEncoder:
        if self._encoder is None:
            from checks.detectors.embedding import encoder

            self._encoder = encoder()
        return self._encoder

    def validate(self, item: Mapping[str, Any]) -> None:
        """Raise ``InputError`` if ``item`` cannot be scored (for per-line CLI errors)."""
        thread_of(item)

    def scores(self, threads: Sequence[tuple[str, list[str]]],
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[ThreadEvidence]]:
        """(p, p_topic, p_storm, evidence) for parsed threads."""
        x_topic, x_storm, evidence = thread_features(threads, self.encoder, self.anger)
        p_topic = self.topic.positive_proba(x_topic)
        p_storm = self.storm.positive_proba(x_storm)
        return noisy_or(p_topic, p_storm), p_topic, p_storm, evidence

    def classify(self, inputs: Sequence[Mapping[str, Any]]) -> list[Verdict]:
        threads = [thread_of(item, i) for i, item in enumerate(inputs)]
        if not threads:
            return []
        p, p_topic, p_storm, evidence = self.scores(threads)
        return [self._verdict(float(a), float(b), float(c), e, comments)
                for a, b, c, e, (_, comments)
                in zip(p, p_topic, p_storm, evidence, threads, strict=True)]

    def _verdict(self, p: float, p_topic: float, p_storm: float, e: ThreadEvidence,
                 comments: list[str]) -> Verdict:
        flagged = p >= self.threshold
        reasons = [f"p(controversial)={p:.2f} (threshold {self.threshold:.2f}): "
                   f"topic {p_topic:.2f} OR comment storm {p_storm:.2f}"]
        cues = [f"{g.replace('_', ' ')} ({', '.join(repr(t) for t in terms[:3])})"
                for g, terms in e.topics.items() if terms]
        if cues:
            reasons.append("topic cues: " + "; ".join(cues))
        n = len(comments)
        angry = e.angry
        if n:
            line = f"{len(angry)} of {n} comments angry at the district or arguing"
            if angry:
                # the commenters' words stay out: reasons reach findings and reports, and a
                # comment is someone else's text (a student's name, a phone number ...)
                top = sorted(angry, key=lambda j: -e.anger[j])[:3]
                line += " (" + ", ".join(f"comment #{j + 1} P(angry)={e.anger[j]:.2f}"
                                         for j in top) + ")"
            reasons.append(line)
            negative = sum(c <= VADER_NEGATIVE for c in e.compound)
            reasons.append(f"{negative} of {n} comments negative in tone (VADER)")
            if e.storm_vector()[STORM_FEATURES.index("argument")]:
                reasons.append("clearly positive and clearly negative comments meet (argument)")
        else:
            reasons.append("no comments")
        details = {"p_topic": round(p_topic, 4), "p_storm": round(p_storm, 4),
                   "topic_cues": {g: t for g, t in e.topics.items() if t},
                   "angry_comments": [{"index": j, "p": round(e.anger[j], 3)} for j in angry],
                   "vader_compound": [round(c, 3) for c in e.compound]}
        return Verdict(flagged=flagged, label=LABELS[1] if flagged else LABELS[0], score=p,
                       reasons=reasons, details=details)


@cache
def _default() -> ControversyDetector:
    return ControversyDetector()


def detector(**options: Any) -> ControversyDetector:
    """The process-wide detector with the committed model; with options (``bundle``,
    ``model_path``, ``encoder``) a new instance."""
    return ControversyDetector(**options) if options else _default()


# --------------------------------------------------------------------------------------------
# training (``python -m checks.train controversy``)
# --------------------------------------------------------------------------------------------

ANGER_LABELS = ("calm", "angry")
#: Hyper-parameters searched by repeated stratified 5-fold cross-validation on the train files.
ANGER_GRID = {"C": (1.0, 3.0, 10.0)}
GRID = {"topic_C": (1.0, 3.0, 10.0), "storm_C": (0.3, 1.0, 3.0), "topic_cue_weight": (0.5, 1.0),
        "threshold": (0.5, 0.6, 0.7, 0.8)}
CV_FOLDS, CV_REPEATS, CV_SEED = 5, 5, 0


#: the short-comment rounds (4 and 5: at most 10 words each; checks/data/README.md) teach the
#: anger model nothing it can use: on a frozen embedding "What a joke." and "What a legacy." are
#: alike. Fitted with them, its cross-validated accuracy fell from 0.940 to 0.903 and it read the
#: condolences under a memorial post as angry (checks/README.md, round 5), so it leaves them out.
#: The rows first fitted on in round 8 (``cm-dev-9``, mostly short) are left out too, untried,
#: so that the controversy model, measured on its own blind file, stays the one measured.
ANGER_SKIPPED_IDS = ("cm-dev-5", "cm-dev-6", "cm-dev-9", "cm-eval-5")


def anger_examples(rows: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """From the comment training rows (less the short-comment rounds, ``ANGER_SKIPPED_IDS``):
    ``protected`` comments (critical/angry at the district, on topic) are ``angry``, other
    ``none`` comments ``calm``; removable comments are left out."""
    texts, labels = [], []
    for row in rows:
        if row["label"] == "none" and not row["id"].startswith(ANGER_SKIPPED_IDS):
            texts.append(row["text"])
            labels.append(ANGER_LABELS[1] if row["protected"] else ANGER_LABELS[0])
    return texts, labels


def fit_anger(x: np.ndarray, labels: Sequence[str], *, C: float, tol: float = 1e-10,
              train_sha256: str = "", meta: Mapping[str, Any] | None = None) -> LinearModel:
    from checks.detectors.embedding import DIMENSIONS, MODEL_ID
    from checks.detectors.linear import fit_logistic

    return fit_logistic(x, labels, ANGER_LABELS, C=C, tol=tol,
                        feature_names=[f"emb[{i}]" for i in range(DIMENSIONS)],
                        train_sha256=train_sha256, embedding_model=MODEL_ID, meta=meta)


def fit_topic(x: np.ndarray, labels: Sequence[str], *, C: float, cue_weight: float,
              tol: float = 1e-10, meta: Mapping[str, Any] | None = None) -> LinearModel:
    from checks.detectors.embedding import DIMENSIONS, MODEL_ID
    from checks.detectors.linear import fit_logistic

    scale = [1.0] * DIMENSIONS + [1.0 / cue_weight] * (x.shape[1] - DIMENSIONS)
    return fit_logistic(x, labels, LABELS, C=C, tol=tol, column_scale=scale,
                        feature_names=topic_feature_names(), embedding_model=MODEL_ID,
                        meta={"cue_weight": cue_weight, **(meta or {})})


def fit_storm(x: np.ndarray, labels: Sequence[str], *, C: float, tol: float = 1e-10,
              meta: Mapping[str, Any] | None = None) -> LinearModel:
    from checks.detectors.linear import fit_logistic

    return fit_logistic(x, labels, LABELS, C=C, tol=tol, standardise=True,
                        feature_names=list(STORM_FEATURES), meta=meta)


def _cv_anger(x: np.ndarray, labels: Sequence[str]) -> list[dict[str, float]]:
    import numpy as np
    from sklearn.model_selection import RepeatedStratifiedKFold

    y = np.array(labels)
    splitter = RepeatedStratifiedKFold(n_splits=CV_FOLDS, n_repeats=CV_REPEATS,
                                       random_state=CV_SEED)
    table = []
    for C in ANGER_GRID["C"]:
        acc = []
        for tr, te in splitter.split(x, y):
            model = fit_anger(x[tr], list(y[tr]), C=C, tol=1e-6)
            acc.append(float(np.mean(np.array(model.predict(x[te])) == y[te])))
        table.append({"C": C, "accuracy": round(float(np.mean(acc)), 4)})
    return table


def cross_validate(x_topic: np.ndarray, x_storm: np.ndarray, labels: Sequence[str],
                   log: Any = print) -> list[dict[str, Any]]:
    """Every grid point's mean accuracy, controversial F1 and log-loss over the folds."""
    import itertools

    import numpy as np
    from sklearn.metrics import f1_score
    from sklearn.model_selection import RepeatedStratifiedKFold

    y = np.array(labels)
    splitter = RepeatedStratifiedKFold(n_splits=CV_FOLDS, n_repeats=CV_REPEATS,
                                       random_state=CV_SEED)
    folds = list(splitter.split(x_topic, y))
    # out-of-fold probabilities per fold for each sub-model setting (fit once, reuse)
    topic_p: dict[tuple[float, float], list[np.ndarray]] = {}
    for C, w in itertools.product(GRID["topic_C"], GRID["topic_cue_weight"]):
        topic_p[(C, w)] = [fit_topic(x_topic[tr], list(y[tr]), C=C, cue_weight=w, tol=1e-6)
                           .positive_proba(x_topic[te]) for tr, te in folds]
    storm_p: dict[float, list[np.ndarray]] = {}
    for C in GRID["storm_C"]:
        storm_p[C] = [fit_storm(x_storm[tr], list(y[tr]), C=C, tol=1e-6)
                      .positive_proba(x_storm[te]) for tr, te in folds]
    table = []
    for (tc, w), sc, thr in itertools.product(topic_p, storm_p, GRID["threshold"]):
        acc, f1, loss = [], [], []
        for k, (_, te) in enumerate(folds):
            p = noisy_or(topic_p[(tc, w)][k], storm_p[sc][k])
            pred = np.where(p >= thr, LABELS[1], LABELS[0])
            truth = y[te] == LABELS[1]
            acc.append(float(np.mean(pred == y[te])))
            f1.append(float(f1_score(y[te], pred, pos_label=LABELS[1])))
            q = np.clip(p, 1e-6, 1 - 1e-6)
            loss.append(float(-np.mean(np.where(truth, np.log(q), np.log(1 - q)))))
        row = {"topic_C": tc, "topic_cue_weight": w, "storm_C": sc, "threshold": thr,
               "accuracy": round(float(np.mean(acc)), 4),
               "f1_controversial": round(float(np.mean(f1)), 4),
               "log_loss": round(float(np.mean(loss)), 4)}
        table.append(row)
        log(f"  {row}")
    return table


def train(data_path: str | Path | Sequence[str | Path] | None = None,
          out_path: str | Path | None = MODEL_PATH, *, search: bool = True,
          encoder: TextEncoder | None = None, log: Any = print,
          comment_data_path: str | Path | Sequence[str | Path] | None = None) -> ModelBundle:
    """Train the three models on the training files of ``controversy`` and ``comment``
    (``checks.datasets.training_paths``; or the files given) and (unless ``out_path`` is None)
    write them.

    With ``search`` the grids are cross-validated on the training rows (best accuracy wins; ties
    go to the lower log-loss, then the threshold nearest 0.5); without it the hyper-parameters
    recorded in the current model file are reused, which reproduces that model exactly.
    """
    import numpy as np

    from checks import datasets
    from checks.detectors.embedding import MODEL_ID
    from checks.detectors.linear import ModelBundle, file_sha256

    paths = datasets.resolve(NAME, data_path)
    comment_paths = datasets.resolve("comment", comment_data_path)
    if encoder is None:
        from checks.detectors.embedding import encoder as shared_encoder

        encoder = shared_encoder()
    anger_texts, anger_labels = anger_examples(datasets.load_all(comment_paths))
    x_anger = np.asarray(encoder.encode(anger_texts), dtype=np.float64)
    rows = datasets.load_all(paths)
    labels = [r["label"] for r in rows]
    threads = [thread_of(r, i) for i, r in enumerate(rows)]
    cv_meta = {"cv_folds": CV_FOLDS, "cv_repeats": CV_REPEATS, "cv_seed": CV_SEED}
    if search:
        anger_table = _cv_anger(x_anger, anger_labels)
        log(f"  comment anger: {anger_table}")
        anger_C = max(anger_table, key=lambda r: (r["accuracy"], -r["C"]))["C"]
    else:
        current = ModelBundle.load(MODEL_PATH)
        anger_C = float(current.models["comment_anger"].meta["C"])
        anger_table = current.models["comment_anger"].meta.get("cv_grid", [])
    anger = fit_anger(x_anger, anger_labels, C=anger_C, meta={
        "train_file": datasets.joined_names(comment_paths), "cv_grid": anger_table, **cv_meta,
        "positive": "protected (critical/angry, on topic) none comments"},
        train_sha256=datasets.joined_sha256(comment_paths))
    x_topic, x_storm, _ = thread_features(threads, encoder, anger)
    if search:
        table = cross_validate(x_topic, x_storm, labels, log=log)
        best = max(table, key=lambda r: (r["accuracy"], -r["log_loss"],
                                         -abs(r["threshold"] - 0.5)))
        params = {k: best[k] for k in ("topic_C", "topic_cue_weight", "storm_C", "threshold")}
        cv_best = {k: best[k] for k in ("accuracy", "f1_controversial", "log_loss")}
    else:
        params = {k: current.params[k] for k in ("topic_C", "topic_cue_weight", "storm_C",
                                                  "threshold")}
        cv_best, table = current.meta.get("cv_best"), current.meta.get("cv_grid", [])
    topic = fit_topic(x_topic, labels, C=params["topic_C"], cue_weight=params["topic_cue_weight"])
    storm = fit_storm(x_storm, labels, C=params["storm_C"])
    bundle = ModelBundle(
        models={"topic": topic, "storm": storm, "comment_anger": anger},
        params={"combine": "noisy_or", **params, "angry_cap": ANGRY_CAP,
                "vader_negative": VADER_NEGATIVE, "vader_strong": VADER_STRONG},
        train_sha256={p.name: file_sha256(p) for p in [*paths, *comment_paths]},
        embedding_model=MODEL_ID,
        meta={"train_file": datasets.joined_names(paths), "n_train": len(rows), **cv_meta,
              "cv_best": cv_best, "cv_grid": table})
    if out_path is not None:
        bundle.save(out_path)
        log(f"{NAME}: {params} -> {out_path}")
    return bundle
