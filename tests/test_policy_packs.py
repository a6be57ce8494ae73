"""Policy packs: every pack loads, quotes its own board policy verbatim and accounts for every
clause of it; validation errors name the file and the clause; coverage lists every clause.

The key phrases below were listed independently while reading each seed (one per requirement,
definition or permission); the packs must cover each of them. A second, mechanical check finds
every requirement keyword (must, shall, should, never, only, prohibited, ...) in the seed and
asserts that it lies inside some clause's quote or ``covers`` phrase.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from checks.policy import (
    ALL_RULES,
    IMPLEMENTED_RULES,
    PolicyPack,
    PolicyPackError,
    available_packs,
    coverage_rows,
    coverage_summary,
    load_pack,
    print_coverage,
)
from tests.fixtures import SEEDS

PACKS = {
    "metro-technology-centers-bp-8007": "metro-technology-centers-bp-8007.txt",
    "moore-norman-technology-center": "moore-norman-technology-center.txt",
    "northwest-technology-center": "northwest-technology-center.txt",
}

# --------------------------------------------------------------------------------------------
# Independent lists of each seed's requirements (short distinctive phrases, document order)
# --------------------------------------------------------------------------------------------

KEY_PHRASES: dict[str, list[str]] = {
    "metro-technology-centers-bp-8007.txt": [
        "The on-line version of the policy is official",
        "as part of the educational mission of the District",
        "intended to cover any new form of electronic or digital communication",
        "responsible for creating and maintaining its “official” online presence",
        "no district employee may create an “official” Metro Technology Centers presence",
        "represent themselves as a spokesperson or authorized representative",
        "must have administrator rights to all such Social Media sites",
        "may utilize Social Media to present information and content to the public",
        "equivalent to content and information released to the press",
        "released to the public over Social Media is accurate",
        "copyright, trademark and defamation law",
        "invites discussion of important ideas and issues",
        "reserves the right to remove posts or comments that are obscene",
        "contain threats of violence",
        "spam or advertising",
        "unrelated to the content or information",
        "remove posts or comments that violate applicable laws",
        "free of all forms of harassment, exploitation or intimidation",
        "act with honesty, integrity, and respect",
        "responsible for the material they publish online",
        "may expose that employee to disciplinary action",
        "Inappropriate behavior is defined as",
        "should not engage in personal social media during working hours",
        "must exemplify ethical behavior",
        "is public and is therefore a reflection on the district",
        "exercise good judgment and common sense",
        "should be immediately communicated to a direct supervisor",
        "exercise discretion and maintain professionalism when communicating with students",
        "limit this type of communication with students to matters concerning a student's "
        "education",
        "Excessive messaging or other social media communication to an individual student",
        "prohibited from engaging in private exchanges with students",
        "should only communicate with groups",
        "without the informed consent of a parent/guardian",
        "never take a photo of an individual student",
        "Group student photos may be submitted to the site administrator",
        "Students should not be cited, obviously referenced",
        "depicted in images without proper written approval",
        "confidential details of these individuals should never be disclosed",
        "Externally communicating any confidential information",
        "grounds for termination and legal action",
        "Public information will be released through the Superintendent",
        "Copyright and fair use laws must be respected",
        "may require permission from the copyright owner",
        "responsibility of the employee to seek permission",
        "serve as positive ambassadors",
        "could put an employee in violation of district policy",
        "may result in disciplinary action up to and including termination of employment",
        "generated public or media attention",
        "report their activity and attention generated to their supervisor",
        "Responses to all controversial posts need to be approved",
    ],
    "moore-norman-technology-center.txt": [
        "recognizes the appropriate use of social media",
        "intended to cover any new form of electronic or digital communication",
        "responsible for creating and maintaining its “official” online presence",
        "Unless specifically authorized by the Superintendent, no district employee may create",
        "represent themselves as a spokesperson or authorized representative",
        "free of all forms of harassment, exploitation or intimidation",
        "act with honesty, integrity, and respect",
        "abiding by applicable laws, technology center policy",
        "responsible for the material they publish online",
        "may expose that employee to disciplinary action",
        "Inappropriate behavior is defined as",
        "should not engage in personal social media during working hours",
        "must exemplify ethical behavior",
        "is public and is therefore a reflection on the technology center",
        "exercise good judgment and common sense",
        "should be immediately communicated to a direct supervisor",
        "exercise discretion and maintain professionalism when communicating with students",
        "limit this type of communication with students to matters concerning a student's "
        "education",
        "Excessive messaging or other social media communication to an individual student",
        "prohibited from engaging in private exchanges with students",
        "communication can be publicly viewed",
        "without the informed consent of a parent/guardian",
        "never take a photo of an individual student",
        "submitted to the building/site administrator or superintendent",
        "Students should not be cited, obviously referenced",
        "depicted in images without proper written approval",
        "confidential details of these individuals should never be disclosed",
        "Externally communicating any confidential information",
        "grounds for termination and legal action",
        "Public information will be released through the superintendent or his designee",
        "Copyright and fair use laws must be respected",
        "may require permission from the copyright owner",
        "responsibility of the employee to seek permission",
        "serve as positive ambassadors for the technology center",
        "violation of technology center policy",
        "may result in disciplinary action up to and including termination of employment",
        "generated public or media attention",
        "report their activity and attention generated to their supervisor",
    ],
    "northwest-technology-center.txt": [
        "recognizes the appropriate use of social media",
        "Social media includes all means of communicating or posting information",
        "intended to cover any new form of electronic or digital communication",
        "means an online journal",
        "means a response to an article or social media content",
        "protect the right of an author to control the reproduction",
        "It is illegal to reproduce and use copyrighted content publicly",
        "uploaded and resides in the social media account of the author",
        "they are hosting that content",
        "generally illegal to host copyrighted content",
        "work-related social media activity that is either school-based or non-school based",
        "means the use of electronic information and communication devices",
        "means a personalized presence inside a social networking channel",
        "disclosures are attributed to their User Profile",
        "means blogs, micro-blogs, wikis, social networks",
        "are the actual communications a user distributes through a social media channel",
        "means interaction with external websites or services",
        "responsible for creating and maintaining its “official” online presence",
        "no district employee may create an “official” Northwest Technology Center presence",
        "represent themselves as a spokesperson or authorized representative",
        "welcomes third party contributions to its social media pages",
        "Comments do not reflect the opinions or policies of the Center",
        "not responsible for comments or replies made by visitors",
        "screen, hide, and/or remove any content that is significantly off-topic",
        "to sell a product or a service",
        "racist, sexist, abusive, profane, violent, obscene, spam, or advocates illegal activity",
        "contains falsehoods or is libelous",
        "threatens or makes personal attacks on individuals or groups",
        "are for informational purposes only",
        "not recommended that individuals use comments, replies or direct messages",
        "do not constitute notice to the Center",
        "should not expect reply or action",
        "will adopt Social Media Rules of Engagement",
        "A link to the rules will be posted in the bio section",
        "free of all forms of harassment, exploitation or intimidation",
        "act with honesty, integrity, and respect",
        "prohibits abusive or offensive online behavior of employees at work",
        "resources are not to be used in abusive or offensive ways",
        "discourages out-of-school online abusive or offensive behavior",
        "responsible for the material they publish online",
        "may expose that employee to disciplinary action",
        "Inappropriate behavior is defined as",
        "should not engage in personal social media during working hours",
        "must exemplify ethical behavior",
        "is public and is therefore a reflection on the district",
        "immediately address inappropriate behavior or activity discovered",
        "should be immediately communicated to a direct supervisor",
        "exercise discretion and maintain professionalism when communicating with students",
        "limit this type of communication with students to matters concerning a student's "
        "education",
        "Excessive messaging or other social media communication to an individual student",
        "only engage in social media communication with a student for a school-related purpose",
        "consent of the employee's supervisor and the student's parent/guardian",
        "prohibited from engaging in private digital exchanges with students",
        "without the informed consent of a parent/guardian",
        "never take a photo of an individual student",
        "Photos and videos of fellow employees should not be posted without their express "
        "permission",
        "Group student photos may be submitted to the site administrator",
        "Students should not be cited, obviously referenced",
        "depicted in images without proper written approval",
        "confidential details of these individuals should never be disclosed",
        "Externally communicating any confidential information",
        "Public information will be released through the superintendent or his designee",
        "Copyright and fair use laws must be respected",
        "responsibility of the employee to seek permission",
        "discouraged from sharing content or comments containing the following",
        "Obscene sexual content",
        "Abusive and bullying language or tone",
        "Conduct or encouragement of illegal activity",
        "required to keep confidential by law, regulation or internal policy",
        "especially concerning when directed at or exchanged with a student",
        "referral to law enforcement or licensing and certification bodies",
        "not interested in limiting an employee's ability to participate in personal social "
        "networks",
        "should never be attributed to the technology center",
        "make it clear that they are speaking for themselves",
        "that information is readily ascertainable",
        "encouraged to use common sense when making online comments",
        "cautioned to be aware of their association with the technology center",
        "ensure their profile, photographs, and related content are consistent",
        "personally responsible for all comments/information and hosted content",
        "visible and public for an extended time",
        "they are broadcasting to the world",
        "within the bounds of professional discretion",
        "should always meet the highest standards of professional discretion",
        "assume that every one of their postings is in the public domain",
        "Before posting personal photographs",
        "not permitted to solicit or accept “friend” requests",
        "not permitted to encourage students enrolled in the technology center to create social "
        "media accounts",
        "must create a “teacher” page",
        "posts must be exclusively about classroom or school activities",
        "serve as positive ambassadors",
        "could put an employee in violation of district policy",
        "may result in disciplinary action up to and including termination of employment",
        "generated public or media attention",
        "report their activity and attention generated to their supervisor",
        "prohibited from establishing personal relationships with students",
        "communicating with students as if employees and students were peers",
        "writing personal letters or emails",
        "“texting” students",
        "calling students on a cell phone",
        "sending personal or inappropriate pictures to students",
        "revealing to students personal matters about their private lives",
        "engaging in sexualized dialogue",
        "This policy shall be distributed to all employees",
        "at the time of hiring to all new employees",
    ],
}

# Words and phrases that mark a requirement, permission or prohibition in these texts.
KEYWORDS = (
    r"must", r"shall", r"will", r"may", r"may not", r"should", r"are required", r"prohibited",
    r"prohibits", r"responsible", r"responsibility", r"never", r"only", r"not permitted",
    r"forbidden", r"expected", r"reserves the right", r"discourag\w*", r"encouraged",
    r"cautioned", r"need to be", r"illegal",
)
KEYWORD_RE = re.compile(r"\b(?:" + "|".join(sorted(KEYWORDS, key=len, reverse=True)) + r")\b")
MIN_PHRASE = 20  # a clause phrase shorter than this cannot vouch for a whole sentence


def norm(text: str) -> str:
    """Whitespace collapsed, lowercased."""
    return re.sub(r"\s+", " ", text).strip().lower()


def seed_text(source: str) -> str:
    path = SEEDS / source
    if not path.is_file():
        pytest.skip(f"seed policy {path} not present")
    return norm(path.read_text(encoding="utf-8"))


def sentences(flat: str) -> list[str]:
    """Sentences of a whitespace-collapsed text (list items and headings included)."""
    return [s for s in re.split(r"(?<=[.!?:])\s+(?=[\"“(a-z0-9-])", flat) if s.strip()]


def clause_phrases(pack: PolicyPack) -> list[tuple[str, str]]:
    """(clause id, normalized phrase) for every quote and covers phrase of the pack."""
    return [(c.id, norm(p)) for c in pack.clauses for p in (c.quote, *c.covers)]


def spans(flat: str, phrase: str) -> list[tuple[int, int]]:
    out, start = [], flat.find(phrase)
    while start >= 0:
        out.append((start, start + len(phrase)))
        start = flat.find(phrase, start + 1)
    return out


@pytest.fixture(scope="module", params=sorted(PACKS))
def pack(request: pytest.FixtureRequest) -> PolicyPack:
    return load_pack(request.param)


# --------------------------------------------------------------------------------------------
# Loading and quoting
# --------------------------------------------------------------------------------------------


def test_every_district_has_a_pack() -> None:
    assert set(PACKS) <= set(available_packs())


def test_pack_loads_and_names_its_source(pack: PolicyPack) -> None:
    assert pack.source == PACKS[pack.name]
    assert pack.district and pack.title
    assert len({c.id for c in pack.clauses}) == len(pack.clauses)
    prefix = pack.clauses[0].id.split("-")[0]
    assert all(c.id.startswith(prefix + "-") for c in pack.clauses)


def test_load_by_path_equals_load_by_name(pack: PolicyPack) -> None:
    path = Path(__file__).resolve().parents[1] / "checks" / "policies" / f"{pack.name}.yaml"
    assert load_pack(path).clauses == pack.clauses


def test_every_quote_is_verbatim_in_the_seed(pack: PolicyPack) -> None:
    flat = seed_text(pack.source)
    missing = [(cid, phrase) for cid, phrase in clause_phrases(pack) if phrase not in flat]
    assert not missing, "quotes/covers not found in the seed:\n" + "\n".join(
        f"  {cid}: {phrase!r}" for cid, phrase in missing)


def test_quotes_are_short(pack: PolicyPack) -> None:
    assert all(len(c.quote) <= 240 for c in pack.clauses)


# --------------------------------------------------------------------------------------------
# Every clause of every seed is accounted for
# --------------------------------------------------------------------------------------------


def test_key_phrases_are_in_the_seeds() -> None:
    for source, phrases in KEY_PHRASES.items():
        flat = seed_text(source)
        missing = [p for p in phrases if norm(p) not in flat]
        assert not missing, f"{source}: key phrases not in the text: {missing}"


def uncovered_key_phrases(pack: PolicyPack) -> list[str]:
    phrases = [p for _, p in clause_phrases(pack)]
    uncovered = []
    for key in KEY_PHRASES[pack.source]:
        k = norm(key)
        if not any(k in p or (p in k and len(p) >= len(k) / 2) for p in phrases):
            uncovered.append(key)
    return uncovered


def uncovered_sentences(pack: PolicyPack, flat: str) -> list[str]:
    """Sentences with a requirement keyword that neither contain a clause phrase nor lie in one."""
    phrases = [p for _, p in clause_phrases(pack)]
    return [s for s in sentences(flat) if KEYWORD_RE.search(s)
            and not any((len(p) >= MIN_PHRASE and p in s) or s in p for p in phrases)]


def loose_keywords(pack: PolicyPack, flat: str) -> list[str]:
    """Requirement keywords of the seed that lie outside every clause quote and covers phrase."""
    covered: list[tuple[int, int]] = []
    for _, phrase in clause_phrases(pack):
        covered += spans(flat, phrase)
    return [f"{m.group(0)!r} in …{flat[max(0, m.start() - 70):m.end() + 70]}…"
            for m in KEYWORD_RE.finditer(flat)
            if not any(a <= m.start() and m.end() <= b for a, b in covered)]


def test_every_key_phrase_is_covered_by_a_clause(pack: PolicyPack) -> None:
    uncovered = uncovered_key_phrases(pack)
    assert not uncovered, f"{pack.name}: requirements no clause accounts for:\n" + "\n".join(
        f"  {u!r}" for u in uncovered)


def test_every_requirement_sentence_is_covered(pack: PolicyPack) -> None:
    """Each sentence with a requirement keyword contains a clause phrase or lies inside one."""
    flat = seed_text(pack.source)
    assert sum(bool(KEYWORD_RE.search(s)) for s in sentences(flat)) >= 25  # real sentences
    uncovered = uncovered_sentences(pack, flat)
    assert not uncovered, f"{pack.name}: sentences with requirements no clause covers:\n" + (
        "\n".join(f"  - {s}" for s in uncovered))


def test_every_requirement_keyword_lies_inside_a_clause_phrase(pack: PolicyPack) -> None:
    """Stricter than per sentence: a sentence with two requirements needs both quoted."""
    loose = loose_keywords(pack, seed_text(pack.source))
    assert not loose, f"{pack.name}: requirement words outside every clause phrase:\n" + (
        "\n".join(f"  - {x}" for x in loose))


def test_coverage_checks_are_not_vacuous() -> None:
    """Dropping clauses makes the checks fail: they measure the packs, not the matching."""
    full = load_pack("northwest-technology-center")
    flat = seed_text(full.source)
    partial = full.model_copy(update={"clauses": full.clauses[:20]})
    assert len(uncovered_sentences(partial, flat)) > 30
    for dropped in ("nwtc-personal-5", "nwtc-staff-6-confidential", "nwtc-official-roe-link"):
        less = full.model_copy(update={"clauses": [c for c in full.clauses if c.id != dropped]})
        assert uncovered_key_phrases(less), dropped
        assert loose_keywords(less, flat), dropped


# --------------------------------------------------------------------------------------------
# What each district's text supports
# --------------------------------------------------------------------------------------------


def test_rules_each_district_enables() -> None:
    metro = set(load_pack("metro-technology-centers-bp-8007").rules())
    moore = set(load_pack("moore-norman-technology-center").rules())
    nw = set(load_pack("northwest-technology-center").rules())
    assert metro == set(ALL_RULES)
    # Moore Norman's text has no removal grounds, no reply approvals, no designee admin rights.
    assert moore == set(ALL_RULES) - {
        "removable_comment", "undocumented_removal", "unapproved_controversial_reply",
        "account_governance"}
    # Northwest's text has no reply approvals and no designee admin rights (it asks a Rules of
    # Engagement link on each page: account_governance).
    assert nw == set(ALL_RULES) - {"unapproved_controversial_reply"}


def test_governance_problems_follow_the_text() -> None:
    """Designee admins (Metro) and the Rules of Engagement link on each page (Northwest) are
    checked; unregistered official accounts are manual, with why."""
    metro = load_pack("metro-technology-centers-bp-8007")
    assert metro.merged_params("account_governance")["problems"] == ["no_designee_admin"]
    admin = metro.cite("account_governance", "no_designee_admin")
    assert admin is not None and admin.clause_id == "metro-bp8007-official-admin"
    assert metro.cite("account_governance", "no_rules_of_engagement_link") is None
    for name, clause_id in (("metro-technology-centers-bp-8007", "metro-bp8007-official-create"),
                            ("moore-norman-technology-center", "mntc-official-create"),
                            ("northwest-technology-center", "nwtc-official-create")):
        clause = load_pack(name).clause(clause_id)
        assert clause.kind == "manual" and "registered accounts" in (clause.manual or "")
    nw = load_pack("northwest-technology-center")
    assert nw.merged_params("account_governance") == {
        "problems": ["no_rules_of_engagement_link"],
        "roe_link_accounts": ["official", "teacher_page"]}  # "each social media page"
    roe = nw.cite("account_governance", "no_rules_of_engagement_link")
    assert roe is not None and roe.clause_id == "nwtc-official-roe-link"
    assert nw.cite("account_governance", "no_designee_admin") is None
    assert nw.clause("nwtc-official-roe-adopt").kind == "manual"  # the website is not read


def test_governance_problems_no_data_shows_are_refused(tmp_path: Path) -> None:
    path = write_pack(tmp_path, GOOD_CLAUSE + """
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {rule: account_governance, params: {problems: [unregistered_official]}, severity: high}
""")
    with pytest.raises(PolicyPackError, match="unregistered_official cannot be checked: .*manual"):
        load_pack(path)


@pytest.mark.parametrize(("params", "error"), [
    ("{problems: [no_rules_of_engagement_link]}", "needs roe_link_accounts"),
    ("{problems: [no_designee_admin], roe_link_accounts: [official]}",
     "roe_link_accounts is only for no_rules_of_engagement_link"),
    ("{problems: [no_rules_of_engagement_link], roe_link_accounts: [school]}",
     "roe_link_accounts"),
    ("{problems: [no_rules_of_engagement_link], roe_link_accounts: []}", "roe_link_accounts"),
])
def test_a_rules_of_engagement_binding_names_the_accounts(tmp_path: Path, params: str,
                                                          error: str) -> None:
    path = write_pack(tmp_path, GOOD_CLAUSE + f"""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {{rule: account_governance, params: {params}, severity: medium}}
""")
    with pytest.raises(PolicyPackError, match=f"clause 't-2'.*{error}"):
        load_pack(path)


def test_removal_grounds_follow_the_text() -> None:
    metro = load_pack("metro-technology-centers-bp-8007").merged_params("removable_comment")
    nw = load_pack("northwest-technology-center").merged_params("removable_comment")
    everything = {"obscene_profane", "threat_violence", "harassment_abuse", "spam_advertising",
                  "illegal_activity", "off_topic"}
    assert set(metro["grounds"]) == everything
    assert set(nw["grounds"]) == everything
    assert "defamatory" in metro["unmapped_grounds"]
    assert {"falsehoods", "libelous"} <= set(nw["unmapped_grounds"])
    assert metro["off_topic_standard"] == "unrelated"
    assert nw["off_topic_standard"] == "significantly_off_topic"
    assert load_pack("moore-norman-technology-center").cite("removable_comment") is None


def test_consent_and_single_student_params(pack: PolicyPack) -> None:
    merged = pack.merged_params("student_media_without_consent")
    assert merged["consent_scope"] == "social_media"
    assert "single_student" in merged["problems"]
    assert merged["written_consent"] is True
    single = pack.cite("student_media_without_consent", "single_student")
    assert single is not None and "individual student" in single.quote
    missing = pack.cite("student_media_without_consent", "missing")
    assert missing is not None and "informed consent" in missing.quote


def test_excessive_replies_threshold(pack: PolicyPack) -> None:
    binding = pack.cite("private_exchange_with_student", "excessive_replies")
    assert binding is not None and binding.params["max_replies_to_one_student"] >= 1
    assert pack.cite("private_exchange_with_student", "one_to_one") is not None


def test_controversial_replies_only_where_the_text_says_so() -> None:
    metro = load_pack("metro-technology-centers-bp-8007")
    binding = metro.cite("unapproved_controversial_reply")
    assert binding is not None and "controversial posts" in binding.quote
    assert "designee" in binding.params["approver"]


def test_teacher_page_posts_cite_the_teacher_page_clause() -> None:
    nw = load_pack("northwest-technology-center")
    assert nw.cite("teacher_page_non_school", "post").clause_id == "nwtc-personal-7b"
    assert nw.cite("teacher_page_non_school", "reply_to_student").clause_id == "nwtc-staff-1b"


# --------------------------------------------------------------------------------------------
# Severity
# --------------------------------------------------------------------------------------------


def test_threats_and_student_media_are_critical(pack: PolicyPack) -> None:
    rules = pack.rules()
    for binding in rules.get("removable_comment", []):
        if "threat_violence" in binding.params["grounds"]:
            assert binding.severity == "critical"
    if "removable_comment" in rules:
        assert pack.severity("removable_comment", "threat_violence") == "critical"
        assert pack.severity("removable_comment", "spam_advertising") != "critical"
    assert rules["student_media_without_consent"]
    assert all(b.severity == "critical" for b in rules["student_media_without_consent"])


def test_only_what_cannot_wait_is_critical(pack: PolicyPack) -> None:
    for rule, bindings in pack.rules().items():
        for b in bindings:
            if b.severity == "critical":
                assert rule == "student_media_without_consent" or (
                    rule == "removable_comment" and b.params["grounds"] == ["threat_violence"])


# --------------------------------------------------------------------------------------------
# Validation errors
# --------------------------------------------------------------------------------------------

GOOD_CLAUSE = """
  - id: t-1
    section: "1"
    quote: "some verbatim words of the policy"
    manual: "a person checks it"
"""


def write_pack(tmp_path: Path, clauses: str, name: str = "bad-pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text("district: Test District\ntitle: Social Media\nsource: test.txt\n"
                    "clauses:\n" + clauses, encoding="utf-8")
    return path


def test_minimal_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, GOOD_CLAUSE, "ok.yaml"))
    assert pack.name == "ok" and pack.clause("t-1").kind == "manual"
    assert pack.rules() == {}


@pytest.mark.parametrize(("clause", "expected"), [
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {rule: no_such_rule, severity: high}
""", "unknown rule 'no_such_rule'"),
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
""", "none of rules, manual or definition"),
    ("""
  - id: t-2
    section: "2"
    manual: "a person checks it"
""", "quote"),
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {rule: removable_comment, params: {grounds: [rudeness]}, severity: low}
""", "grounds"),
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {rule: removable_comment, params: {grounds: [threat_violence]}, severity: high}
""", "must be critical"),
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {rule: student_media_without_consent, params: {problems: [missing]}, severity: low}
""", "must be critical"),
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    rules:
      - {rule: media_attention, params: {min_ratio: 3, colour: red}, severity: high}
""", "colour"),
    ("""
  - id: t-2
    section: "2"
    quote: "some verbatim words of the policy"
    definition: true
    manual: "a person checks it"
""", "more than one"),
])
def test_invalid_clause_errors_name_file_and_clause(tmp_path: Path, clause: str,
                                                    expected: str) -> None:
    path = write_pack(tmp_path, GOOD_CLAUSE + clause)
    with pytest.raises(PolicyPackError) as err:
        load_pack(path)
    message = str(err.value)
    assert str(path) in message and "clause 't-2'" in message and expected in message


def test_duplicate_clause_id(tmp_path: Path) -> None:
    path = write_pack(tmp_path, GOOD_CLAUSE + GOOD_CLAUSE)
    with pytest.raises(PolicyPackError, match=r"bad-pack\.yaml: clause 't-1': duplicate"):
        load_pack(path)


def test_clause_without_id_is_named_by_position(tmp_path: Path) -> None:
    path = write_pack(tmp_path, GOOD_CLAUSE + '  - section: "2"\n    quote: "words words words"\n'
                      '    definition: true\n')
    with pytest.raises(PolicyPackError, match=r"bad-pack\.yaml: clause #2 \(no id\)"):
        load_pack(path)


def test_bad_yaml_and_unknown_pack(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("district: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyPackError, match="broken.yaml: invalid YAML"):
        load_pack(path)
    with pytest.raises(PolicyPackError, match="unknown policy pack 'nope'.*northwest"):
        load_pack("nope")
    with pytest.raises(PolicyPackError, match="no such policy pack file"):
        load_pack(tmp_path / "missing.yaml")


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def test_coverage_rows_list_every_clause(pack: PolicyPack) -> None:
    rows = coverage_rows(pack)
    assert [r.clause_id for r in rows] == [c.id for c in pack.clauses]
    for row in rows:
        clause = pack.clause(row.clause_id)
        if clause.rules:
            assert row.how == ", ".join(dict.fromkeys(r.rule for r in clause.rules))
        elif clause.manual:
            assert row.how == f"manual: {clause.manual}"
        else:
            assert row.how == "definition"


def test_print_coverage_shows_every_clause_and_a_summary(pack: PolicyPack) -> None:
    console = Console(file=io.StringIO(), width=240, record=True, color_system=None)
    print_coverage(pack, console)
    out = console.export_text()
    missing = [c.id for c in pack.clauses if c.id not in out]
    assert not missing
    summary = coverage_summary(pack)
    assert summary in out.replace("\n", " ") or summary.split(";")[0] in out
    n = len(pack.clauses)
    assert summary.startswith(f"{n} clauses: ")
    assert all(rule in summary for rule in pack.rules())


def test_coverage_says_which_bindings_no_rule_enforces_yet(pack: PolicyPack) -> None:
    console = Console(file=io.StringIO(), width=240, record=True, color_system=None)
    print_coverage(pack, console)
    out = console.export_text()
    pending = [r for r in pack.rules() if r not in IMPLEMENTED_RULES]
    for rule in pending:
        assert f"{rule} (not yet implemented)" in out
    for rule in IMPLEMENTED_RULES:
        assert f"{rule} (not yet implemented)" not in out
    waiting = [c for c in pack.clauses
               if c.rules and not any(r.rule in IMPLEMENTED_RULES for r in c.rules)]
    enforced = [c for c in pack.clauses
                if c.rules and any(r.rule in IMPLEMENTED_RULES for r in c.rules)]
    summary = coverage_summary(pack)
    assert f"{len(enforced)} enforced by rules, {len(waiting)} bound only to rules not yet " \
           "implemented" in summary
    assert ("not yet implemented: " + ", ".join(pending) in summary) == bool(pending)


def test_rules_cite_clauses(pack: PolicyPack) -> None:
    for rule, bindings in pack.rules().items():
        assert rule in ALL_RULES and bindings
        for b in bindings:
            clause = pack.clause(b.clause_id)
            assert b.quote == clause.quote and b.section == clause.section
    with pytest.raises(KeyError):
        pack.clause("no-such-clause")
