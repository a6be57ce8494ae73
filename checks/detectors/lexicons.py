"""Curated word lists and patterns behind the ``comment`` detector's rule features.

Everything here is plain regular expressions over text (no model), compiled once at first use.
Each ``find_*`` function returns the evidence it matched as ``(kind, matched text)`` pairs, so a
verdict can say *why* and the same matches can be fed to the comment classifier as features.
Kinds come in two strengths: *strong* kinds are unusual outside a removable comment (an
obfuscated f-word, "I know where he parks", a ``dot shop`` link), *weak* kinds are common in
ordinary comments too (a bare weapon word, a price, "nobody checks") and only add weight.

The lists were written from the district's labelling rules (``checks/data/README.md``) and general
knowledge of how profanity is obfuscated, how threats are veiled, how spam and contraband sales
are worded, and which violent or crude idioms are harmless; which entries to keep was checked by
cross-validation on the *train* file only.

Profanity policy (from the labelling rules): strong profanity and sexual vulgarity count, including
obfuscated spellings (f*ck, sh!t, a$$, b1tch, f'in) and acronyms (wtf, stfu, af, BS); the mild
words damn, hell, crap, sucks, pissed, freaking are allowed (``MILD_ALLOWED``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

Match = tuple[str, str]

# ---------------------------------------------------------------------------------------------
# normalisation
# ---------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"',
                         "–": "-", "—": "-", "‑": "-", "\u00a0": " "})


def normalize(text: str) -> str:
    """NFKC, straight quotes and dashes; case is kept (some cues need it)."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def _mask(rx: re.Pattern[str], text: str) -> str:
    return rx.sub(lambda m: " " * len(m.group(0)), text)


# ---------------------------------------------------------------------------------------------
# profanity (obscene_profane)
# ---------------------------------------------------------------------------------------------

MILD_ALLOWED = frozenset({"damn", "dang", "darn", "hell", "heck", "crap", "crappy", "sucks",
                          "suck", "sucked", "pissed", "freaking", "frickin", "fricking", "friggin",
                          "effing", "screwed", "butt", "jerk", "stupid", "dumb", "omg", "lmao"})

_STRONG_PROFANITY: tuple[tuple[str, str], ...] = (
    # fuck and friends: f*ck, f**k, fck, fuk, fvck, phuck, f.u.c.k, f'in, f'n, motherf*cker
    ("fuck", r"(?<![a-z])(?:f+[\*#@u v]*[\*#]+[\*#ck]*k+|f+u+c*k+|f[\*#]?ck|fvck|fuk+(?!ush)|"
             r"phuc?k|f\W?u\W?c\W?k)(?:[a-z\*]*)"),
    ("fuck", r"(?<![a-z])f['\*](?:n|in|ing|ed|er|ers)\b"),
    # first letter and the rest masked: f***, f***ing, b***h, b****
    ("fuck", r"(?<![a-z])f[\*#]{2,3}(?:k|ing|in|ed|er|ers|s)?(?![a-z\*#])"),
    ("bitch", r"(?<![a-z])b[\*#]{3,4}h?(?:es)?(?![a-z\*#])"),
    ("fuck", r"\bmother\W?f[a-z\*#@!]*"),
    ("fuck", r"\bm(?:o|u)th(?:a|er)f[a-z\*]*"),
    ("fuck", r"\b(?:lmfao|gtfo|stfu|wtf|wth?f|fml|mf(?:er|ers)?|mofo|af)\b"),
    ("shit", r"(?:(?<![a-z])|bull|horse|bat|dip|chicken)s+h+[i1!\*#y]+[t7+]+(?!ake)(?:[a-z]*)"),
    ("shit", r"(?<![a-z])sh[\*#]+(?:t|y)?(?![a-z])"),
    ("shit", r"(?<![a-z])s\*{2,}t?(?![a-z])"),
    ("bs", r"(?<![a-z])(?:b\.s\.?|bs)(?![a-z\.])(?!\s+(?:in|degree)\b)"),
    ("bullshit", r"\bbull\W?s[\*#h!1i]+[t\*]?"),
    ("ass", r"(?<![a-z])(?:a[s\$5\*#]{2}(?:hole|holes|hat|wipe|es|clown)?|@[s\$]{2}|a\$\$|a\*\*)"
            r"(?![a-z])"),
    ("ass", r"\b(?:bad|dumb|jack|smart|lame|kick|kiss my|kick some|pain in the|half|fat|cheap)"
            r"\W?[a@][s\$5\*]{2}(?:es|ed|holes?)?(?![a-z])"),
    ("ass", r"[a@][s\$5\*]{2}hole"),
    ("bitch", r"(?<![a-z])b[i1!\*#y]+[t7\*]?ch(?:es|y|ing|in)?"),
    ("dick", r"(?<![a-z])d[i1!\*#]+[c\*]?k(?:s|head|heads|wad)?(?![a-z]|'s)"),
    ("cock", r"(?<![a-z])c[o0\*#]+ck(?:s|sucker|suckers)?(?![a-z])"),
    ("cunt", r"(?<![a-z])c[u\*#]+nt[s]?(?![a-z])"),
    ("pussy", r"(?<![a-z])p[u\*#]+[s\$]{2}(?:y|ies)(?![a-z])"),
    ("bastard", r"(?<![a-z])b[a@\*]st[a@\*]rd"),
    ("whore", r"(?<![a-z])wh[o0\*]re"),
    ("slut", r"(?<![a-z])sl[u\*]ts?(?![a-z])"),
    ("twat", r"(?<![a-z])tw[a@\*]t"),
    ("prick", r"(?<![a-z])pr[i1\*]cks?(?![a-z])"),
    ("piss", r"\bpiss(?:\s+off|ing\s+on|\s+on)\b"),
    ("sexual", r"\bsucks?\s+(?:balls|my|a\s+d|d[i\*]ck|c[o\*]ck)"),
    ("sexual", r"\b(?:blow\s?jobs?|hand\s?jobs?|jerk(?:ing)?\s+off|tits|titties|boobs|nu+de+s|"
               r"dildos?|cum|jizz|horny|porn|boner)\b"),
    ("douche", r"\bdouche(?:bag)?s?\b"),
    ("goddamn", r"\bgod\s?damn(?:ed|it)?\b"),
    ("shitty", r"\bsh[i1!\*]tty\b"),
)
# harmless words that contain or resemble the patterns above
_PROFANITY_SAFE = re.compile(r"\b(?:cum laude|magna cum|summa cum|fukushima|dickens|"
                             r"hancock|scunthorpe|cocktails?|cockpit|bass|assess\w*|"
                             r"pass(?:es|ed)?|class(?:es)?)\b", re.IGNORECASE)


@cache
def _profanity_res() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _STRONG_PROFANITY]


# long profane words, also found with one typo ("buulshit", "dmubass"): at seven letters and more
# a word one edit away from one of these is not an ordinary English word
_LONG_PROFANITY = ("bullshit", "horseshit", "dipshit", "shithead", "shitty", "dumbass",
                   "dumbasses", "jackass", "asshole", "assholes", "fucking", "fucker", "fuckers",
                   "motherfucker", "motherfuckers", "fuckin", "bitches", "bastard", "bastards",
                   "dickhead", "douchebag", "goddamn")
_WORD = re.compile(r"[a-z]+")


def _one_edit(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap
    of two neighbouring letters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(short, long_, strict=False)) if x != y),
             len(short))
    return short[i:] == long_[i + 1:]


def find_profanity(text: str) -> list[Match]:
    """Strong profanity, sexual vulgarity and their obfuscations, acronyms and one-typo
    spellings of the long words."""
    text = _mask(_PROFANITY_SAFE, normalize(text))
    found: list[Match] = []
    seen: list[tuple[int, int]] = []
    for name, rx in _profanity_res():
        for m in rx.finditer(text):
            word = m.group(0).strip()
            if not word or word.lower() in MILD_ALLOWED:
                continue
            if any(s <= m.start() < e for s, e in seen):
                continue
            seen.append((m.start(), m.end()))
            found.append((name, word))
    for m in _WORD.finditer(text.lower()):
        word = m.group(0)
        if len(word) >= 7 and not any(s <= m.start() < e for s, e in seen) and any(
                _one_edit(word, target) for target in _LONG_PROFANITY):
            found.append(("typo", text[m.start():m.end()]))
    return found


# ---------------------------------------------------------------------------------------------
# harassment / abuse
# ---------------------------------------------------------------------------------------------

# Words that attack who a person is (appearance, weight, intelligence in dehumanising terms,
# sexuality, origin, family): insults wherever they appear. Criticism of conduct ("incompetent",
# "liar", "should be fired", "clown show", "pathetic response") is deliberately not here.
_INSULTS = (
    "hideous", "fatso", "slob", "slobs", "hag", "hags", "moron", "morons", "idiot", "idiots",
    "imbecile", "retard", "retards", "retarded", "dumbass", "dimwit", "halfwit", "loser",
    "losers", "scum", "scumbag", "sleazebag", "dirtbag", "lowlife", "hillbilly", "hillbillies",
    "redneck", "rednecks", "inbred", "trailer trash", "white trash", "skank", "bimbo", "tramp",
    "airhead", "crackhead", "junkie", "pervert", "perv", "weirdo", "creep", "freak", "freaks",
    "waste of space", "waste of a jersey", "waste of oxygen", "waste of air", "two-faced",
    "talentless", "brainless", "dumb as a rock", "dumb as rocks", "face made for radio",
    "face only a mother", "ugly inside and out", "tranny", "fag", "faggot", "dyke", "wetback",
    "beaner", "chink", "gook", "towelhead", "raghead", "spic", "coon", "negro", "n-word",
    "illegals", "anchor baby", "gold digger", "trophy wife", "slept her way", "slept his way",
    "lardass", "butterface", "four-eyes", "midget", "nutjob", "mental case", "old bag",
    "old goat", "old maid", "spinster", "busybody", "bootlicking", "bootlicker", "lapdog",
    "sack of garbage", "sack of crap", "piece of garbage", "piece of trash", "trash family",
    "ugliest", "fattest", "spoiled brat", "brats",
)
# Words that insult a person but also describe things or conduct ("ugly portables", "a pathetic
# response", "the lunch is garbage"): counted only right after "is a", "you", "such a", "that"...
_PERSON_WORDS = (
    "ugly", "fat", "obese", "pig", "pigs", "cow", "witch", "crow", "bat", "toad", "worm",
    "weasel", "rat", "snake", "troll", "greasy", "toothless", "ghetto", "spineless", "smug",
    "stuck-up", "nerd", "geek", "bald", "wrinkled", "dried-up", "roided-up", "drugged-out",
    "pathetic", "worthless", "useless", "sow", "heifer", "hog", "whale", "oinker", "manly",
    "butch", "homo", "cripple", "creepy", "drunk", "alcoholic", "clown", "thug", "thugs",
    "brat", "psycho", "lunatic", "witches", "cows", "hoe", "hoes",
)
_PERSON_CONTEXT = (r"(?:\b(?:is|are|was|were|be|being|you|ya|u|ur|you're|such|that|this|those|"
                   r"these|what an?|like an?|bunch of)|'s|'re)\s+(?:[\w'-]+,?\s+){0,4}")
# idioms that contain an insult word
_INSULT_SAFE = re.compile(r"\b(?:holy cow|cash cow|sacred cows?|clown (?:show|car|circus)|"
                          r"bat (?:mitzvah|signal)|baseball bat|at bat|book ?worms?|"
                          r"gym rats?|rug rats?|fat chance|fat (?:raise|paycheck|check|bonus)|"
                          r"pig ?skin|guinea pigs?|witch hunt|snake oil|rat race)\b",
                          re.IGNORECASE)
_HARASS_PATTERNS = (
    r"\bgo back (?:to )?(?:where (?:you|they) came from|to (?:your|their) (?:own )?country|"
    r"to (?:mexico|africa|china|india))\b",
    r"\bgo back to your own country\b",
    r"\bback (?:to|where) (?:you|they) (?:came|belong)\b",
    r"\baffirmative action hire\b|\bdiversity hire\b|\bdei hire\b",
    r"\bcan'?t even (?:read|speak english|spell)\b",
    r"\b(?:he|she|they)(?:'s| is| are) (?:so |such an? )?(?:ugly|fat|stupid|dumb)\b",
    r"\bbrain of an?\b",
    r"\bblow up (?:his|her|their) phone\b",
    r"\bhope (?:she|he|they) chokes?\b",
    r"\b(?:her|his) (?:idiot|ugly|fat|dumb|loser) (?:husband|wife|kids?|son|daughter)\b",
    r"\b(?:crawl back|slither back)\b",
    r"\bsexy\b|\bhot (?:mom|teacher|coach)\b|\bnice (?:legs|body|rack|ass)\b",
    r"\b(?:asian|black|mexican|white|muslim|jewish|gay|indian) (?:kid|kids|girl|boy|people)\b",
    r"#\d+ (?:is|was) (?:a |so )",
    r"\btypical (?:woman|women|female|man|men|male|immigrant|foreigner|mexican|black|white|"
    r"asian|muslim|jew|gay)\b",
    r"\bkeep (?:your|our) (?:kids|children|daughters?|sons?|girls|boys) away from "
    r"(?:him|her|them|that)\b",
    r"\b(?:lives at|home address is|her address is|his address is)\b",
)


@cache
def _harass_res() -> tuple[re.Pattern[str], re.Pattern[str], list[re.Pattern[str]]]:
    def alternation(words: tuple[str, ...]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    word_rx = re.compile(r"(?<![a-z])(?:" + alternation(_INSULTS) + r")(?![a-z])", re.IGNORECASE)
    person_rx = re.compile(_PERSON_CONTEXT + r"(?:" + alternation(_PERSON_WORDS) + r")(?![a-z])",
                           re.IGNORECASE)
    return word_rx, person_rx, [re.compile(p, re.IGNORECASE) for p in _HARASS_PATTERNS]


def find_insults(text: str) -> list[Match]:
    """Dehumanising insults (``insult``), insult words aimed at a person (``person``) and
    harassment phrasings (``harassment``: origin, sexualised, doxxing)."""
    text = _mask(_INSULT_SAFE, normalize(text))
    word_rx, person_rx, pats = _harass_res()
    found: list[Match] = [("insult", m.group(0)) for m in word_rx.finditer(text)]
    found += [("person", m.group(0).strip()) for m in person_rx.finditer(text)]
    found += [("harassment", m.group(0)) for rx in pats for m in rx.finditer(text)]
    return found


# ---------------------------------------------------------------------------------------------
# threats of violence
# ---------------------------------------------------------------------------------------------

_PERSON = (r"(?:teachers?|coach(?:es)?|principals?|drivers?|board(?: members?)?|trustees?|"
           r"superintendent|director|clerk|dispatcher|staff|refs?|referees?|kids?|boys?|girls?|"
           r"father|mother|dad|mom|man|woman|lady|guy|person|people|admins?|nurse|counselor|"
           r"secretary|janitor|custodian|officer|cop|students?|parents?|bull(?:y|ies)|family|"
           r"son|daughter|wife|husband|president|manager|members?)")
# a person as the object of a violent verb: a pronoun or "(that|the|...) [word] <person noun>"
_TARGET = (r"(?:him|her|them|you|y'all|ya|somebody|someone|anybody|anyone|everyone|everybody|"
           r"(?:(?:that|the|this|those|these|his|her|their|your|some|every|any)\s+)?"
           r"(?:[\w-]+\s+)?" + _PERSON + r")")
_NOT_MESSAGE = r"(?!\s+(?:an? )?(?:e-?mail|message|text|dm|note|line|info|link|pic|photo))"

# (kind, pattern): explicit violence with a target, weapons, veiled threats; ``weapon_word``
# and ``harm`` are weak (a weapon named in passing, "someone will get hurt" about a hazard)
_THREAT_PATTERNS: tuple[tuple[str, str], ...] = (
    # explicit violence against a person
    ("violence", r"\b(?:kill|murder|stab|shoot|strangle|choke|beat|punch|slap|smack|stomp|jump|"
                 r"rough up|beat up|bash|smash|whoop|pummel)\w*\s+(?:up\s+)?" + _TARGET
                 + r"\b" + _NOT_MESSAGE),
    ("violence", r"\b(?:break|snap|bust|smash|crack)(?:ing)? (?:his|her|their|your|that \w+'s) "
                 r"(?:jaw|face|legs?|arms?|neck|nose|skull|teeth|knees?|windows?|windshield)\b"),
    ("violence", r"\bget(?:s|ting)? (?:shot|stabbed|killed|jumped|beat(?:en)? up|"
                 r"what'?s coming|what (?:he|she|they) deserves?)\b"),
    ("violence", r"\b(?:is|are|'s|'re) (?:going to|gonna) (?:pay|regret|bleed|die)\b"),
    ("violence", r"\bleav(?:e|ing)\s+in\s+(?:an?\s+)?(?:ambulance|body bag|stretcher)\b"),
    ("violence", r"\bin (?:an? )?(?:ambulance|body bag|hospital bed|coffin|casket)\b"),
    ("violence", r"\bwon'?t be (?:walking|coming back|breathing|alive|around|standing|"
                 r"able to walk)"),
    ("violence", r"\b(?:heads?|someone|somebody|people) (?:are|is|will|gonna|going to)\s+"
                 r"(?:gonna |going to )?(?:roll|die|bleed|pay)\b"),
    ("violence", r"\bheads (?:will|are gonna|are going to|gonna) roll\b"),
    ("violence", r"\b(?:the|that|this|their) (?:\w+ ){0,2}(?:school|office|building|gym|"
                 r"bus barn|barn|house|car|truck|stadium|board room) (?:will|is gonna|"
                 r"is going to|gonna) (?:burn|blow|go up)\b"),
    ("violence", r"\b(?:burn|blow up|torch|firebomb)\w*\s+(?:the|that|this|their|down the|it)\s+"
                 r"(?:down|school|building|office|place|bus|house|car|truck)?"),
    ("violence", r"\bend (?:this|it|them|him|her) for good\b"),
    # wishing or calling for violence
    ("violence", r"\bdeserves? (?:a (?:good )?(?:beating|beatdown|whooping|smack|slap|punch)|"
                 r"an? ass[- ]?(?:kicking|whooping)|to (?:be|get) (?:beaten|beat up|hurt|shot|"
                 r"punched|slapped|smacked|hit|run over|jumped|killed)|to die)\b"),
    ("violence", r"\bhope (?:he|she|they|someone|somebody|that \w+) (?:gets? (?:hurt|hit|run over|"
                 r"shot|beat|jumped|what)|dies|die|crash\w*|burns?)\b"),
    ("violence", r"\b(?:someone|somebody|people) (?:should|needs? to|ought to|oughta) (?:beat|hit|"
                 r"punch|slap|smack|shoot|run over|jump|hurt|kill|stab|burn)\b"),
    # weapons and attack hints
    ("weapon", r"\b(?:bring(?:ing)?|brought|carry(?:ing)?|show(?:ing)? up (?:\w+ ){0,5}with|"
               r"coming (?:up )?(?:there )?(?:with|armed))\b[^.!?]{0,40}\b(?:gun|guns|rifle|"
               r"ar-?15|pistol|glock|piece|knife|knives|bat|bats|machete|weapon|weapons|ammo|"
               r"bullets?|bomb|gasoline|lighter|matches|something in my hand|more than a sign|"
               r"heat)\b"),
    ("weapon", r"\b(?:armed|locked and loaded|strapped|packing heat)\b"),
    ("weapon", r"\b(?:shoot(?:s|ing)? up|shot up|pipe bomb|school shooting|mass shooting|"
               r"columbine|uvalde|parkland|sandy hook|goes? postal|going postal)\b"),
    ("weapon", r"\bsomething in my hand\b|\bmore than a sign\b"),
    ("weapon", r"\b(?:blow (?:it|the \w+|this \w+) up|burn (?:it|the \w+|this \w+) (?:down|to "
               r"the ground)|pew pew|shoot (?:the|this|that) place up)\b"),
    ("weapon_word", r"\b(?:gun|guns|rifle|ar-?15|pistol|glock|bomb|bombs|knife|machete|"
                    r"gas can|gasoline|molotov|lighter fluid|ammo|bullets?|shotgun|"
                    r"hunting rifle|crossbow|brass knuckles|tire iron|crowbar|baseball bat)\b"),
    # veiled threats: knowing where someone is, their car, their house
    ("veiled", r"\bi know (?:where|which)\b[^.!?]{0,40}\b(?:live|lives|parks?|parked|house|car|"
               r"truck|sleeps|drives|works|kids?)\b"),
    ("veiled", r"\b(?:we|everyone|everybody|people|we all|all of us) knows? where (?:he|she|they|"
               r"you|that \w+) (?:lives?|parks?|sleeps?)\b|\b(?:drive|drove|driving|parked|"
               r"sitting|sat) (?:by|past|outside) (?:his|her|their|your) (?:house|place|home)\b"),
    ("veiled", r"\bknow (?:what|which) (?:car|truck|house|van)\b"),
    ("veiled", r"\b(?:i|we) know (?:his|her|their|your) (?:car|truck|house|address|kids?|route|"
               r"schedule)\b"),
    ("veiled", r"\b(?:my|our) (?:boys|brothers|cousins|friends|guys) know\b"),
    ("veiled", r"\bwhich house\b"),
    ("veiled", r"\b(?:start|check)\w* (?:her|his|their|your) (?:car|truck|engine)\b[^.!?]{0,30}"
               r"\b(?:carefully|under)\b|\bcheck under (?:his|her|their|your) (?:car|truck|hood)"),
    ("veiled", r"\bwatch (?:your|their|his|her) (?:back|backs|mailbox(?:es)?|house|car)"
               r"\b|\bwatch (?:yourself|herself|himself|themselves)\b"),
    ("veiled", r"\b(?:better|should) watch (?:it|out|themselves|herself|himself)\b"),
    # warnings to take a protective step, the classic shape of a veiled threat
    ("veiled", r"\b(?:better|might want to|should start to|should) (?:lock (?:your|their|his|her) "
               r"(?:doors?|house|car)|check under|look over (?:your|their|his|her) shoulders?|"
               r"sleep with one eye|keep (?:your|their|his|her) (?:kids|family|doors) (?:close|"
               r"inside|locked)|stay inside|watch (?:your|their|his|her) backs?|be careful "
               r"(?:walking|leaving|driving|going) (?:to|home|out))\b"),
    ("veiled", r"\b(?:better|should) (?:hope|pray) (?:i|we|nobody|no one|they never)\b"),
    ("veiled", r"\bteach (?:that|this|the|him|her|them|those|these)\b[^.!?]{0,40}\blesson\b"),
    ("veiled", r"\blesson (?:he|she|they)(?: will)? (?:won'?t|will never|never) forget\b"),
    ("veiled", r"\b(?:waiting|wait) for (?:him|her|them|trustee|coach|the|that|mr|mrs|ms|dr)\b"
               r"[^.!?]{0,50}\b(?:parking lot|outside|after|lot|home|car)\b"),
    ("veiled", r"\b(?:be|'ll be) waiting\b[^.!?]{0,40}\b(?:outside|parking lot|after|for)\b"),
    ("veiled", r"\bsee what happens\b|\bfind out what happens\b|"
               r"\bwon'?t like what happens\b|\bfind out (?:the hard way|how)\b"),
    ("veiled", r"\blearn(?:ed|s)? the hard way\b"),
    ("veiled", r"\b(?:have|having) (?:a )?(?:very |really )?bad (?:day|luck|accident|night)\b|"
               r"\baccidents happen\b|\bflat tires?\b|\bbrake lines?\b"),
    ("veiled", r"\bfear for (?:their|his|her|your)\b"),
    ("veiled", r"\b(?:i'?ll|i will|we'?ll|we will|gonna|going to) (?:handle|deal with|take care of)"
               r" (?:it|this|him|her|them|that|that \w+)\b[^.!?]{0,30}\b(?:myself|ourselves|"
               r"outside|personally|my way)\b"),
    ("veiled", r"\b(?:handle|deal with|take care of) (?:it|this|him|her|them|that \w+)"
               r"(?: \w+)? (?:myself|ourselves|personally)\b"),
    ("veiled", r"\banswer to (?:us|me|my fists|the parents)\b"),
    ("veiled", r"\bpays? for (?:it|this)\b[^.!?]{0,20}\bliterally\b|\bmake (?:sure )?"
               r"(?:\w+ ){0,4}pays? for (?:it|this)\b|\bmake (?:him|her|them|that \w+) pay\b"),
    ("veiled", r"\bliterally\b[.!]?$"),
    ("veiled", r"\bnever (?:finish|work|teach|coach|drive|walk)\w* (?:another|again)\b"),
    ("veiled", r"\bmake sure (?:he|she|they) never\b"),
    ("veiled", r"\blast warning\b|\byou'?ve been warned\b|\bconsider (?:this|yourself) warned\b|"
               r"\byou were warned\b"),
    ("veiled", r"\b(?:glad|lucky) (?:they|he|she) got out\b|\bbefore we found\b"),
    ("veiled", r"\bpay (?:him|her|them|that \w+|the \w+) a visit\b|\b(?:gonna|going to|will) "
               r"visit (?:him|her|them)\b|\bvisit (?:him|her|them) (?:this|at)\b"),
    ("veiled", r"\bwon'?t be a thank[- ]you visit\b"),
    ("veiled", r"\bhow angry a (?:dad|mom|parent|father|mother) can get\b"),
    ("veiled", r"\bwhat real (?:\w+ ){1,3}looks? like\b"),
    ("veiled", r"\b(?:better|should) be ready\b|\bbetter not (?:show|come|try)\b"),
    ("veiled", r"\bthe same way (?:she|he|they) walked in\b"),
    ("veiled", r"\b(?:or|and) worse\b"),
    ("veiled", r"\bmore than (?:just )?(?:their|his|her|your) (?:job|jobs|car|house|float)\b|"
               r"\bmore than (?:a|your|their|his|her) \w+ if\b"),
    ("veiled", r"\bbreak more than\b"),
    ("veiled", r"\bnot (?:coming|making it) home\b"),
    ("veiled", r"\b(?:i|we) (?:will|'ll) (?:find|hunt) (?:you|him|her|them)\b"),
    ("veiled", r"\b(?:you|he|she|they)(?:'ll| will| are going to| is going to| are gonna| is gonna)"
               r" regret\b"),
    ("veiled", r"\bsomeone should (?:teach|take care of|deal with|do something about|"
               r"shut (?:him|her) up|put)\b"),
    ("veiled", r"\b(?:the|that) \w+ (?:is going to|is gonna|will) (?:find out|have a)\b"),
    ("veiled", r"\bif (?:he|she|they|you|anyone|one of)\b[^.!?]{0,80}(?:,|\.)\s*(?:i'?ll|i will|"
               r"i'm|we'?ll|someone|somebody|he'?ll|she'?ll|they'?ll|you'?ll)\b[^.!?]{0,60}"
               r"\b(?:hurt|pay|regret|sorry|bad|handle|deal|waiting|show up|coming|myself|"
               r"bleed|find|visit|burn|break)\b"),
    ("veiled", r"\bshow up\b[^.!?]{0,30}\b(?:won'?t|and he|and she)\b"),
    ("veiled", r"\b(?:would be |be )?a (?:real )?shame if (?:something|anything)\b|"
               r"\bhate (?:for|to see) (?:something|anything) (?:to )?happen\b|"
               r"\b(?:don'?t|do not) be surprised (?:if|when)\b|\bsomething (?:bad |big )?"
               r"(?:is going to|is gonna|will|might) happen\b|\bnobody (?:will|would) "
               r"(?:find|miss|hear)\b"),
    ("veiled", r"\b(?:your|his|her|their) days are numbered\b|\bcount(?:ing)? (?:your|his|her|"
               r"their) days\b|\bsleep with one eye open\b|\blook(?:ing)? over (?:your|his|her|"
               r"their) shoulders?\b|\bwon'?t know what hit\b|\bdead (?:man|meat|woman)\b|"
               r"\b(?:six feet under|toe tag|in a box|pine box)\b|\bwhat'?s coming (?:to|for)\b|"
               r"\bget (?:what'?s|what is) coming\b|\bor else\b"),
    # announcing a visit: "I'm coming up there", "we're showing up at that office"
    ("veiled", r"\b(?:i'?m|we'?re|i am|we are|i'?ll be|we'?ll be) (?:coming|showing up|going)"
               r" (?:up |down |over |back )?(?:there|to (?:that|the|your) (?:school|office|"
               r"meeting|house|building|field|gym)|at (?:that|the|your) (?:school|office|"
               r"house))\b"),
    ("veiled", r"\b(?:i'?m|we'?re|i am|we are) coming for\b|\bcoming for (?:you|him|her|them)\b|"
               r"\b(?:see|meet|catch) (?:you|him|her|them) (?:in|at|after) (?:the )?"
               r"(?:parking lot|lot|school|practice|game|meeting|pickup|dismissal)\b|"
               r"\bafter school\b[^.!?]{0,30}\b(?:outside|waiting|lot)\b"),
    ("veiled", r"\b(?:keep|stay|keep your kids?) (?:your kids? )?home (?:on |this |tomorrow|"
               r"friday|monday|next)\b|\bdon'?t (?:send|bring) (?:your|the) kids? (?:to school )?"
               r"(?:tomorrow|on|this|next|friday|monday)\b"),
    # more veiled shapes: warnings, watching, visits, taking matters into one's own hands
    ("veiled", r"\b(?:this|it)(?: is|'s) not over\b|\bthis isn'?t over\b|\bwhat (?:i'?m|we'?re|"
               r"i am|we are) capable of\b|\btick,? ?tock\b|\b(?:i'?m|i am) not (?:joking|"
               r"kidding|playing)\b|\ba day (?:they|you|he|she|everyone)(?:'ll| will)? "
               r"(?:won'?t|never) forget\b|\bmake an example (?:of|out of) (?:him|her|them)\b"),
    ("veiled", r"\b(?:catch|caught|catches) (?:on )?fire\b|\bgo(?:es)? up in flames\b"),
    # a condition followed by someone getting hurt: the conditional threat
    ("veiled", r"\b(?:if|unless|next time)\b[^.!?]{0,100}\b(?:someone|somebody|people|heads|"
               r"a few (?:people|of them))\b[^.!?]{0,40}\b(?:get(?:s|ting)? hurt|pay|bleed|"
               r"regret|roll)\b"),
    ("veiled", r"\bmark my words\b|\bjust you wait\b|\byou'?ll see(?=\s*(?:[.!]|$))"),
    ("veiled", r"\b(?:it|this|things|that)(?:'s| is| will| are)? (?:going to |gonna |about to )?"
               r"(?:get|be) (?:ugly|bloody)\b|\bwon'?t be pretty\b|\b(?:it )?won'?t be "
               r"(?:to|for) (?:talk|chat|a chat|a conversation|a meeting)\b|\bnot (?:coming|going) "
               r"(?:there )?to talk\b"),
    ("veiled", r"\b(?:had|has|have|got|get) it coming\b|\b(?:hell|blood) to pay\b|"
               r"\bthere (?:will|'ll|is going to|'s gonna) be (?:consequences|blood|violence|"
               r"trouble|hell)\b"),
    ("veiled", r"\benjoy (?:it|(?:your|the|that) (?:\w+ )?\w+) while (?:you|it|they|he|she) "
               r"(?:can|last)"),
    ("veiled", r"\b(?:take|taking|took) (?:matters|things|this|it) into (?:our|my|their) own "
               r"hands\b|"
               r"\bcan'?t be held responsible for (?:what|my)\b|\bdon'?t make me (?:come|show up|"
               r"drive|go) (?:up |down |over )?there\b"),
    ("veiled", r"\b(?:i'?ve|we'?ve|i have|we have) been watching (?:him|her|them|you|that)\b|"
               r"\bi know when (?:he|she|they|you) (?:leaves?|gets? off|walks?|parks?|drives?|"
               r"comes?|is alone)\b|\bnice (?:house|car|truck|family|kids) (?:you|he|she|they) "
               r"(?:have|has|got)\b|\b(?:catch|get|find) (?:him|her|them|you) alone\b"),
    ("veiled", r"\b(?:wouldn'?t|would not|would never) want to be (?:in )?(?:him|her|them|his|"
               r"her|their|that \w+)\b|\bi'?d hate to be (?:him|her|them|that \w+)\b"),
    ("veiled", r"\b(?:someone|somebody|a parent|one of us|people) (?:is|are|will|'s)? ?"
               r"(?:going to |gonna )?(?:snap|lose it|do something (?:about it|drastic|stupid))\b"),
    ("violence", r"\b(?:beat|knock|kick|smack|slap|punch)\w* (?:the )?(?:sense|crap|hell|snot|"
                 r"daylights|stuffing|tar|life) (?:into|out of)\b|\brearrange (?:his|her|their|"
                 r"your) face\b|\b(?:put|send) (?:him|her|them|you|that \w+) (?:in|into) "
                 r"(?:the )?(?:hospital|ground|grave|icu)\b|\bmeet me (?:outside|in the "
                 r"parking lot|after)\b"),
    ("violence", r"\b(?:burn|torch|set fire to|light) (?:it|the \w+|that \w+|this \w+|the whole "
                 r"\w+) (?:all )?(?:down|up)\b|\bup in (?:flames|smoke)\b|\bburn(?:s|ed|ing)? "
                 r"to the ground\b|\b(?:hope|pray) (?:your|his|her|their) (?:house|car|office|"
                 r"school) (?:burns|catches fire|blows up)\b"),
    ("weapon", r"\b(?:bullets?|rounds?) with (?:your|his|her|their) name\b|\bsecond amendment "
               r"(?:remedies|solution)\b|\b(?:got|have) (?:plenty of |enough )?(?:ammo|bullets|"
               r"rounds|guns)\b|\bconcealed carry (?:to|at|in) (?:the|that|this)\b|"
               r"\b(?:a |the )?(?:package|backpack|bag) (?:left |sitting )?in the (?:gym|office|"
               r"cafeteria|lobby)\b|\bkaboom\b|\bsky high\b"),
    ("violence", r"\b(?:lay|put|get) (?:my |our )?hands on\b|\bcatch(?:es|ing)? (?:these|my) "
                 r"hands\b|\bsquare up\b|\bswing on\b|\bpull up on\b|\bthrow hands\b|"
                 r"\b(?:run|ran) (?:him|her|them|that \w+) (?:over|off the road)\b|"
                 r"\bcut (?:his|her|their|the) brake|\b(?:brick|rock) through\b|"
                 r"\b(?:beat|whoop|kick|knock|smack|slap|punch)\w* (?:the (?:\w+ )?out of|"
                 r"(?:his|her|their|your) (?:teeth|lights|head|face|ass|butt))\b"),
    ("violence", r"\b(?:i'?ll|i will|i'?d|i would|i'?m (?:going to|gonna)|we'?ll|we will|we'?d|"
                 r"we'?re (?:going to|gonna)|(?:someone|somebody) (?:should|needs to|oughta|"
                 r"ought to))"
                 r"\b[^.!?]{0,50}\b(?:hurt|bleed|die|dead|kill|bury|burn|ambulance|"
                 r"hospital|wheelchair|body bag|pay for|regret|sorry|beat|punch|slap|smack|"
                 r"stab|shoot|choke|strangle|break (?:his|her|their|your)|disappear|go missing|"
                 r"suffer|get (?:it|hurt|what)|find out|end up|visit|waiting|outside|handle (?:it|"
                 r"this|him|her|them)|take care of (?:it|him|her|them)|deal with (?:it|him|her|"
                 r"them)|settle (?:it|this)|make (?:him|her|them) pay)\b"),
    ("violence", r"\bif\b[^.!?]{0,80}\b(?:again|one more time|ever|even once)\b[^.!?]{0,80}\b"
                 r"(?:hurt|bleed|pay|regret|sorry|handle|deal with|find out|see what|waiting|"
                 r"visit|beat|bring|coming|show up|won'?t)\b"),
    # someone getting hurt: a threat when it is intended, a safety complaint when it is a hazard
    ("harm", r"\b(?:someone|somebody|you'?ll|he'?ll|she'?ll|they'?ll) (?:will |is going to |"
             r"is gonna |are going to |are gonna )?(?:\w+ ){0,6}(?:hurt|regret|pay for|"
             r"end up|suffer|bleed|be sorry)\b"),
    ("harm", r"\b(?:someone|somebody|people|a kid|kids|he|she|they)(?:'s|'re| is| are| will|"
             r" gonna| going to)? (?:going to |gonna )?(?:get(?:s|ting)?|be) hurt\b"),
    ("harm", r"\bget(?:s|ting)? hurt\b"),
)

# violent idioms that are not threats (labelling rules): their matches are removed first
_IDIOMS = re.compile(
    r"\b(?:kill(?:ed|ing|s)? it|killin'? it|killed them|kill(?:ed|ing)? the (?:game|set|test|"
    r"competition|performance|solo|show|audition)|murder(?:ed|s)? (?:them|it|the|that|this|"
    r"those|these)|(?:bomb|bombed) (?:the|that|my) (?:test|quiz|exam|final)|"
    r"shoot (?:me|us|her|him|them) (?:an?|the|your|some) (?:e-?mail|message|text|dm|note|line|"
    r"info|link|pic|photo|details?)|shoot (?:me|us) (?:an?|the) |photo ?shoots?|"
    r"shoot(?:s|ing)? (?:hoops|baskets|free throws|three|3s|threes|a video|photos?|pictures?|"
    r"the (?:video|ad|promo))|shoot,|shooting guard|shoot for the|take a shot|shot clock|"
    r"flu shots?|(?:is|'s) a crime|fight song|fight(?:ing)? (?:for|cancer|on)|slaps|"
    r"bang(?:ing|er)|killer (?:\w+)|dying (?:to|of laughter)|to die for|dead tired|dead week|"
    r"i'?m dead|break a leg|(?:would |'d )?kill for|(?:would |'d )?die for|"
    r"blow(?:n|ing)? (?:away|out) (?:the|by)|crushed (?:it|them)|"
    r"destroy(?:ed)? (?:them|it)|the bomb|da bomb|bomb (?:job|food|show|performance|season|"
    r"game|concert|musical|play|dinner|lunch|tacos|pizza)|(?:bath|photo|f|smoke) ?-?bombs?|"
    r"bomb cyclone|(?:glue|water|nerf|staple|heat|squirt|nail|starting|radar|spray|toy|"
    r"paintball) guns?|jump(?:ed|ing)? the gun|gun safety|butter knife|knife skills|"
    r"bring (?:the|your) (?:heat|energy|noise|a?\s?friend)|knocked (?:it|them) out|"
    r"beat (?:them|\w+ high|the [a-z]+s)\b|(?-i:beat [A-Z]\w+)|go kill|smoke (?:them|the) )",
    re.IGNORECASE,
)

WEAK_THREAT_KINDS = frozenset({"weapon_word", "harm"})


@cache
def _threat_res() -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _THREAT_PATTERNS]


def find_threats(text: str) -> list[Match]:
    """Explicit violence with a target, weapons, and veiled threats; idioms excluded."""
    masked = _mask(_IDIOMS, normalize(text))
    found: list[Match] = []
    for kind, rx in _threat_res():
        for m in rx.finditer(masked):
            found.append((kind, m.group(0).strip()))
    return found


# ---------------------------------------------------------------------------------------------
# spam / advertising
# ---------------------------------------------------------------------------------------------

_TLDS = (r"com|net|org|shop|store|biz|info|io|co|us|xyz|live|online|pro|app|fun|money|club|"
         r"work|site|academy|travel|health|charity|deals|buzz|ly|me|tv|link|click|top|"
         r"sale|gg|ai|dev|page|world|today|life|website|bz|cash|vip|win|bet|loan|shopping|"
         r"boutique|gift|gifts|photo|photos|studio|design|care|clinic|fit|fitness|beauty|"
         r"market|agency|media|news|tech|digital|space|best|lol|wtf|ws|cc|to|pw|ru|cn|in|"
         r"shoes|clothing|jewelry|kitchen|homes|realty|house|land|estate|run|zone|tips|guru")
_SPAM_PATTERNS: tuple[tuple[str, str], ...] = (
    ("link", r"https?://\S+|www\.\S+|\b[a-z0-9-]+\s*(?:\.|\(dot\)|\[dot\]| dot )\s*(?:" + _TLDS
             + r")\b(?:/\S*)?"),
    ("shortener", r"\b(?:bit\.ly|tinyurl|t\.co|goo\.gl|ow\.ly|linktr\.ee|rb\.gy|cutt\.ly)\b"),
    ("dm", r"\b(?:dm|pm|inbox|message|text|whatsapp|snap|call|contact)(?:\s+(?:me|us))?\b"
           r"[^.!?\n]{0,25}\b(?:for|to (?:order|book|buy|join|learn)|details|info|pricing|prices|"
           r"more|today|now|asap)\b"),
    ("dm", r"\b(?:dm|pm|inbox) (?:me|us)\b|\bmessage me\b|\bhmu\b|\blink in (?:my )?bio\b|"
           r"\bcheck (?:out )?my (?:page|profile|bio|shop|store)\b|\bdm @\w+"),
    ("money", r"\$\s?\d[\d,]*(?:\.\d\d)?\s*(?:/|a|an|per)\s*(?:day|week|wk|hr|hour|month|mo)\b|"
              r"\b\d+\s?%\s?off\b|\bbuy (?:1|one) get (?:1|one)\b|\bbogo\b|"
              r"\b(?:free|fast) (?:shipping|delivery|quote|estimate|trial|consultation)\b"),
    ("money", r"\bmake \$?\d|\bearn \$?\d|\bup to \$\d|\bget paid\b|\bpassive income\b|"
              r"\bwork(?:ing)? from home\b|\bside hustle\b|\bno (?:skills|experience|cdl) "
              r"(?:needed|required)\b|\b(?:crypto|bitcoin|forex|nft)\b|\bcash (?:offers?|fast)\b|"
              r"\bpayday loans?\b|\bapproved in\b|\bguaranteed\b|\bbe your own boss\b|"
              r"\bfinancial freedom\b|\b(?:join|grow) my team\b|\bno credit check\b|"
              r"\b(?:need|get) a (?:personal |fast )?loan\b|\bfast approval\b"),
    ("promo", r"\b(?:promo |discount |coupon )?code [A-Z0-9]{3,}\b"),
    ("promo", r"\buse code\b|\bwith code\b|"
              r"\blimited (?:time|stock|spots|edition|offer)\b|\b(?:order|shop|book|enroll|sign up|"
              r"register|apply|visit|download|pre-?order|get yours) (?:now|today|online|at|"
              r"here|through|@)\b|\bclick (?:here|the link|link)\b|\bgiveaway\b|\bfollow (?:us|"
              r"me|@)\b|\bsale\b|\bdeals\b|\b(?:hot|best|great|exclusive|special) deals?\b|"
              r"\bfree gift cards?\b|\byou won'?t believe\b|\bdoctors hate\b|\bone weird trick\b|"
              r"\bwin an? (?:free )?(?:iphone|ipad|gift card|\$)|\bfree \d+-day trial\b|"
              r"\bfirst (?:month|lesson|class|session) free\b|\bpayment plans?\b|"
              r"\bspots? (?:left|available)\b|\bshipping worldwide\b"),
    # social-media spam: follower schemes, friend-request and dating scams
    ("social", r"\bfollow (?:back|for follow)\b|\bf4f\b|\bl4l\b|\bfollowers in\b|"
               r"\b\d+k? (?:real )?followers\b|\bfriend request\b|\badd me\b|\bkindly\b|"
               r"\bhi dear\b|\b(?:hot |sexy |lonely )?singles (?:in|near)\b|"
               r"\bsugar (?:daddy|mommy|baby)\b|\bonlyfans\b"),
    ("business", r"\b(?:we|i) (?:offer|sell|deliver|cater|install|clean|repair|make custom|do "
                 r"(?:custom|mini))\b|\bcall (?:us|now|today)\b|\bfree (?:quote|estimate)\b|"
                 r"\b(?:mini )?sessions?\b[^.!?]{0,30}\$\d|\bbook (?:your|now|a)\b|"
                 r"\bnow (?:hiring|booking|enrolling|accepting)\b|\bhiring\b|"
                 r"\b(?:food truck|roofing|roofer|roof repair|realtor|real estate agent|"
                 r"just listed|tutoring|tutors?|photographer|photography|firewood|lawn care|"
                 r"pressure washing|house cleaning|catering|bakery|boutique|salon|"
                 r"essential oils|doterra|young living|mary kay|scentsy|pampered chef|"
                 r"herbalife|arbonne|monat|paparazzi jewelry|avon|(?:my|our) (?:small )?"
                 r"business|shop local|small business|serving the \w+ area)\b"),
    ("phone", r"\b(?:call|text|whatsapp)\b[^.!?\n]{0,20}(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}"
              r"[\s.-]\d{4}\b|\b(?:call|text)\s+\d{3}-\d{4}\b"),
    ("price", r"\$\s?\d[\d,]*(?:\.\d\d)?"),
)
WEAK_SPAM_KINDS = frozenset({"price", "business"})


@cache
def _spam_res() -> list[tuple[str, re.Pattern[str]]]:
    # promo codes are upper case ("code SPRING20"); everything else ignores case
    return [(kind, re.compile(p, 0 if "A-Z" in p else re.IGNORECASE))
            for kind, p in _SPAM_PATTERNS]


def find_spam(text: str) -> list[Match]:
    """Links (also 'shop dot com'), shorteners, DM-me, money/earnings, promo codes, follower and
    dating scams, businesses, phone numbers to call, prices."""
    text = normalize(text)
    return [(kind, m.group(0).strip()) for kind, rx in _spam_res() for m in rx.finditer(text)]


# ---------------------------------------------------------------------------------------------
# illegal activity
# ---------------------------------------------------------------------------------------------

_CONTRABAND = (r"(?:weed|pot|marijuana|thc|carts?|wax pens?|dabs?|edibles?|gummies|shrooms|"
               r"mushrooms|acid|lsd|molly|mdma|ecstasy|coke|cocaine|meth|xanax|xans|"
               r"percs?|percocets?|oxy|oxys|oxycontin|adderall|addys|pills|fentanyl|"
               r"vapes?|vape pens?|juul|dab pens?|zyns?|liquor|booze|fake ids?|ids that scan|"
               r"answer keys?|test answers|fireworks|m-?80s?)")
_ILLEGAL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("drugs", r"\b(?:weed|marijuana|thc|carts|dab pens?|edibles|shrooms|lsd|molly|mdma|ecstasy|"
              r"cocaine|meth|xanax|xans|percs|percocets?|oxys?|oxycontin|fentanyl|adderall|"
              r"addys|blunts?|kush|gas station heroin|kratom|nitrous|whippets|420)\b"),
    ("drugs", r"\bsmoke (?:weed|a blunt|a joint|up)\b|\bget (?:high|baked|stoned)\b|"
              r"\bstoned\b|\broll(?:ing)? (?:a )?joints?\b"),
    ("vapes", r"\b(?:vapes?|vaping|vape pens?|juuls?|disposables|elf ?bars?|geek ?bars?|"
              r"nicotine pouches|zyns?)\b"),
    ("alcohol_minors", r"\b(?:liquor|booze|alcohol|beer|drinks|shots|vodka|wine|jello shots|"
                       r"bring your own bottle|byob)\b[^.!?]{0,60}\b(?:high ?schoolers|kids|"
                       r"minors|students|middle ?schoolers|teens?|under ?age|underage|won'?t "
                       r"card|nobody (?:checks|cards)|don'?t tell|for anybody|for everybody)\b"),
    ("alcohol_minors", r"\b(?:won'?t|don'?t|doesn'?t|never) card\b|\bno carding\b|"
                       r"\bbuy (?:you|them|y'all) (?:beer|liquor|alcohol)\b|"
                       r"\bget (?:liquor|alcohol|beer|booze) for\b|\bwine in juice boxes\b"),
    ("forgery", r"\bfake (?:ids?|doctor'?s? notes?|notes?|birth certificates?|utility bills?|"
                r"transcripts?|diplomas?|vaccination|vaccine cards?|codes?|"
                r"(?:proof of )?(?:address|residency)|leases?)\b|\bids? that scan\b|"
                r"\bguaranteed to scan\b|"
                r"\b(?:forged?|forging|counterfeit)\b|\b(?:sell|make|get)\w* (?:you )?"
                r"(?:a |some )?(?:doctor'?s? notes?|birth certificates?|utility bills?)\b|"
                r"\blegit[- ]looking\b|\bphotoshop\b[^.!?]{0,40}\b(?:license|id|bill|"
                r"birth|certificate|birthday|note)\b|\bedit your birthday\b"),
    # lying on official forms, cheating services
    ("fraud", r"\blie (?:on|about) (?:the|your|their|an?) (?:\w+ )?(?:income|tax|lunch|"
              r"residency|enrollment|application|address|form)s?\b|\b(?:use|give) (?:a )?fake "
              r"address\b|\bthey never check\b"),
    ("cheating", r"\b(?:sell|selling|sold|buy|buying)\w*\b[^.!?]{0,30}\b(?:answers?|"
                 r"answer keys?|test keys?|the tests?|tests in advance|exams?|quiz(?:zes)?|"
                 r"benchmarks?)\b(?![^.!?]{0,20}\bfor free\b)|\banswer keys?\b|"
                 r"\btests? in advance\b|\b(?:take|do|write|finish) (?:your|ur) (?:online )?"
                 r"(?:tests?|exams?|class(?:es)?|courses?|homework|essays?|quiz(?:zes)?|"
                 r"finals?) for (?:you|u)\b"),
    ("hacking", r"\bhack(?:ed|ing)? (?:into|the|your|their|his|her|accounts?|grades?|passwords?|"
                r"the portal|math|[A-Z]\w+)\b|\bcrack (?:the|your|their|passwords?)\b|\bphish|"
                r"\bsteal (?:passwords?|logins?|accounts?)\b|\bwipe the (?:district )?"
                r"tracking\b|\bchange (?:your|their) grades?\b|\bget into (?:the|their) "
                r"(?:gradebook|system|portal|accounts?)\b"),
    ("stolen", r"\bstolen\b|\bdon'?t ask where (?:it|they) came from\b|\bfell off (?:a|the) "
               r"truck\b|\bfive[- ]finger discount\b|\bcopper wire\b|\bswipe (?:another|someone)"
               r"\b|\bresell\b|\bbreak(?:ing)? into (?:the|a|their|his|her) \w+"),
    ("vandalism", r"\b(?:spray ?paint|tag(?:ging)? the|egg(?:ing)?|tp(?:'?ing)?|toilet paper)"
                  r"\b[^.!?]{0,30}\b(?:school|gym|house|building|bus|wall|field|car)\b|"
                  r"\bslash (?:the |their |his |her )?tires\b|\bkey (?:his|her|their|the) car\b|"
                  r"\bvandali[sz]\w*\b"),
    ("fireworks", r"\billegal fireworks\b|\bm-?80s?\b|\bcherry bombs?\b|\bquarter sticks?\b"),
    ("betting", r"\b(?:bet(?:ting|s)?|wager|gambl\w*|bookie|odds|pot)\b[^.!?]{0,40}\$\d|"
                r"\$\d+\s?to (?:bet|get in|enter)\b|\bwinner takes?(?: all| the pot)\b|"
                r"\bfight club\b|\btake bets?\b|\bparlays?\b"),
    ("voter_fraud", r"\bvote (?:twice|two times|more than once|for (?:your|dead))\b|"
                    r"\bnobody checks ids\b|\bballot harvest\w*\b|\bfill out (?:other|extra) "
                    r"ballots\b"),
    ("false_alarm", r"\b(?:pull|pulled|pulling) the fire alarm\b|\bfalse (?:fire )?alarm\b|"
                    r"\bcall in a (?:bomb )?threat\b|\bswatting\b"),
    ("traffic", r"\b(?:pass|passing|drive around|go around|ignore) (?:the |a )?(?:stopped )?"
                r"(?:school )?bus\b[^.!?]{0,40}\b(?:stop arm|stop sign|lights|stopped)\b|"
                r"\bnobody ever gets a ticket\b"),
    ("sale", r"\b(?:sell(?:ing)?|plug for|hook (?:you|y'all) up with|come buy|buy (?:a |some )|"
             r"i got (?:some )?|got (?:some|the)|who wants|anyone (?:want|need)s?)\b[^.!?]{0,25}\b"
             + _CONTRABAND + r"\b"),
    # weak: secrecy, payment apps and easy opportunities, common in ordinary comments too
    ("discreet", r"\bdiscreet\b|\bno questions asked\b|\bdon'?t tell your "
                 r"(?:parents|mom|dad)\b|\bjust don'?t tell\b|\bon the low\b|\bsnap me\b|"
                 r"\bhit me up\b|\bhmu\b|\bvenmo me\b|\bcash ?app\b|\bsneak(?: out)?\b|"
                 r"\bskip (?:first|class|school|the)\b"),
    ("opportunity", r"\bno alarm\b|\bnobody (?:checks|counts|watches|will know|will notice)\b|"
                    r"\bnobody will know\b|\bno fence\b"),
)
WEAK_ILLEGAL_KINDS = frozenset({"discreet", "opportunity", "stolen"})
_ILLEGAL_SAFE = re.compile(r"\b(?:life ?hacks?|hackathons?|hacky sack|stolen bases?|"
                           r"stole the show)\b", re.IGNORECASE)


@cache
def _illegal_res() -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(p, 0 if "A-Z" in p else re.IGNORECASE))
            for kind, p in _ILLEGAL_PATTERNS]


def find_illegal(text: str) -> list[Match]:
    """Drugs, vapes, alcohol to minors, forgeries and fraud, cheating, hacking, theft,
    vandalism, betting, voter fraud, false alarms; weak cues of secrecy and opportunity."""
    text = _mask(_ILLEGAL_SAFE, normalize(text))
    return [(kind, m.group(0).strip()) for kind, rx in _illegal_res() for m in rx.finditer(text)]


# ---------------------------------------------------------------------------------------------
# off-topic cues (chain messages, national politics, lost pets, personal sales)
# ---------------------------------------------------------------------------------------------

_OFFTOPIC_PATTERNS: tuple[tuple[str, str], ...] = (
    ("chain", r"\bshare (?:this|if|to)\b|\bcopy and paste\b|\btype amen\b|\bshare to \d+\b|"
              r"\bif you'?re reading this\b|\b(?:facebook|instagram|meta) (?:is|will) "
              r"(?:going to )?(?:start )?charg"),
    ("conspiracy", r"\b(?:chemtrails?|5g|flat earth|wake up (?:people|sheeple)|sheeple|"
                   r"plandemic|new world order|illuminati|they don'?t want you to know|"
                   r"do your (?:own )?research|mainstream media|msm)\b"),
    ("ask_service", r"\b(?:plumber|electrician|handyman|mechanic|babysitter|dentist|vet|"
                    r"roofer|landscaper|contractor|hvac|exterminator|tires?|oil change)\b"),
    ("fundraiser", r"\b(?:gofundme|go fund me|benefit (?:dinner|concert)|spaghetti dinner|"
                   r"raffle tickets?|girl scout cookies|cookie booth|charity (?:run|walk|5k))\b"),
    ("religion", r"\b(?:pray for|prayers? for|keep \w+ in your prayers|in your prayers|jesus|"
                 r"god bless|amen|repent|revelation|end times|be saved|bible|scripture|"
                 r"lord|church)\b"),
    # national politics (school-board elections and bond votes are on topic)
    ("politics", r"\b(?:president(?:ial)?|congress|senators?|democrats?|republicans?|"
                 r"liberals?|conservatives?|maga|trump|biden|america first|socialis\w*|"
                 r"communis\w*|deep state|white house|midterms?|governor)\b"),
    ("contest", r"\bvote for my (?:niece|nephew|friend|daughter|son|cousin|sister|brother|"
                r"grand\w+|kid)'?s?\b"),
    ("lost_found", r"\b(?:lost|found|missing|has anyone seen)\b[^.!?]{0,40}\b(?:dog|cat|pup|"
                   r"puppy|kitten|keys?|wallet|ring|phone|purse|bird|parrot|bike|glasses)\b"),
    ("ask_local", r"\b(?:anyone|anybody|does anyone|does anybody|who)\b[^.!?]{0,30}\b(?:know|"
                  r"recommend|have|selling|want|interested|going|watching|seen|tried|feel)\b"),
    ("personal_sale", r"\b(?:selling (?:my|a|an|our)|for sale|obo|free to a good home|"
                      r"pick it up|must go)\b"),
    ("wanted", r"\b(?:looking for|in search of|iso|wanted:?) (?:a |an |some )?(?:good |used |"
               r"cheap |reliable |new |decent )(?:\w+ ){0,2}\w+|\bwho sells\b|\bwhere (?:can|do) "
               r"i (?:buy|find|get) (?:a |an |some )?(?:good |used |cheap )"),
    ("local_life", r"\b(?:restaurant|diner|caf[eé]|coffee shop|pizza place|taco truck|"
                   r"grocery store|walmart|costco|gas station|the mall|open late)\b"),
    # professional and college sports; no pro team's name: most are common school mascots
    ("pro_sports", r"\b(?:nfl|nba|wnba|mlb|nhl|mls|super bowl|world series|stanley cup|"
                   r"march madness|final four|fantasy (?:football|baseball|basketball|league|"
                   r"team|draft|lineup)|college football|big 12|sooners|boomer sooner|bedlam|"
                   r"okc thunder)\b"),
    # in capitals only, so that "you" with its first letter dropped is not one
    ("pro_sports", r"(?-i:\b(?:OU|OSU)(?: \w+){0,2} (?:games?|football|basketball|baseball|"
                   r"softball|kickoff|score)\b)"),
    ("community", r"\b(?:pancake breakfast|crawfish boil|fish fry|rodeo|garage sale|yard sale|"
                  r"car wash|bake sale|pickleball|bowling league|carpool to|"
                  r"anniversary|happy birthday)\b"),
)


@cache
def _offtopic_res() -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _OFFTOPIC_PATTERNS]


def find_offtopic(text: str) -> list[Match]:
    """Cues of content unrelated to the district (chain messages, politics, lost pets...)."""
    text = normalize(text)
    return [(kind, m.group(0).strip()) for kind, rx in _offtopic_res() for m in rx.finditer(text)]


# ---------------------------------------------------------------------------------------------
# criticism of decisions and conduct (protected speech; a counter-signal)
# ---------------------------------------------------------------------------------------------

_CRITICISM = re.compile(
    r"\b(?:(?:should|needs? to|must) (?:all )?(?:be fired|resign|step down|be ashamed|be "
    r"held accountable)|resign|step down|do better|unacceptable|disgrace(?:ful)?|shameful|"
    r"ridiculous|incompetent|incompetence|embarrass\w*|a joke|clown show|circus|waste of "
    r"(?:money|time|taxpayer)|taxpayers?|we deserve|answers|accountab\w*|transparen\w*|"
    r"vote (?:no|them out)|voting no|recall|mismanag\w*|fix (?:it|this|the)|make it make sense|"
    r"nobody (?:asked|listens|answers|responds|cares)|no one (?:asked|listens|answers)|"
    r"(?:is|are|was) a crime|(?:the|this) (?:board|district|administration|superintendent|"
    r"principal)(?: keeps| has| is| never| always| just)|priorities|excuses?|lie[sd]? to "
    r"(?:us|parents|families)|lying to (?:us|parents|families))\b",
    re.IGNORECASE)


def find_criticism(text: str) -> list[Match]:
    """Cues of criticism of decisions and conduct ("do better", "should resign", "a disgrace"):
    the speech the removal rule must leave alone, whatever its tone."""
    return [("criticism", m.group(0)) for m in _CRITICISM.finditer(normalize(text))]


# ---------------------------------------------------------------------------------------------
# school vocabulary (an on-topic cue)
# ---------------------------------------------------------------------------------------------

_SCHOOL = re.compile(
    r"\b(?:school|schools|district|board|trustees?|superintendent|principal|teachers?|"
    r"students?|kids?|class(?:es|room)?|bus(?:es)?|routes?|lunch|cafeteria|coach(?:es)?|"
    r"team|band|grades?|graders?|campus|counselors?|nurse|homework|curriculum|policy|"
    r"calendar|bond|levy|tax(?:es)?|survey|parents?|families|pto|pta|gym|library|staff|"
    r"semester|game|season|playoffs?|graduat\w*|seniors?|juniors?|freshm[ae]n|"
    r"sophomores?|my (?:son|daughter|kid|child)|our (?:kids|children|students))\b",
    re.IGNORECASE)


def count_school_terms(text: str) -> int:
    return len(_SCHOOL.findall(normalize(text)))


# ---------------------------------------------------------------------------------------------
# prototypes: short paraphrases of each removal ground (and of protected criticism), written from
# the labelling rules; the comment detector uses the maximum cosine similarity of a comment to
# each group's prototypes (a zero-shot signal that generalises beyond the exact words above)
# ---------------------------------------------------------------------------------------------

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "threat_violence": (
        "I am going to hurt the teacher.",
        "Someone is going to get hurt if this happens again.",
        "I know where he lives and where he parks his car.",
        "He had better watch his back.",
        "Don't send your kids to school tomorrow.",
        "I'm bringing a gun to the next board meeting.",
        "Someone should teach that principal a lesson he won't forget.",
        "She'll regret this, I'll be waiting for her after school.",
        "It would be a shame if something happened to his car.",
        "I'll burn that school down.",
        "Next time I see that coach I'm going to beat him up.",
        "They'd better be careful walking to their car at night.",
        "If my kid gets hurt again, somebody is going to pay.",
        "I'm coming up to that school and it won't be to talk.",
        "If my son is moved to that bus again, someone will get hurt.",
        "I know what time she leaves the building every day.",
        "Check under his car before he drives home.",
        "At the next board meeting I'm bringing more than a protest sign.",
        "Somebody ought to set that building on fire.",
        "There might be a bomb in the school on Friday.",
        "Keep your kids home Monday, that's all I'm saying.",
        "That teacher is going to wish she never crossed me.",
    ),
    "illegal_activity": (
        "Selling weed and vapes to students, message me.",
        "I can get alcohol for the high school kids.",
        "Buy fake IDs and doctor's notes from me.",
        "I have the answer key to the final exam for sale.",
        "I can hack the grade portal and change your grades.",
        "Let's spray paint the gym wall tonight.",
        "Selling stolen phones cheap, no questions asked.",
        "Pull the fire alarm during the test to get out of it.",
        "Place your bets on the fight after school.",
        "Use a fake address so your kid can go to that school.",
    ),
    "harassment_abuse": (
        "That teacher is a fat ugly pig.",
        "The principal is a stupid worthless idiot and a loser.",
        "Go back to your own country.",
        "That kid is a dumb, ugly loser.",
        "She is a disgusting old hag with an ugly face.",
        "His wife is a gold digger and his kids are brats.",
        "That coach is a creepy pervert.",
    ),
    "spam_advertising": (
        "Make money from home, click the link in my bio.",
        "Get 50% off with promo code SCHOOL at our online store.",
        "Earn passive income with crypto, DM me to learn how.",
        "Call us for a free roofing estimate.",
        "Our food truck is serving tacos this weekend, follow us.",
        "Tutoring services available, book your first session today.",
        "Giveaway! Like and share to win a free iPad.",
        "Join my team and be your own boss.",
    ),
    "off_topic": (
        "Lost dog near the park, please share.",
        "Has anyone seen my keys? I lost them at the grocery store.",
        "Vote for my candidate for president!",
        "Share this message to 10 friends or you'll have bad luck.",
        "Please pray for my grandmother in the hospital.",
        "Does anyone know a good plumber?",
        "Selling my couch, $100, pick up only.",
        "Come to our church fish fry on Friday.",
        "Anyone going to the concert downtown this weekend?",
        "The government is hiding the truth, wake up people.",
    ),
    # protected speech: harsh but on-topic criticism of decisions and conduct (a counter-signal)
    "criticism": (
        "This board is incompetent and should resign.",
        "Terrible decision, nobody asked the parents.",
        "The superintendent keeps misleading families. Do better.",
        "Why is my child's bus late every single day? Unacceptable.",
        "What a waste of taxpayer money.",
        "You should all be fired for this mess.",
        "The school lunches are disgusting and overpriced.",
        "Nobody answers the phone at the front office. Ridiculous.",
    ),
}
