"""Text of the simulated district: posts by staff, comments by the public, replies in threads.

Every generator returns the text together with what a perfect detector would say about it (the
label), so the ground truth never depends on reading the text back. Texts come from many
templates filled with slot values (names, schools, programs, days, numbers), then pass through a
light "voice" (typos, casing, emoji, hashtags, links) that depends on who writes. Violations are
not keyword-separable on purpose: critical comments can be angry, benign ones use violent idioms
("kill it at state", "photo shoot"), teacher posts about school can sound personal and personal
posts can mention school.

Everything here is cheap (a few random choices and one regex substitution per text), so the
generator can produce 100,000 items in seconds.
"""

# ruff: noqa: E501  (a data module: templates read better on one line)

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------------------------
# Names and places
# --------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Aaliyah", "Abigail", "Adrian", "Aiden", "Alejandro", "Alexis", "Amara", "Andre", "Angel",
    "Anna", "Aubrey", "Ava", "Avery", "Bella", "Brayden", "Brianna", "Brooklyn", "Caleb",
    "Cameron", "Camila", "Carlos", "Carter", "Chloe", "Colton", "Cooper", "Daniel", "Daniela",
    "Dakota", "Destiny", "Diego", "Dylan", "Easton", "Elena", "Eli", "Elijah", "Emily", "Emma",
    "Ethan", "Evelyn", "Gabriel", "Gavin", "Grace", "Hailey", "Hannah", "Hayden", "Isaac",
    "Isabella", "Isaiah", "Jace", "Jackson", "Jada", "Jamal", "Jasmine", "Jayden", "Jaylen",
    "Jordan", "Jose", "Josiah", "Kaitlyn", "Kaylee", "Kendall", "Kenji", "Khalil", "Kylie",
    "Landon", "Layla", "Leah", "Liam", "Lily", "Logan", "Lucas", "Luis", "Madison", "Malik",
    "Maria", "Mason", "Mateo", "Maya", "Mia", "Micah", "Miguel", "Nadia", "Naomi", "Nathan",
    "Noah", "Nora", "Olivia", "Omar", "Paisley", "Parker", "Peyton", "Priya", "Quinn", "Reagan",
    "Riley", "Ryan", "Samuel", "Santiago", "Sara", "Savannah", "Sebastian", "Sofia", "Talia",
    "Tanner", "Taylor", "Trinity", "Tristan", "Tyler", "Valeria", "Victoria", "Wyatt", "Xavier",
    "Yasmin", "Zoe", "Hunter", "Ruby", "Brody", "Kinsley", "Aspen", "Ty", "Kade", "Jolene",
)
ADULT_FIRST_NAMES = (
    "Amanda", "Angela", "Barbara", "Becky", "Bill", "Bobby", "Brandi", "Brenda", "Carla",
    "Chad", "Cheryl", "Christy", "Cindy", "Craig", "Crystal", "Dale", "Dana", "Darrell", "Debbie",
    "Dennis", "Donna", "Doug", "Dwayne", "Erica", "Gary", "Gina", "Greg", "Heather", "Holly",
    "Jamie", "Jana", "Jason", "Jeff", "Jennifer", "Jerry", "Jill", "Jodi", "Julie", "Karen",
    "Keith", "Kelly", "Kim", "Kristi", "LaDonna", "Lance", "Laura", "Linda", "Lisa", "Lori",
    "Marcus", "Mark", "Melissa", "Michelle", "Misty", "Monica", "Nicole", "Pam", "Patrick",
    "Rachel", "Randy", "Rhonda", "Ricky", "Robin", "Ron", "Sandra", "Shane", "Shawna", "Shelly",
    "Stacy", "Stephanie", "Steve", "Tameka", "Tammy", "Teresa", "Terry", "Tiffany", "Todd",
    "Tonya", "Tracy", "Travis", "Trent", "Vanessa", "Wendy", "Yolanda", "Rosa", "Hector",
    "Minh", "Lakshmi", "Guadalupe", "DeShawn", "Latoya", "Beau", "Cody", "Jessie", "Kristen",
)
LAST_NAMES = (
    "Adams", "Alvarez", "Anderson", "Baker", "Banks", "Bennett", "Blackwood", "Brooks", "Brown",
    "Bryant", "Butler", "Campbell", "Carter", "Castillo", "Chavez", "Clark", "Coleman", "Collins",
    "Cooper", "Cruz", "Davis", "Diaz", "Dixon", "Edwards", "Ellis", "Evans", "Fields", "Fisher",
    "Flores", "Ford", "Foster", "Garcia", "Gibson", "Gomez", "Gonzalez", "Graham", "Gray",
    "Green", "Griffin", "Hall", "Harjo", "Harris", "Hayes", "Henderson", "Hernandez", "Hill",
    "Holt", "Howard", "Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Keller",
    "Kelly", "Kim", "King", "Lee", "Lewis", "Lopez", "Martin", "Martinez", "Mason", "McCoy",
    "Miller", "Mitchell", "Moore", "Morgan", "Morris", "Murphy", "Myers", "Nguyen", "Nelson",
    "Owens", "Parker", "Patel", "Perez", "Perry", "Phillips", "Powell", "Price", "Ramirez",
    "Reed", "Reyes", "Richardson", "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Ross",
    "Russell", "Sanchez", "Sanders", "Scott", "Simmons", "Smith", "Stewart", "Sullivan",
    "Taylor", "Thomas", "Thompson", "Torres", "Tran", "Tsosie", "Turner", "Walker", "Ward",
    "Washington", "Watson", "White", "Whitehorse", "Williams", "Wilson", "Wright", "Young",
)
TOWNS = (
    "Alva", "Fairview", "Woodward", "Enid", "Cherokee", "Waynoka", "Okeene", "Watonga",
    "Kingfisher", "Hennessey", "Buffalo", "Seiling", "Mooreland", "Freedom", "Helena", "Carmen",
    "Aline", "Cleo Springs", "Longdale", "Canton", "Ringwood", "Lahoma", "Garber", "Drummond",
)
DISTRICT_NAMES = (
    ("Cimarron Plains Technology Center", "CPTC", "cimarronplains.tech", "Cimarron Plains"),
    ("Red Hills Public Schools", "RHPS", "redhillsps.org", "Red Hills"),
    ("North Canadian Valley Schools", "NCVS", "ncvschools.org", "North Canadian"),
    ("Salt Fork Public Schools", "SFPS", "saltforkschools.org", "Salt Fork"),
    ("Gypsum Hills Technology District", "GHTD", "gypsumhills.edu", "Gypsum Hills"),
    ("Great Salt Plains Unified Schools", "GSPU", "saltplainsk12.org", "Salt Plains"),
)
SCHOOL_KINDS = (
    ("High School", "HS"),
    ("Middle School", "MS"),
    ("Elementary", "ES"),
    ("Technology Campus", "TC"),
    ("Early Childhood Center", "EC"),
    ("Junior High", "JH"),
)
SCHOOL_STEMS = (
    "Prairie View", "Cedar Ridge", "Lincoln", "Washington", "Riverside", "Eastside", "Westwood",
    "Jefferson", "Roosevelt", "Sequoyah", "Will Rogers", "Bluestem", "Redbud", "Mesa Verde",
    "Cottonwood", "Sooner Trail", "Chisholm Trail", "Longhorn", "Glass Mountain", "Kiowa",
    "Wheatland", "Turkey Creek", "Osage", "Hillcrest", "Northside", "Southgate", "Meadowlark",
    "Pioneer", "Frontier", "Heritage", "Skyline", "Wildcat Creek", "Harmony", "Stone Bluff",
)
MASCOTS = (
    "Eagles", "Wildcats", "Bulldogs", "Mustangs", "Panthers", "Hornets", "Tigers", "Rams",
    "Falcons", "Bobcats", "Rattlers", "Cougars", "Longhorns", "Jackrabbits", "Broncos",
    "Warriors", "Pirates", "Chargers", "Trojans", "Owls",
)
PROGRAMS = (
    "Welding", "Practical Nursing", "Cosmetology", "Culinary Arts", "Automotive Technology",
    "Cybersecurity", "HVAC", "Early Childhood Education", "Health Careers", "Diesel Technology",
    "Graphic Design", "Carpentry", "Electrical Trades", "Pre-Engineering", "Biomedical Sciences",
    "Medical Assisting", "Network Administration", "Precision Machining", "Agriculture Science",
    "Criminal Justice", "Digital Media", "Robotics", "Aviation Maintenance", "Emergency Medical",
)
SUBJECTS = (
    "Algebra I", "Geometry", "Algebra II", "Pre-Calc", "English I", "English II", "English III",
    "AP Lit", "Biology", "Chemistry", "Physics", "Earth Science", "US History", "World History",
    "Oklahoma History", "Government", "Spanish I", "Spanish II", "Art", "Choir", "Band",
    "Computer Science", "Health", "PE", "Reading", "4th grade", "3rd grade", "Kindergarten",
    "2nd grade", "5th grade", "Ag Ed", "FACS", "Speech & Debate", "Anatomy", "Economics",
) + PROGRAMS
STUDENT_ORGS = ("SkillsUSA", "FFA", "HOSA", "FCCLA", "DECA", "BPA", "TSA", "FBLA", "Key Club",
                "National Honor Society", "Student Council", "Academic Team", "Robotics Club")
SPORTS = ("football", "volleyball", "softball", "basketball", "wrestling", "baseball", "track",
          "cross country", "soccer", "golf", "tennis", "cheer", "swim")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SHORT_DAYS = ("Mon", "Tues", "Wed", "Thurs", "Fri", "Sat")
MONTHS = ("January", "February", "March", "April", "May")
TIMES = ("8:00 am", "9:30 a.m.", "10 am", "noon", "1:15 pm", "3:30 p.m.", "5:30 pm", "6:00 p.m.",
         "6:30 pm", "7 pm", "7:00 p.m.", "4:45 pm")
PLACES = ("the main gym", "the auditorium", "the cafeteria", "the library", "the PAC",
          "the ag barn", "Building C", "the stadium", "the board room", "the commons",
          "the welding shop", "the Student Center", "Room 114", "the north parking lot")
EVENTS = (
    "Open House", "Enrollment Night", "Career Fair", "Spring Concert", "Art Show", "FAFSA Night",
    "Parent-Teacher Conferences", "Blood Drive", "Prom", "Awards Night", "Senior Night",
    "Family Literacy Night", "STEM Night", "Talent Show", "Kindergarten Roundup",
    "Signing Day", "Science Fair", "Job Shadow Day", "Field Day", "Honors Banquet",
    "Spring Showcase", "Muffins with Mom", "Donuts with Dad", "Book Fair", "Spirit Week",
)
TOPIC_EMOJI = ("🎉", "👏", "🙌", "💙", "⭐", "🏆", "📣", "📸", "🎓", "💪", "❤️", "🔥", "✨", "🐾",
               "📚", "🍎", "😊", "🥳", "👍", "💯")
ANGRY_EMOJI = ("😡", "🤬", "🙄", "😤", "👎", "🤦", "😒")
SAD_EMOJI = ("😢", "🙏", "💔", "😞")
LAUGH_EMOJI = ("😂", "🤣", "😆", "😅")
SHORTENERS = ("bit.ly", "tinyurl.com", "ow.ly", "buff.ly")
SPAM_DOMAINS = ("cheap-raybans-outlet.shop", "fastcash-daily.biz", "get-followers-now.net",
                "crypto-x100.io", "freegiftcards4u.club", "bestdeals-kicks.store",
                "workfromhome-mom.site", "lucky-spin-casino.win")


@dataclass(frozen=True)
class Voice:
    """How a writer types: probabilities of lowercase, typos, emoji, hashtags, shouting."""

    lower: float = 0.0
    typo: float = 0.0
    emoji: float = 0.0
    hashtags: float = 0.0
    shout: float = 0.0
    abbrev: float = 0.0


OFFICIAL_VOICE = Voice(lower=0.0, typo=0.02, emoji=0.45, hashtags=0.5)
TEACHER_VOICE = Voice(lower=0.05, typo=0.06, emoji=0.55, hashtags=0.3)
PUBLIC_VOICE = Voice(lower=0.3, typo=0.12, emoji=0.3, hashtags=0.03, shout=0.03)
TEEN_VOICE = Voice(lower=0.75, typo=0.15, emoji=0.45, abbrev=0.5)

_SLOT = re.compile(r"\{(\w+)\}")

Slot = str | Sequence[str] | Callable[[random.Random], str]


def pick(rng: random.Random, seq: Sequence[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]


def fill(rng: random.Random, template: str, ctx: Mapping[str, Slot]) -> str:
    """Replace ``{slot}`` with a value from ``ctx`` or the shared pools (nested up to 3 levels)."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        value = ctx.get(key)
        if value is None:
            value = POOLS.get(key)
            if value is None:
                return match.group(0)
        if isinstance(value, str):
            return value
        if callable(value):
            return value(rng)
        return value[int(rng.random() * len(value))]

    out = template
    for _ in range(3):
        if "{" not in out:
            break
        out = _SLOT.sub(sub, out)
    return out


def _num(lo: int, hi: int) -> Callable[[random.Random], str]:
    return lambda rng: str(rng.randint(lo, hi))


def _student_name(rng: random.Random) -> str:
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"


def _student_short(rng: random.Random) -> str:
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)[0]}."


def _adult_name(rng: random.Random) -> str:
    return f"{pick(rng, ADULT_FIRST_NAMES)} {pick(rng, LAST_NAMES)}"


def _title_last(rng: random.Random) -> str:
    return f"{pick(rng, ('Mr.', 'Mrs.', 'Ms.', 'Coach', 'Dr.', 'Ms.', 'Mrs.'))} {pick(rng, LAST_NAMES)}"


def _date(rng: random.Random) -> str:
    return f"{pick(rng, MONTHS[1:])} {rng.randint(1, 28)}"


def _score(rng: random.Random) -> str:
    a = rng.randint(3, 62)
    b = rng.randint(0, max(1, a - 1))
    return f"{a}-{b}"


def _shortlink(rng: random.Random) -> str:
    chars = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"https://{pick(rng, SHORTENERS)}/" + "".join(pick(rng, chars) for _ in range(7))


def _form_link(rng: random.Random) -> str:
    chars = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "https://forms.gle/" + "".join(pick(rng, chars) for _ in range(10))


def _phone_fake(rng: random.Random) -> str:
    return f"(580) 555-{rng.randint(100, 199):04d}"


def _money(rng: random.Random) -> str:
    return f"${rng.randint(2, 95)}"


def _grade_pct(rng: random.Random) -> str:
    return str(rng.randint(38, 69))


def _student_id(rng: random.Random) -> str:
    return str(rng.randint(2030000, 2049999))


def _street(rng: random.Random) -> str:
    streets = ("Maple", "Elm", "Oak", "Cherokee", "Locust", "Main", "College", "Barnes",
               "Flynn", "Santa Fe", "Choctaw", "Washington", "Noble", "Ash", "Cedar")
    kind = pick(rng, ("St", "Ave", "Dr", "Ln", "Rd"))
    return f"{rng.randint(101, 4899)} {pick(rng, ('', 'N ', 'S ', 'E ', 'W '))}{pick(rng, streets)} {kind}"


def _dob(rng: random.Random) -> str:
    y = rng.randint(2007, 2019)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return pick(rng, (f"{m}/{d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{pick(rng, MONTHS)} {d}, {y}"))


def _student_phone(rng: random.Random) -> str:
    area = pick(rng, ("580", "405", "918"))
    return pick(rng, (f"{area}-{rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
                      f"({area}) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
                      f"{area}.{rng.randint(200, 989)}.{rng.randint(1000, 9999)}"))


def _student_email(rng: random.Random) -> str:
    first = pick(rng, FIRST_NAMES).lower()
    last = pick(rng, LAST_NAMES).lower()
    return pick(rng, (f"{first}.{last}{rng.randint(1, 99)}@gmail.com",
                      f"{first[0]}{last}{rng.randint(26, 33)}@students.k12.ok.us",
                      f"{first}{last[0]}{rng.randint(2007, 2014)}@icloud.com"))


def _password(rng: random.Random) -> str:
    words = ("Tiger", "Falcon", "Sunshine", "Eagles", "Purple", "Rocket", "Bulldog", "Summer")
    return f"{pick(rng, words)}{pick(rng, ('!', '#', '$', ''))}{rng.randint(10, 2026)}"


def _username(rng: random.Random) -> str:
    return f"{pick(rng, FIRST_NAMES).lower()[:5]}{pick(rng, LAST_NAMES).lower()[:4]}{rng.randint(1, 99)}"


def _spam_link(rng: random.Random) -> str:
    return pick(rng, ("https://", "www.", "")) + pick(rng, SPAM_DOMAINS) + pick(
        rng, ("", "/deal", "/join", "/?ref=" + str(rng.randint(100, 999))))


POOLS: dict[str, Slot] = {
    "day": DAYS[:5],
    "sday": SHORT_DAYS[:5],
    "anyday": DAYS,
    "time": TIMES,
    "place": PLACES,
    "event": EVENTS,
    "program": PROGRAMS,
    "subject": SUBJECTS,
    "org": STUDENT_ORGS,
    "sport": SPORTS,
    "date": _date,
    "score": _score,
    "student": _student_short,
    "student_full": _student_name,
    "sfirst": FIRST_NAMES,
    "adult": _adult_name,
    "afirst": ADULT_FIRST_NAMES,
    "alast": LAST_NAMES,
    "title_last": _title_last,
    "shortlink": _shortlink,
    "formlink": _form_link,
    "n2": _num(2, 9),
    "n10": _num(10, 40),
    "n100": _num(100, 900),
    "grade_level": ("6th", "7th", "8th", "9th", "10th", "11th", "12th", "3rd", "4th", "5th"),
    "period": ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th"),
    "emo": TOPIC_EMOJI,
    "angry": ANGRY_EMOJI,
    "sad": SAD_EMOJI,
    "lol": LAUGH_EMOJI,
    "money": _money,
    "pct": _grade_pct,
    "sid": _student_id,
    "street": _street,
    "dob": _dob,
    "sphone": _student_phone,
    "semail": _student_email,
    "password": _password,
    "username": _username,
    "spamlink": _spam_link,
    "place_placed": ("1st", "2nd", "3rd", "first", "second", "third", "top 5", "top 10"),
    "level": ("state", "regionals", "district", "nationals", "area", "the state contest"),
    "comp_level": ("state", "regional", "district", "national", "area"),
    "bond_amount": ("$18.4 million", "$38.5 million", "$12 million", "$54.2M", "$27 million",
                    "$9.6M", "$41 million"),
    "bus_no": _num(2, 41),
    "hwy": ("Hwy 64", "US-281", "Hwy 58", "SH-45", "Hwy 412", "Oakwood Rd", "County Line Rd",
            "14th Street", "Hwy 60"),
    "book": ("three titles", "two novels", "four books", "five titles", "several library books",
             "a graphic novel", "one title"),
    "month": MONTHS,
    "opp_town": TOWNS,
    "relative": ("daughter", "son", "granddaughter", "grandson", "kids", "niece", "nephew",
                 "stepson", "twins", "oldest", "youngest"),
}


# --------------------------------------------------------------------------------------------
# Voice
# --------------------------------------------------------------------------------------------

_ABBREV = (
    (" you ", " u "), (" your ", " ur "), (" are ", " r "), ("tomorrow", "tmrw"),
    ("please", "pls"), (" because ", " bc "), ("right now", "rn"), (" to be honest", " tbh"),
    (" with ", " w/ "), ("going to", "gonna"), ("want to", "wanna"), ("thanks", "thx"),
)


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return text
    i = pick(rng, candidates)
    w = words[i]
    j = rng.randint(1, len(w) - 2)
    mode = rng.random()
    if mode < 0.4:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif mode < 0.7:
        w = w[:j] + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def voice(rng: random.Random, text: str, v: Voice, hashtags: Sequence[str] = (),
          emoji: Sequence[str] = TOPIC_EMOJI) -> str:
    """Apply a writer's habits to ``text``."""
    r = rng.random
    if v.abbrev and r() < v.abbrev:
        padded = f" {text} "
        for a, b in _ABBREV:
            if a in padded and r() < 0.6:
                padded = padded.replace(a, b)
        text = padded.strip()
    if v.typo and r() < v.typo:
        text = _typo(rng, text)
    if v.shout and r() < v.shout:
        text = text.upper()
    elif v.lower and r() < v.lower:
        text = text.lower()
        if r() < 0.5:
            text = text.rstrip(".")
    if v.emoji and r() < v.emoji and emoji:
        e = pick(rng, emoji)
        text = f"{text} {e}{e if r() < 0.2 else ''}"
    if v.hashtags and hashtags and r() < v.hashtags:
        k = 1 if r() < 0.6 else 2
        tags = []
        for _ in range(k):
            t = pick(rng, hashtags)
            if t not in tags:
                tags.append(t)
        text = f"{text} {' '.join(tags)}"
    return text


# --------------------------------------------------------------------------------------------
# Official accounts (district and schools)
# --------------------------------------------------------------------------------------------

OFFICIAL_TOPICS: dict[str, tuple[str, ...]] = {
    "event": (
        "Join us for {event} on {day}, {date} at {time} in {place}. Everyone is welcome!",
        "{event} is this {day}! Doors open at {time}. We can't wait to see you there.",
        "Save the date: {event} at {school} is {date}, {time}. More info: {url}",
        "Reminder: {event} tonight at {time}. Park in the {lot} lot and enter through the {door} doors.",
        "Families, {event} is coming up {day}. Childcare will be provided in {place}.",
        "Don't miss {event} at {school} — {day} at {time}. Bring a friend!",
        "Thank you to everyone who came out for {event} last night. What a turnout!",
        "{event} RSVP form is live: {formlink}",
        "Tonight! {event}, {time}, {place}. Free admission and snacks from our {program} students.",
    ),
    "achievement": (
        "Congratulations to our {org} members who placed {place_placed} at {level}! So proud of these {mascot}.",
        "Huge congrats to {student_full} for earning {place_placed} place in {program} at the {org} {comp_level} competition!",
        "{count} of our {program} students passed their industry certification this week. Way to go!",
        "Our {org} chapter is headed to {level}! Good luck to all {count} qualifiers.",
        "Shoutout to {student_full}, our {month} Student of the Month! Thank you for leading by example.",
        "{school} {program} students earned {count} certifications this semester. Career ready!",
        "Please join us in congratulating {student_full} on signing with {college}! {emo}",
        "Our Academic Team went {wins}-{losses} at the {opp_town} tournament and brought home the trophy.",
        "Congrats to our {sport} team on a big win over {opp_town}, {score}! {hashtag}",
        "The {school} {program} team took {place_placed} at {level}. Hard work pays off!",
    ),
    "athletics": (
        "FINAL: {mascot} {score} over {opp_town}. Great effort tonight!",
        "{sport} schedule change: {day}'s game vs {opp_town} moves to {time}.",
        "Senior Night for {sport} is {day}! Come honor our seniors at {time}.",
        "Tickets for the {sport} playoff game are available online only: {url}",
        "Good luck to our {sport} team at {level} this weekend! Let's go {mascot}!",
        "The {mascot} are going to state! Send-off is {day} at {time} in front of the school.",
        "Our {sport} girls are going to kill it at regionals this weekend. Let's pack the stands!",
        "That's a W! {mascot} {sport} wins it at home {score}.",
    ),
    "operations": (
        "Due to icy roads, all {district_short} schools will be closed {day}. Stay safe!",
        "Reminder: {day} is an early release day. Dismissal at {time}.",
        "Bus route {bus_no} will run about 15 minutes late this afternoon due to road construction on {hwy}.",
        "State testing begins {day}. Please make sure students get plenty of rest and eat breakfast.",
        "Spring break is {date} through {date}. Classes resume {day}.",
        "The lunch menu for next week is posted: {url}",
        "Parent portal will be down for maintenance {day} evening from 8 to 11 pm.",
        "Summer enrollment for {program} is open! Apply by {date}: {url}",
        "Our offices will be closed {day} for the holiday. Enjoy the long weekend!",
        "Kindergarten and Pre-K enrollment is now open. Bring a birth certificate, shot records and proof of residency.",
        "Yearbooks are on sale through {date}. Order online at {url}",
        "Picture retake day is {day}. Forms are in the front office.",
        "Tornado drill today at {time}. This is only a drill.",
        "Graduation tickets will be handed out {day} in {place}. Each senior receives 8 tickets.",
        "We're hiring! {school} has openings for bus drivers, paraprofessionals and a {program} instructor. Apply: {url}",
    ),
    "community": (
        "Thank you to {business} for donating {count} new calculators to our {grade_level} grade classes!",
        "Our food drive collected {n100} cans for the {town} Food Pantry. Thank you, {mascot} families!",
        "Big thanks to our volunteers who helped with {event}. We couldn't do it without you.",
        "The {town} Rotary Club visited our {program} classroom today. Thank you for supporting our students.",
        "Teacher Appreciation Week starts {day}! Tell us about a teacher who made a difference for you.",
        "We are grateful to {business} for sponsoring our {sport} team this season.",
        "Our {program} students served lunch to {count} local veterans today. Thank you for your service.",
    ),
    "staff": (
        "Please welcome {adult}, our new principal at {school}!",
        "Congratulations to {title_last}, {district_short} Teacher of the Year!",
        "After 31 years, {title_last} is retiring. Join us {day} at {time} in {place} to celebrate.",
        "Meet our new {program} instructor, {adult}! Stop by and say hello.",
        "Staff spotlight: {title_last} has been with {school} for {count} years. Thank you!",
    ),
    "photos": (
        "Snapshots from {event}! 📸",
        "A few photos from {event} at {school}.",
        "Our {program} students hard at work this week.",
        "{grade_level} graders had a blast at {event}!",
        "Field trip day! Our {grade_level} graders visited {museum}.",
        "What a week in {program}! Photos from the shop.",
        "Hands-on learning in {program} today.",
        "Our {org} officers at the leadership conference.",
        "Picture day smiles from {school}.",
        "Photo shoot for the new {program} brochure today — our students looked so professional!",
    ),
}

CONTROVERSIAL_TOPICS: dict[str, tuple[str, ...]] = {
    "bond_election": (
        "The {district} {bond_amount} bond proposition is on the ballot {day}, {date}. Projects include a new {program} building, roof repairs and safety upgrades. Learn more: {url}",
        "Bond election FAQ: if approved, the bond would not raise the current tax rate. See the full project list and community forum schedule at {url}",
        "Community forum on the proposed bond: {day} at {time} in {place}. Bring your questions.",
        "Early voting for the school bond election is {day} and {day} at the county election board.",
    ),
    "bus_accident": (
        "This afternoon, Bus {bus_no} was involved in an accident on {hwy}. All students were checked by EMS and released to parents. We are grateful no one was seriously hurt.",
        "Update on this morning's bus accident on {hwy}: the driver has been placed on leave while the Highway Patrol investigates. Counselors are available at {school} tomorrow.",
        "We are aware of a minor accident involving Bus {bus_no}. Parents of students on that route have been contacted directly.",
    ),
    "discipline_incident": (
        "We are aware of a video circulating on social media showing a fight at {school} today. The incident was handled by administration according to our student code of conduct.",
        "Statement regarding yesterday's incident at {school}: student safety is our top priority. Because this involves students, we cannot share details.",
        "Additional officers will be on campus at {school} this week following Friday's altercation in the parking lot.",
    ),
    "book_removal": (
        "At last night's meeting the Board voted 4-1 to remove {book} from school libraries pending review under policy 5.12.",
        "The library materials review committee will meet {day} at {time}. The list of titles under review is posted at {url}",
        "Statement on the library book review process: parents may request an alternative reading assignment for any class text.",
    ),
    "phone_ban": (
        "Starting next semester, student cell phones must stay in pouches during the school day at all {district_short} secondary schools.",
        "The Board approved the new bell-to-bell cell phone policy. FAQ for families: {url}",
    ),
    "four_day_week": (
        "The Board is considering a four-day school week for next year. Take the family survey by {date}: {formlink}",
        "Four-day week public hearing: {day} at {time} in {place}.",
    ),
    "budget_cuts": (
        "Due to a projected $1.2M shortfall, the Board will consider reductions to staff and programs at {day}'s meeting.",
        "Budget update: {count} positions will not be refilled next year. No current employees will lose their jobs.",
    ),
    "school_closure": (
        "The Board will hear a proposal to consolidate {school} with a neighboring campus next year. Public comment is welcome at {day}'s meeting.",
    ),
    "threat_rumor": (
        "Police investigated a social media post threatening {school} overnight. It was determined not credible. Classes will continue as normal with extra officers on campus.",
        "We are aware of rumors about a threat at {school}. Please do not share unverified posts; report concerns to the SAFE tip line.",
    ),
}

# Benign posts that share vocabulary with controversial ones (hard negatives for the thread label).
DECOY_CONTROVERSIAL = (
    "James Bond theme night at the {school} prom! Tickets on sale {day}.",
    "Bus driver appreciation day! Thank you to our amazing drivers who get {count} kids to school safely every morning. 🚌",
    "The Book Fair is open all week in {place}! Come find your next favorite read.",
    "Our Library Club is reading banned-books-week classics and writing reviews for the school paper.",
    "Bond Street Bakery is donating cookies for {event}. Thank you!",
    "Fire drill and lockdown drill practice today. Thank you students for taking it seriously.",
    "Reminder: cell phones are welcome at {event} — take lots of pictures and tag us!",
)

CONTROVERSIAL_REPLIES: dict[str, tuple[str, ...]] = {
    "bond_election": (
        "@{to} thanks for asking. The bond does not increase the tax rate; it extends the existing one. The full project list is at {url}",
        "@{to} the roof projects are at {school} and the early childhood center. Details on page 3 of the FAQ.",
        "@{to} we understand the concern. Please join us {day} at {time} for the community forum.",
        "@{to} state law does not allow us to tell anyone how to vote. We can only share the facts about the proposal.",
    ),
    "bus_accident": (
        "@{to} all students on the bus were evaluated at the scene and released to their families.",
        "@{to} the investigation is ongoing and the driver is on leave until it is complete.",
        "@{to} thank you for your patience. Parents on that route were called directly this afternoon.",
    ),
    "discipline_incident": (
        "@{to} we cannot discuss individual students, but the incident was addressed under the code of conduct.",
        "@{to} thank you for reaching out. Please call the principal's office at {office_phone} so we can talk.",
        "@{to} extra staff are supervising the parking lot before and after school this week.",
    ),
    "book_removal": (
        "@{to} the review committee includes parents, teachers and a librarian. Meetings are open to the public.",
        "@{to} the titles remain available through the public library. The list is at {url}",
        "@{to} you can request reconsideration of any material using the form on our website.",
    ),
    "phone_ban": (
        "@{to} parents can still reach students through the front office at {office_phone}.",
        "@{to} pouches will be unlocked at lunch and at dismissal.",
    ),
    "four_day_week": (
        "@{to} childcare options on Mondays are part of the survey — please tell us what you need.",
        "@{to} no decision has been made. The Board will vote in {month}.",
    ),
    "budget_cuts": (
        "@{to} positions are being reduced through retirements and resignations, not layoffs.",
        "@{to} the full budget presentation is posted at {url}",
    ),
    "school_closure": (
        "@{to} no decision has been made and the Board wants to hear from families first.",
    ),
    "threat_rumor": (
        "@{to} police confirmed the post was not credible. Please report anything you see to the tip line.",
        "@{to} yes, school is open tomorrow with additional officers on campus.",
    ),
}

OFFICIAL_ANSWERS = (
    "@{to} doors open at {time} in {place}.",
    "@{to} yes! It's open to all grade levels.",
    "@{to} great question. Please call the front office at {office_phone} and they can help.",
    "@{to} you can email {office_email} and someone will get back to you.",
    "@{to} thank you! We're proud of them too.",
    "@{to} it will be livestreamed on our YouTube channel.",
    "@{to} the deadline is {date}. Applications are at {url}",
    "@{to} we'll share more photos later this week!",
    "@{to} parking is available in the north lot and by the stadium.",
    "@{to} thanks for letting us know, we've passed this along to the transportation office.",
    "@{to} our enrollment office is at {office_address}, open 8 to 4:30 weekdays.",
    "@{to} send us a message and we'll connect you with the right person.",
    "@{to} yes, there will be a make-up day. Details coming soon.",
    "@{to} 💙 thank you for the kind words!",
    "@{to} the {program} information session is {day} at {time}.",
)

# Questions from the public and the answers staff give (hard negatives: public contact details).
QA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What time does it start?", ("@{to} doors open at {time} in {place}.", "@{to} it starts at {time}!")),
    ("Is this open to 8th graders?", ("@{to} yes! It's open to all grade levels.",)),
    ("Will there be a livestream?", ("@{to} it will be livestreamed on our YouTube channel.",
                                     "@{to} yes, the link will be posted at {url}")),
    ("Where do we park?", ("@{to} parking is available in the north lot and by the stadium.",)),
    ("Is there a cost?", ("@{to} it's free for families!", "@{to} admission is {money}, students free with ID.")),
    ("Can parents attend?", ("@{to} absolutely, families are welcome!",)),
    ("How do I sign my {relative} up?", ("@{to} applications are at {url}",
                                         "@{to} great question. Please call the front office at {office_phone} and they can help.")),
    ("Is the deadline extended?", ("@{to} the deadline is {date}. Applications are at {url}",)),
    ("Will you post the photos?", ("@{to} we'll share more photos later this week!",)),
    ("Is this for all campuses or just {school}?", ("@{to} all campuses are invited!",)),
    ("Will buses run on the late schedule?", ("@{to} yes, buses will run two hours late.",
                                              "@{to} thanks for asking, we've passed this along to the transportation office.")),
    ("Who do I contact about transportation?", ("@{to} you can email {office_email} and someone will get back to you.",
                                                "@{to} call the transportation office at {office_phone}.")),
    ("Is there an application for adults too?", ("@{to} yes! Our enrollment office is at {office_address}, open 8 to 4:30 weekdays.",)),
    ("Any update on the schedule for {day}?", ("@{to} no changes yet, we'll post here if anything changes.",)),
    ("Is there a make up day for this?", ("@{to} yes, there will be a make-up day. Details coming soon.",)),
    ("Can we still order yearbooks?", ("@{to} yes, through {date} at {url}",)),
    ("Do students need to bring anything?", ("@{to} just a water bottle and a good attitude!",)),
    ("Where is the enrollment office?", ("@{to} our enrollment office is at {office_address}, open 8 to 4:30 weekdays.",)),
    ("Who do I talk to about the {program} program?", ("@{to} the {program} information session is {day} at {time}.",
                                                       "@{to} send us a message and we'll connect you with the right person.")),
    ("Is the front office open over break?", ("@{to} the office is closed over break but you can leave a message at {office_phone}.",)),
)
THANKS = (
    "@{to} thank you! We're proud of them too.", "@{to} 💙 thank you for the kind words!",
    "@{to} thanks for being part of the {mascot} family!", "@{to} we agree! Thanks for the support.",
)


# Replies by staff that disclose a student's confidential information.
CONFIDENTIAL_REPLIES: dict[str, tuple[str, ...]] = {
    "grades": (
        "@{to} {sfirst} currently has a {pct}% in {subject}. There are {n2} missing assignments, so please have {pron} check Google Classroom.",
        "@{to} Hi! {sfirst}'s grade dropped to a {pct} after the unit test. {cap_pron} can retake it Thursday.",
        "@{to} {sfirst} is failing {subject} right now ({pct}%). Let's set up a conference.",
        "@{to} just so you know, {sfirst} got a {pct} on the midterm and is not eligible for Friday's game.",
    ),
    "student_id": (
        "@{to} I looked it up: {sfirst}'s student ID is {sid}. Use that to log into the lunch account.",
        "@{to} student number for {sfirst} is {sid} if the office asks.",
    ),
    "health": (
        "@{to} {sfirst} had another seizure in class today and the nurse sent {pron} home. Hope {pron} feels better!",
        "@{to} {sfirst} needs to bring {poss} inhaler back to the nurse, {poss} asthma was bad at practice.",
        "@{to} since {sfirst} has an IEP for ADHD, {pron} gets extra time on the test.",
        "@{to} {sfirst}'s counselor says {pron} is doing better since starting the anxiety medication.",
    ),
    "discipline": (
        "@{to} {sfirst} has been suspended until Monday for the fight, so {pron} won't be at the game.",
        "@{to} {sfirst} has after-school detention all week for vaping in the bathroom.",
        "@{to} {sfirst} is on the ineligible list after the incident on the bus.",
    ),
    "address": (
        "@{to} the bus will pick {sfirst} up at {street} starting Monday.",
        "@{to} can someone drop off {sfirst}'s backpack at {street}? {cap_pron} left it in the gym.",
    ),
    "contact": (
        "@{to} you can reach {sfirst} directly at {sphone} about the carpool.",
        "@{to} {sfirst}'s email is {semail}, send the project files there.",
    ),
    "dob": (
        "@{to} {sfirst} (DOB {dob}) is registered for the {program} exam on {date}.",
    ),
    "credentials": (
        "@{to} {sfirst}'s Chromebook login is {username} and the temporary password is {password}",
        "@{to} here's the Canvas login for {sfirst}: username {username} / pw {password}",
    ),
}

# Staff posts (not replies) that disclose confidential information.
CONFIDENTIAL_POSTS: dict[str, tuple[str, ...]] = {
    "grades": (
        "Shoutout to everyone who passed the {subject} test! {student_full} and {student_full}, you got a {pct} — come see me at lunch for retakes.",
        "Posting the {subject} missing-work list so parents can see it: {student_full} ({pct}%), {student_full} ({pct}%).",
        "Still waiting on 3 projects. {student_full}, you're sitting at a {pct}% until I get yours!",
        "Congrats to {student_full} for bringing a {pct} up to a B this quarter! Hard work pays off 💪",
    ),
    "student_id": (
        "Lost and found: a wallet with a student ID card for {student_full}, ID #{sid}. Pick up in the office.",
        "{student_full}, your lunch account number is your student ID {sid} — the cafeteria says you have a negative balance.",
        "Testing tickets are ready. {student_full} (ID {sid}), you are in Room 114 on {day}.",
    ),
    "health": (
        "Please keep {student_full} in your thoughts — {pron} is at Children's Hospital after a diabetic emergency at practice.",
        "Get well soon {student_full}! We heard the surgery on {poss} heart went well 💙",
        "Reminder to my {period} hour: {student_full} has a severe peanut allergy, so no nut snacks in class please.",
        "{student_full} is out for the rest of the month for mental health treatment. Please send cards to the office!",
    ),
    "discipline": (
        "To clear up rumors: {student_full} and {student_full} were both suspended for the fight in the commons.",
        "{student_full} won't be at the tournament this weekend because of {poss} suspension. Next man up!",
        "Congrats to the team on the win even without {student_full}, who was benched for the vaping incident.",
    ),
    "address": (
        "Found a pair of glasses on {street}, pretty sure they belong to {student_full} who lives there. Will bring them to school!",
        "Carpool for the {org} trip: pickup at {student_full}'s house, {street}, at 6 am sharp.",
        "Team dinner tonight at {student_full}'s house — {street}. Thanks to the family for hosting!",
    ),
    "dob": (
        "Happy birthday to {student_full}, who turns 13 today! (Born {dob}) 🎂",
        "Certification roster: {student_full}, DOB {dob}; {student_full}, DOB {dob}. Please double-check spelling.",
    ),
    "contact": (
        "Group project contacts: {student_full} {sphone}, {student_full} {semail}. Get together before {day}!",
        "If anyone finds {student_full}'s phone please call {poss} mom at {sphone}.",
    ),
    "credentials": (
        "Subs: the class Chromebook login is {username} / {password}. {student_full}'s account also works.",
        "{student_full}, I reset your Canvas password to {password} — please change it when you log in.",
    ),
}
# Staff posts and replies that look sensitive but disclose nothing confidential.
PUBLIC_CONTACT = (
    "Questions about enrollment? Call {office_phone} or email {office_email}.",
    "The {school} front office is at {office_address} and open 7:30 to 4 on school days.",
    "Transcript requests: email {office_email}. Please allow 3 business days.",
    "Our counseling office can help with FAFSA: {office_phone}.",
    "Congratulations to our honor roll students! The full list is posted in the front hallway.",
    "Student IDs are required to ride the bus starting {day}. Lost IDs can be replaced in the office for $5.",
    "Reminder: report absences to the attendance line, {office_phone}, by 9 am.",
    "The school nurse will hold free vision screenings for all {grade_level} graders {day}.",
    "Seniors: your graduation cap and gown order must be in by {date}.",
)


# --------------------------------------------------------------------------------------------
# Teacher pages
# --------------------------------------------------------------------------------------------

TEACHER_SCHOOL = (
    "Today in {subject} we {activity}. Ask your student about it tonight!",
    "Reminder: the {assignment} is due {day}. Late work accepted until {day} with a penalty.",
    "Study guide for the unit {n2} test is posted in Google Classroom. Test is {day}!",
    "Our {grade_level} graders {activity} today and did an amazing job.",
    "Field trip permission slips for our visit to {museum} are due {day}. Cost is {money}.",
    "Thank you to {adult} for visiting our {subject} class to talk about careers in {program}!",
    "We need donations of {supplies} for our next project. Anything helps!",
    "Parent conferences are {day} and {day}. Sign up for a time here: {formlink}",
    "Tutoring is available Tuesdays and Thursdays after school in Room {n100}.",
    "{period} hour presented their {project} today. So many creative ideas!",
    "No homework this weekend — enjoy the sunshine! Test on {day}.",
    "The {org} bake sale is {day} during lunch. All proceeds go to our trip to {level}!",
    "Our class earned a pizza party for {achievement}. Way to go team!",
    "Welding students: safety glasses and boots are required in the shop starting {day}. No exceptions.",
    "Our {program} students passed their mid-term skills check. {count} out of {count2} on the first try!",
    "Book orders are due {day}. Use our class code on the Scholastic site.",
    "{subject} quiz retakes are during advisory on {day}.",
    "Check out the {project} our students built this week!",
    "Guest reader {day}! Parents, sign up if you'd like to read to the class.",
    "Our science fair projects are on display in {place} through {day}.",
    "{org} officer elections are {day}. Candidates, turn in your speeches by {day}.",
    "Spring concert rehearsal runs until {time} on {day}. Please arrange rides.",
    "Report cards go home {day}. Let me know if you have questions about the {subject} grade breakdown.",
    "Good luck to our {org} competitors at {level} this weekend! Go {mascot}!",
    "Lab day! We {activity} and nobody set anything on fire. 😅",
    "Testing week tip: a good breakfast and a full night's sleep make a real difference.",
    "Our clinical rotation at {hospital} starts {day}. Scrubs and badges required.",
    "Cosmetology clinic is open to the public {day} and {day}, {time}. Haircuts {money}!",
    "We're collecting box tops and pop tabs for the {org} service project.",
)
TEACHER_SCHOOL_PERSONAL = (
    "Y'all. My {period} hour. I can't even. They absolutely crushed their {project} today 😭💙",
    "Not me tearing up at the {event} because my kids are growing up too fast. Proud teacher moment.",
    "Coffee count today: 3. {period} hour {project} presentations: 10/10. Worth it. ☕",
    "I have the best job in the world. {grade_level} grade just surprised me with a birthday card signed by the whole class 🥹",
    "Teacher life: stayed until 7 grading {subject} essays and honestly they were SO good this time.",
    "My {sport} girls are going to kill it tomorrow. Bus leaves at 6:15, don't be late!!",
    "Dressed up as a {costume} for {event} and my students will never let me live it down 😂",
    "Shooting some photos for the yearbook at practice today — look for yourselves in May!",
    "It's been a long week, but watching my students {activity} made every minute worth it.",
    "Our class pet {pet_name} the bearded dragon says good luck on your test tomorrow 🦎",
)
TEACHER_NON_SCHOOL: dict[str, tuple[str, ...]] = {
    "personal_life": (
        "Date night with the hubby 🍝 Finally tried that new Italian place in {town}!",
        "Happy 6th birthday to my baby girl! How are you already in kindergarten?! 🎂",
        "Lake weekend with the fam. No phones, no grading, just sunshine. 🌞",
        "Can't believe we finally closed on the house!! Painting starts Saturday if anyone wants to help lol",
        "Our pup {pet_name} turned 3 today. Spoiled rotten and proud of it 🐶",
        "Anniversary trip to Branson this weekend. 15 years with my best friend ❤️",
        "Rough night. Sending prayers up for my mom's surgery tomorrow 🙏",
        "Garden update: the tomatoes are finally coming in 🍅",
        "Ran my first half marathon this morning!! Legs are jelly.",
        "Cruise countdown: 12 days!! 🛳️",
        "My husband made brisket and I'm not sharing the leftovers with anyone.",
        "Sunday football and chili. Perfect day.",
        "Family pictures came back and I'm obsessed 😍",
    ),
    "politics": (
        "Call your state senator TODAY and tell them to vote NO on SB {n100}. This affects every family in Oklahoma.",
        "Proud to support {adult} for State House District {n10}! Early voting starts {day}. 🇺🇸",
        "I don't care who you voted for, the governor's new budget is a disaster for working families.",
        "If you're still supporting that candidate after this week, unfollow me. I mean it.",
        "Sign the petition to put the repeal on the November ballot: {shortlink}",
        "Yard signs for {adult}'s campaign are in my garage, message me if you want one!",
        "The way Washington is handling this is embarrassing. Write your congressman.",
        "Rally at the Capitol on {day}. Who's carpooling from {town}?",
    ),
    "selling": (
        "My fall Scentsy catalog is out! DM me to order or host a party 🕯️",
        "Selling my 2016 Tahoe, 142k miles, new tires, $14,500 OBO. Message me!",
        "Restocked my Etsy shop with new teacher-themed tumblers! Use code SPRING15 for 15% off: {shortlink}",
        "Color Street sale ends tonight! Buy 3 get 1 free 💅 Link in bio.",
        "Garage sale Saturday 7-noon at my place. Baby clothes, furniture, a treadmill.",
        "I've lost 22 pounds with this new shake program and I'm looking for 5 people to join my team!",
        "Taking orders for custom cookies for Mother's Day. $30/dozen, DM me!",
        "Side hustle alert: I'm now a licensed realtor! Call me for all your home buying needs.",
        "Puppies ready for their forever homes May 1st, {money}00 each. Serious inquiries only.",
        "Tupperware party at my house Thursday! Come for the wine, stay for the containers 😂",
    ),
    "religion": (
        "Come worship with us Sunday at First Baptist of {town}! Service at 10:45.",
        "VBS registration at our church is open! Link: {shortlink}",
        "So blessed by this morning's sermon. God is good all the time. 🙏",
    ),
    "fandom": (
        "THUNDER UP!!! What a game last night ⚡️🏀",
        "Boomer Sooner! Who's watching the spring game Saturday?",
        "Go Pokes! 🤠 Bedlam is the best week of the year.",
        "Chiefs in the Super Bowl again and I'm not even mad about it.",
    ),
    "personal_rant": (
        "To the person who took my parking spot at Walmart: karma is real.",
        "Why does my internet company hate me. 4 hours on hold.",
        "Whoever decided daylight saving time was a good idea owes me an hour of sleep.",
    ),
}
# Non-school posts that mention school (hard positives for teacher_page_non_school).
TEACHER_NON_SCHOOL_SCHOOLY = (
    ("selling", "Grading papers all weekend so I treated myself 😅 My Color Street sale ends tonight — teachers get an extra 10% off! DM me."),
    ("selling", "Fellow teachers: I'm selling my classroom rug and my old laminator. Porch pickup in {town}, {money}."),
    ("politics", "As a teacher, I'm telling you: vote against Superintendent {alast} in the state primary. Share this."),
    ("personal_life", "Summer break countdown: 31 days. Then it's just me, a hammock and zero lesson plans 🌴"),
    ("selling", "Back-to-school shopping? My Amazon storefront has all my favorite teacher finds: {shortlink}"),
    ("personal_life", "Finally done with my master's degree!!! Thank you to my family for putting up with me."),
)
# School posts with words that look personal or commercial (hard negatives).
TEACHER_SCHOOL_DECOYS = (
    "Band fundraiser: cookie dough orders are due {day}! $15 a tub, all proceeds to the spring trip.",
    "OU vs OSU spirit day Friday — wear your team colors to school! 🏈",
    "Election day Tuesday: our gym is a polling place, so there's no school for students.",
    "Our FFA chapter is selling flowers for Mother's Day. Order forms in the ag office!",
    "Thank you to the {town} First Baptist youth group for donating school supplies to our classroom!",
    "Proud mom AND proud teacher moment: my {period} hour and my own kid were both on the honor roll 😭",
    "Our culinary students are selling cinnamon rolls {day} morning. $3 each, supporting our trip to state.",
)
ACTIVITIES = (
    "dissected owl pellets", "built catapults", "practiced MIG welding on T-joints",
    "wrote haiku about spring", "ran our first mock trial", "launched bottle rockets",
    "tested water samples from the creek", "practiced blood pressure checks",
    "made homemade butter", "learned about the Land Run", "coded robots to solve a maze",
    "did a gallery walk of our posters", "designed business logos", "rebuilt a small engine",
    "measured the playground with trundle wheels", "practiced CPR on mannequins",
    "read Hatchet aloud", "made slime (don't ask)", "graphed real weather data",
    "debated school uniforms", "planted tomato seedlings", "did a STEM bridge challenge",
    "practiced updos on mannequin heads", "wired three-way switches",
)
ASSIGNMENTS = ("lab report", "book project", "research paper", "portfolio", "science fair board",
               "reading log", "essay", "shop safety test", "poster", "vocab quiz",
               "skills checklist", "chapter 7 review")
PROJECTS = ("bridge designs", "Shark Tank pitches", "history fair boards", "welding coupons",
            "career portfolios", "podcast episodes", "robot builds", "poetry slams",
            "mock interviews", "3D printed prototypes", "business plans", "engine teardowns")
SUPPLIES = ("paper towel rolls", "egg cartons", "tissues", "glue sticks", "AAA batteries",
            "old magazines", "clean baby food jars", "zip-top bags", "dry erase markers")
MUSEUMS = ("Science Museum Oklahoma", "Oklahoma History Center", "the zoo", "the state capitol",
           "the Cherokee Strip museum", "Gilcrease Museum", "the county courthouse",
           "the Great Salt Plains", "Philbrook", "the aquarium")
HOSPITALS = ("Integris Bass", "St. Mary's Regional", "Share Medical Center",
             "Alliance Health", "the county hospital")
BUSINESSES = ("Chisholm Trail Bank", "Sooner Ford", "Main Street Pharmacy", "the Farmers Co-op",
              "Bluestem Electric", "Pizza Hut of {town}", "the {town} Lions Club",
              "Walmart of {town}", "Prairie Home Realty", "Red Dirt Coffee")
COLLEGES = ("Northwestern Oklahoma State", "OSU", "OU", "NOC Enid", "Southwestern",
            "Rogers State", "UCO", "Seminole State", "Oklahoma Christian", "Tulsa Community College")
COSTUMES = ("hot dog", "dinosaur", "Ms. Frizzle", "Albert Einstein", "a crayon", "a minion")
PET_NAMES = ("Biscuit", "Moose", "Ziggy", "Pickles", "Rosie", "Tank", "Peanut", "Daisy")
LOTS = ("east", "west", "north", "south", "stadium")
DOORS = ("main", "gym", "north", "cafeteria", "east")


# --------------------------------------------------------------------------------------------
# Public comments
# --------------------------------------------------------------------------------------------

PRAISE = (
    "So proud of these kids!", "Congrats {sfirst}!!", "Way to go {mascot}!",
    "Thank you {title_last} for all you do", "This is awesome", "Great job everyone!",
    "Love seeing this 💙", "Proud to be a {mascot} parent", "Amazing! Keep it up",
    "What a great group of students", "Congratulations!! Well deserved",
    "Thank you for sharing the pictures!", "My {relative} loved this", "Best school in the state",
    "Go {mascot}!!!", "So fun!", "That's my {relative}! 😍", "Outstanding work",
    "Thank you to the teachers who make this happen", "Wish I'd had this when I was in school",
    "Love love love", "These kids are going places", "Congrats to all the winners!",
    "{sfirst} had so much fun, thank you!", "Beautiful pictures", "Yay!!",
    "Thank you {district_short} for keeping us informed", "Proud grandma here!",
    "Such a great program", "Great turnout last night", "👏👏👏",
)
QUESTIONS = (
    "What time does it start?", "Is this open to 8th graders?", "Will there be a livestream?",
    "Where do we park?", "Is there a cost?", "Can parents attend?",
    "How do I sign my {relative} up?", "Is the deadline extended?", "Will you post the photos?",
    "Do seniors need to be there early?", "Is this for all campuses or just {school}?",
    "Will buses run on the late schedule?", "Who do I contact about transportation?",
    "Is there an application for adults too?", "Are tickets cash only?",
    "Any update on the schedule for {day}?", "Is breakfast still served on early release days?",
    "Can we still order yearbooks?", "How many tickets does each family get?",
    "Do students need to bring anything?", "Is there a make up day for this?",
)
CHATTER = (
    "@{friend} look!", "Brings back memories, class of '{yy}", "Wish I could be there",
    "@{friend} we should go", "Tagging @{friend}", "Saw this on the news!",
    "We'll be there", "Can't wait!", "Shared!", "Same time as last year?",
    "My {relative} talks about this class every day", "Good to know, thanks",
    "Following for updates", "Miss those days!", "Is that {title_last}? Haven't seen her in years!",
)
CRITICAL_GENERAL = (
    "Maybe focus on getting the buses on time before posting pictures.",
    "Communication from this district has been terrible all year.",
    "Why did we find out about this on Facebook instead of from the school?",
    "The lunch portions are a joke. My {relative} comes home starving every day.",
    "The parent portal has been broken for weeks. Fix it.",
    "Respectfully, the pickup line is a disaster and nobody seems to care.",
    "My {relative} has had a substitute in {subject} since January. Unacceptable.",
    "Great pictures but the AC in the {grade_level} grade hall has been out for two weeks.",
    "Why is the superintendent getting a raise when teachers can't get supplies?",
    "I emailed the principal three times and never got a response.",
    "This is a PR post. Meanwhile the bathrooms at {school} are still broken.",
    "How about some transparency on how the board spends our money?",
    "Honestly disappointed in how the administration handled this.",
    "This policy makes no sense and parents were never asked.",
    "The board keeps ignoring parents. We will remember at the next election.",
    "Pathetic response from leadership. Do better.",
    "THIS IS RIDICULOUS. Nobody answers the phone at the front office!!",
    "Heads should roll over how badly this was handled.",
    "I'm so tired of excuses from this administration.",
)
CRITICAL_BY_TOPIC: dict[str, tuple[str, ...]] = {
    "bond_election": (
        "Vote NO. This bond is a waste of taxpayer money.",
        "Another bond? What happened to the money from the last one?",
        "The district should fix what it has before asking for more.",
        "I'm voting no until they publish a real budget.",
        "Property taxes are already too high in this county. No on the bond.",
        "Why is a new stadium in this bond when the roofs leak?",
        "Not one dime more until the board answers for the last bond.",
        "Retirees on fixed incomes can't keep paying for these bonds.",
        "The 'no tax increase' line is misleading and you know it.",
        "Where is the independent audit of the 2019 bond projects?",
    ),
    "bus_accident": (
        "Why was that driver still behind the wheel after the last complaint?",
        "Parents found out from other parents, not the school. That's unacceptable.",
        "Was the driver drug tested? We deserve answers.",
        "Our kids' safety should come first. These buses are falling apart.",
        "Thank God everyone is ok but the district owes us an explanation.",
        "My son said the bus was speeding again. This has been reported before.",
        "How old is that bus? Some of the fleet is from the 90s.",
        "Two hours before anyone called us. Two hours.",
    ),
    "discipline_incident": (
        "This happens every week and the administration does nothing.",
        "Kids are afraid to go to school. Where was the staff?",
        "Zero tolerance means nothing if nobody enforces it.",
        "Saying 'we can't share details' is a cop-out.",
        "My {relative} was in the hallway and nobody called us.",
        "The same kids keep doing this and keep coming back.",
        "Where were the teachers on duty? This went on for minutes.",
        "A statement isn't a plan. What are you actually changing?",
    ),
    "book_removal": (
        "Removing books is censorship, plain and simple.",
        "Parents should decide what their own kids read, not the board.",
        "I'm glad the board finally acted. Those books don't belong in a school library.",
        "Who picked the review committee? It wasn't parents.",
        "Banning books never ends well. Shameful vote.",
        "Did any board member actually read these books?",
        "Librarians are professionals. Let them do their jobs.",
        "Why does one complaint get to decide for every family?",
    ),
    "phone_ban": (
        "What happens if there's an emergency and my kid can't call me?",
        "Pouches cost how much? That money should go to teachers.",
        "About time. Phones are ruining these kids.",
        "Nobody asked parents before deciding this.",
        "Lockdowns are exactly when kids need their phones.",
    ),
    "four_day_week": (
        "Working parents can't afford childcare on Mondays. Terrible idea.",
        "Four-day weeks hurt kids who depend on school meals.",
        "Teachers deserve this. Support the four-day week!",
        "Longer days are too much for the little ones.",
        "Show us the data from districts that already tried it.",
    ),
    "budget_cuts": (
        "Cut administration, not teachers.",
        "How many assistant superintendents do we really need?",
        "The board wasted money on consultants and now the kids pay for it.",
        "Funny how the cuts never touch central office.",
        "Class sizes are already 30+. Where exactly is this going to come from?",
        "Publish the full salary list for administrators, then talk about cuts.",
        "You found money for new turf last year.",
    ),
    "school_closure": (
        "Closing our neighborhood school will destroy this community.",
        "Our kids shouldn't have to ride a bus 40 minutes because of bad planning.",
        "You always close the schools on the poor side of town.",
        "Consolidation has never saved the money it promised.",
    ),
    "threat_rumor": (
        "Why did we hear about this from a Facebook rumor first?",
        "I kept my kids home. You need to tell parents sooner.",
        "Thank you for the update but this should have come out last night.",
        "'Not credible' is what they always say until it is.",
        "Parents should get a text the minute something like this happens.",
    ),
}
CRITICAL_OPENERS = ("", "", "", "Honestly, ", "As a parent of two, ", "Respectfully, ",
                    "Not trying to be negative but ", "I've lived here 30 years and ",
                    "Sorry but ", "With all due respect, ", "As a taxpayer, ", "Genuine question: ")
CRITICAL_CLOSERS = ("", "", "", " Do better.", " We deserve answers.", " Shameful.",
                    " #accountability", " Just my two cents.", " See you at the board meeting.",
                    " Parents are paying attention.", " This isn't hard.", " Unbelievable.")


def _critical(rng: random.Random, tpl: str) -> str:
    opener = pick(rng, CRITICAL_OPENERS)
    if opener and tpl[:1].isupper() and not tpl.startswith(("I ", "I'm", "I'd", "I've")):
        tpl = tpl[0].lower() + tpl[1:]
    return opener + tpl + pick(rng, CRITICAL_CLOSERS)


# Supportive, neutral or questioning comments in controversial threads (not critical).
CONTROVERSIAL_SUPPORT: dict[str, tuple[str, ...]] = {
    "bond_election": ("I'm voting yes! Our kids deserve safe buildings.", "Thank you for the FAQ, very helpful",
                      "When is early voting?", "Where do I find my polling place?", "Yes on the bond 💙",
                      "Is there a list of projects by school?", "Will the forum be recorded?"),
    "bus_accident": ("Praying for all the kids and the driver 🙏", "So glad everyone is ok",
                     "Thank you for the quick update", "Which route was it?", "Thank you to the first responders"),
    "discipline_incident": ("Thank you for addressing this quickly", "Praying for those kids",
                            "Glad the school is taking it seriously", "Will there be counselors available?",
                            "Thank you for the update"),
    "book_removal": ("Thank you to the board for listening to parents", "Where can I see the list of books?",
                     "When is the next committee meeting?", "Is the review process posted anywhere?"),
    "phone_ban": ("Finally! Great decision", "Will they be allowed at lunch?", "Teachers are going to love this",
                  "How do we reach our kids in an emergency?"),
    "four_day_week": ("Love this idea", "When will the survey results be shared?", "Just filled out the survey"),
    "budget_cuts": ("Thank you for being transparent", "Which programs are affected?", "Will the meeting be streamed?"),
    "school_closure": ("When is the meeting?", "Sad day for our community", "Where would the kids go?"),
    "threat_rumor": ("Thank you for letting us know", "Glad it wasn't credible", "Thank you police and staff 💙",
                     "Appreciate the quick communication"),
}
# Benign comments with violent or crude-sounding idioms (hard negatives).
HARD_NEGATIVES = (
    ("violent_idiom", "These girls are going to kill it at state! 🔥"),
    ("violent_idiom", "That photo shoot turned out amazing"),
    ("violent_idiom", "Our shooting guard is a beast, 24 points tonight"),
    ("violent_idiom", "You guys absolutely slayed the concert"),
    ("violent_idiom", "Murdered that test, {sfirst}!"),
    ("violent_idiom", "The welding class is on fire this year"),
    ("violent_idiom", "Bomb job on the spring musical!!"),
    ("violent_idiom", "I'd fight anyone who says this isn't the best school in the county 😂"),
    ("violent_idiom", "Shoot me a message about the booster club, I'd love to help"),
    ("violent_idiom", "Dying at the costumes 😂😂"),
    ("violent_idiom", "That defense was a killer tonight"),
    ("violent_idiom", "Y'all crushed it"),
    ("violent_idiom", "Target practice in hunter ed was the highlight of {sfirst}'s week"),
    ("crude_sounding", "Hell yeah, go {mascot}!"),
    ("crude_sounding", "Damn proud of my {relative} today"),
    ("crude_sounding", "Holy cow that's a lot of certifications"),
    ("crude_sounding", "Kick some butt at regionals!"),
    ("commercial_benign", "Is the booster club still selling t-shirts? I want one!"),
    ("commercial_benign", "Where can I buy tickets?"),
)
REMOVABLE: dict[str, tuple[str, ...]] = {
    "obscene_profane": (
        "This is fucking ridiculous",
        "What a load of bullshit",
        "Nobody gives a shit about your PR posts",
        "Y'all are full of sh*t and everybody knows it",
        "f*ck this district",
        "Stop posting this crap and fix the damn buses, assholes",
        "Send nudes lol",
        "Biggest bunch of dumbasses I've ever seen running a school",
        "what the fuck is wrong with these people",
        "kiss my ass {district_short}",
        "this is some grade A horseshit",
        "lmao these pics are ass",
    ),
    "threat_violence": (
        "Somebody should show up to that board meeting with a gun and see how fast they listen.",
        "If my kid gets hurt on that bus again I'm going to find the driver and make him pay. Watch your back.",
        "I know where the principal lives. Keep it up.",
        "Whoever made this decision better hope I don't see them in the parking lot.",
        "I'd burn that building down if I thought it would help.",
        "Keep ignoring us and see what happens on Monday.",
        "That teacher deserves a beating for what she said to my son.",
        "Don't be surprised when someone snaps and shoots up the place. You were warned.",
        "I'm coming up there tomorrow and somebody is getting hurt.",
        "Better lock your doors, {title_last}.",
    ),
    "harassment_abuse": (
        "{title_last} is a fat lazy cow who shouldn't be around kids.",
        "The superintendent is a worthless idiot and a liar.",
        "Everyone knows {title_last} is a drunk. Look at her.",
        "That coach is a pathetic loser who couldn't coach a t-ball team.",
        "Typical woman in charge, can't make a decision without crying.",
        "{title_last} is a creep. Keep your daughters away from him.",
        "The board members are a bunch of inbred hillbillies.",
        "Hey {sfirst} everyone at school knows you're a slut",
        "{sfirst} is the ugliest kid in that picture lol",
        "Imagine being as stupid as whoever runs this page",
    ),
    "spam_advertising": (
        "💰 Make $500/day working from home! DM me to learn how 💰",
        "Check out my page for cheap Ray-Bans 80% off {spamlink}",
        "I made $12,000 last month trading crypto with @{spam_handle}. Message her!",
        "Follow me for follow back 🔥🔥 {spamlink}",
        "Get 10k followers in 24 hours ➡️ {spamlink}",
        "FREE iPhone 17 giveaway!!! Click {spamlink} to claim",
        "Need a loan? Fast approval no credit check. WhatsApp +1 (405) 555-01{n10}",
        "Sexy singles in {town} are waiting for you {spamlink}",
        "Best deals on Jordans, shipping worldwide {spamlink}",
        "Hi dear, I am Captain James from US Army, kindly send me friend request 🙏",
    ),
    "illegal_activity": (
        "anyone selling carts near the high school? hmu",
        "I can get you a doctor's note for any day you want, $20 cash",
        "who wants to buy some adderall before finals, dm me",
        "Just drive around the bus when the stop arm is out, nobody ever gets a ticket",
        "Selling fake IDs, 21+ guaranteed to scan. Message me",
        "if you need weed for prom I got you 🍃",
        "Easy way to get free lunch: just lie on the income form, they never check",
        "who's trying to break into the stadium after dark this weekend",
        "I'll take your online test for you, $50 per class",
    ),
    "off_topic": (
        "Does anyone know a good plumber in {town}?",
        "Lost dog near 5th and Main! Brown lab, answers to Bear. Please call if you see him",
        "Who's watching the Thunder game tonight?",
        "Anyone know if the Sonic on Main is open late?",
        "Looking for a used riding mower, anyone?",
        "Is it supposed to storm this weekend?",
        "Happy birthday to my sister Karen!! Love you girl 🎂",
        "Selling a couch, message me",
        "The new Mexican restaurant downtown is amazing, go try it",
        "Anybody have a recommendation for a dentist that takes SoonerCare?",
        "Prayers for my uncle who is in the hospital",
        "What channel is the OU game on?",
    ),
}
REMOVABLE_GROUNDS = tuple(REMOVABLE)

# --------------------------------------------------------------------------------------------
# Students on teacher pages
# --------------------------------------------------------------------------------------------

STUDENT_COMMENTS = (
    "when is the test", "can we retake the quiz", "is the project due friday?",
    "thank you {title_last}!!", "miss ur class already", "is there tutoring this week",
    "i left my hoodie in ur room", "do we need our chromebooks tomorrow",
    "that was so fun", "can i turn in the late work monday", "what chapter are we on",
    "omg this was the best day", "is the study guide on classroom", "we miss u {title_last}!!",
    "can we do this again", "i didnt get the permission slip", "are we still going on the trip",
    "my group finished!!", "whats the homework", "best teacher ever fr",
)
TEACHER_TO_STUDENT_SCHOOL = (
    "@{to} yes, Friday! Check Google Classroom for the rubric.",
    "@{to} retakes are Thursday during advisory.",
    "@{to} it's in the lost and found by the office!",
    "@{to} yes bring your Chromebook charged.",
    "@{to} you can turn it in Monday for 80% credit.",
    "@{to} we're on chapter {n2}. Notes are posted.",
    "@{to} grab an extra permission slip from the front table tomorrow.",
    "@{to} tutoring is Tuesday after school in my room.",
    "@{to} great job today!",
    "@{to} 😊 see you tomorrow",
)
# A teacher's excessive, personal, one-to-one exchange with one student.
STUDENT_PRIVATE_PROMPTS = (
    "ur so funny {title_last} lol", "are u going to the game saturday", "can i tell u something",
    "omg did u hear what happened at lunch", "ur literally my favorite teacher", "can i stay after today",
    "r u mad at me", "what did u do this weekend", "i cant talk to my mom about this",
    "i had a really bad day", "did u see my story", "what r u doing this weekend",
    "u should come to my birthday party", "thanks for listening to me today",
    "my parents are being so annoying", "can i have ur number for the project",
    "can we talk later", "u were right about him", "i need advice",
)
TEACHER_PRIVATE = (
    "@{to} haha you always make my day",
    "@{to} I'll be at the game! Save me a seat 😉",
    "@{to} of course, you can tell me anything. DM me",
    "@{to} aw I'm sorry, text me later and we'll talk",
    "@{to} yes I saw it, you looked great",
    "@{to} nothing fun, just grading. What about you?",
    "@{to} I'd love to come! Send me the address",
    "@{to} anytime. Message me tonight if you need to talk",
    "@{to} ugh parents. Snap me and vent",
    "@{to} sent you a message 🙂",
    "@{to} we can talk after practice, just us",
    "@{to} told you so 😂 our secret",
    "@{to} you're my favorite, don't tell the others",
    "@{to} call me later, here's my cell {teacher_phone}",
)


PARENT_PROMPTS: dict[str, tuple[str, ...]] = {
    "grades": ("How is {sfirst} doing in {subject}? The portal isn't updating.",
               "Can someone tell me {sfirst}'s grade? Emails are not getting answered.",
               "Is {sfirst} passing? Eligibility list comes out Friday right?"),
    "student_id": ("What's {sfirst}'s student number? The lunch site is asking for it.",
                   "Where do I find {sfirst}'s ID number for the lunch account?"),
    "health": ("Is {sfirst} ok? Heard something happened at practice.",
               "Does the nurse still have {sfirst}'s inhaler?",
               "How is {sfirst} doing this week? Worried about this kid."),
    "discipline": ("Why wasn't {sfirst} at the game?", "Is {sfirst} in trouble? Nobody called me."),
    "address": ("Can the bus pick {sfirst} up at our new place starting Monday?",
                "{sfirst} left a backpack at school, can someone drop it off?"),
    "contact": ("How do the kids reach {sfirst} about the carpool?",
                "Where should the group send {sfirst} the files?"),
    "dob": ("Is {sfirst} registered for the certification exam?",),
    "credentials": ("{sfirst} forgot the Chromebook password again 🙄 can you reset it?",
                    "{sfirst} can't log into Canvas, help?"),
}
FOLLOWUPS = (
    "@{to} agreed!", "@{to} same here", "@{to} it's at {time} I think", "@{to} yes!! 🙌",
    "@{to} thank you for asking, I was wondering too", "@{to} check the district website",
    "@{to} lol right", "@{to} my kids loved it too",
)
FOLLOWUPS_CRITICAL = (
    "@{to} exactly. Nobody is listening.", "@{to} same thing happened to us last year.",
    "@{to} this. We need answers.", "@{to} call the board members directly, it helps.",
    "@{to} I disagree, the district is doing its best with what it has.",
    "@{to} come to the board meeting and say it there.",
)


# --------------------------------------------------------------------------------------------
# Consent mentions
# --------------------------------------------------------------------------------------------

CONSENT_CAPTION_FORMS = (
    "Photo consent: {ids}",
    "Media release on file: {ids}",
    "(Parent consent {ids})",
    "Consent IDs: {ids}",
    "📸 consent {ids}",
    "Photos shared with parent permission ({ids}).",
)
ALT_TEXTS_PEOPLE = (
    "Students working together at a table in the {program} lab.",
    "A group of students smiling at {event}.",
    "Students posing with their awards at {level}.",
    "{grade_level} graders standing in front of the school sign.",
    "Team photo of the {sport} team.",
    "Students in safety glasses in the shop.",
    "Group of {org} members holding a banner.",
)
ALT_TEXTS_SINGLE = (
    "A student holding a certificate.",
    "A student smiling at the camera in the {program} classroom.",
    "Portrait of {student_full} with {poss} project.",
    "A student at the podium.",
)
ALT_TEXTS_NO_PEOPLE = (
    "A cup of coffee on a table.", "A cat sleeping in the library.", "Rocket on the launch pad.",
    "Coins on a table for our economics lesson.", "Photo of the night sky.", "A horse silhouette.",
    "Flyer with event details.", "A brick wall with the school mural.", "The school logo.",
    "Close-up of a science specimen under the microscope.", "A motorcycle in the auto shop.",
    "A clock in the hallway.", "Grass on the football field.", "The moon from our astronomy night.",
)


@dataclass
class Made:
    """A generated text and its labels."""

    text: str
    labels: dict[str, Any]


def _pronouns(rng: random.Random) -> dict[str, str]:
    if rng.random() < 0.5:
        return {"pron": "she", "cap_pron": "She", "poss": "her"}
    return {"pron": "he", "cap_pron": "He", "poss": "his"}


def base_ctx(rng: random.Random, school: Mapping[str, str], district: Mapping[str, str]) -> dict[str, Slot]:
    """Slot values for one school's texts (shared pools fill the rest)."""
    ctx: dict[str, Slot] = {
        "school": school["name"],
        "mascot": school["mascot"],
        "town": school["town"],
        "district": district["name"],
        "district_short": district["short"],
        "office_phone": school["phone"],
        "office_email": school["email"],
        "office_address": school["address"],
        "url": (district["url"] + "/news", district["url"] + "/enroll", district["url"] + "/calendar",
                district["url"] + "/bond", district["url"] + "/athletics", district["url"],
                district["url"] + "/board"),
        "hashtag": (f"#Go{school['mascot']}", f"#{district['short']}Proud", f"#{school['code']}Strong"),
        "business": BUSINESSES,
        "college": COLLEGES,
        "museum": MUSEUMS,
        "hospital": HOSPITALS,
        "activity": ACTIVITIES,
        "assignment": ASSIGNMENTS,
        "project": PROJECTS,
        "supplies": SUPPLIES,
        "costume": COSTUMES,
        "pet_name": PET_NAMES,
        "lot": LOTS,
        "door": DOORS,
        "count": _num(3, 24),
        "count2": _num(25, 30),
        "wins": _num(4, 7),
        "losses": _num(0, 3),
        "yy": ("88", "94", "97", "01", "05", "09", "12", "15", "19"),
        "achievement": ("perfect attendance", "reading 500 books", "the food drive win",
                        "100% homework turn-in"),
        "teacher_phone": _student_phone,
        "spam_handle": ("crypto_annie_fx", "trader.jess.official", "mia_investments22"),
    }
    ctx.update(_pronouns(rng))
    return ctx


def hashtags_for(school: Mapping[str, str], district: Mapping[str, str]) -> tuple[str, ...]:
    return (f"#Go{school['mascot']}", f"#{district['short']}Proud", f"#{school['code']}Strong",
            f"#{school['mascot']}Nation", "#CareerTech", "#OKEd", "#ProudToBe" + school["mascot"])


def official_post(rng: random.Random, ctx: Mapping[str, Slot], tags: Sequence[str],
                  topic: str | None = None, controversial: str | None = None,
                  decoy: bool = False) -> Made:
    if controversial:
        tpl = pick(rng, CONTROVERSIAL_TOPICS[controversial])
        text = fill(rng, tpl, ctx)
        return Made(text, {"thread_controversial": True, "controversial_topic": controversial,
                           "topic": controversial, "confidential": False})
    if decoy:
        text = voice(rng, fill(rng, pick(rng, DECOY_CONTROVERSIAL), ctx), OFFICIAL_VOICE, tags)
        return Made(text, {"thread_controversial": False, "topic": "decoy_controversial",
                           "confidential": False, "hard_case": "controversial_vocabulary"})
    topic = topic or pick(rng, ("event", "achievement", "achievement", "athletics", "operations",
                                "operations", "community", "staff", "event"))
    tpl = pick(rng, OFFICIAL_TOPICS[topic])
    text = voice(rng, fill(rng, tpl, ctx), OFFICIAL_VOICE, tags)
    return Made(text, {"thread_controversial": False, "topic": topic, "confidential": False})


def public_contact_post(rng: random.Random, ctx: Mapping[str, Slot]) -> Made:
    text = fill(rng, pick(rng, PUBLIC_CONTACT), ctx)
    return Made(text, {"thread_controversial": False, "topic": "operations", "confidential": False,
                       "hard_case": "public_contact_details"})


def confidential_post(rng: random.Random, ctx: Mapping[str, Slot]) -> Made:
    kind = pick(rng, tuple(CONFIDENTIAL_POSTS))
    text = fill(rng, pick(rng, CONFIDENTIAL_POSTS[kind]), {**ctx, **_pronouns(rng)})
    return Made(text, {"thread_controversial": False, "topic": "school",
                       "confidential": True, "confidential_kind": kind})


def photo_caption(rng: random.Random, ctx: Mapping[str, Slot], tags: Sequence[str]) -> Made:
    text = voice(rng, fill(rng, pick(rng, OFFICIAL_TOPICS["photos"]), ctx), OFFICIAL_VOICE, tags)
    return Made(text, {"thread_controversial": False, "topic": "photos", "confidential": False})


def teacher_post(rng: random.Random, ctx: Mapping[str, Slot], tags: Sequence[str],
                 non_school: bool) -> Made:
    r = rng.random()
    if non_school:
        if r < 0.2:
            kind, tpl = pick(rng, TEACHER_NON_SCHOOL_SCHOOLY)
            hard: str | None = "mentions_school"
        else:
            kind = pick(rng, ("personal_life", "personal_life", "politics", "selling", "selling",
                              "religion", "fandom", "personal_rant"))
            tpl = pick(rng, TEACHER_NON_SCHOOL[kind])
            hard = None
        text = voice(rng, fill(rng, tpl, ctx), TEACHER_VOICE, ())
        labels: dict[str, Any] = {"topic": "non_school", "non_school_kind": kind,
                                  "confidential": False, "thread_controversial": False}
        if hard:
            labels["hard_case"] = hard
        return Made(text, labels)
    if r < 0.15:
        tpl = pick(rng, TEACHER_SCHOOL_PERSONAL)
        hard = "personal_tone"
    elif r < 0.25:
        tpl = pick(rng, TEACHER_SCHOOL_DECOYS)
        hard = "commercial_or_personal_vocabulary"
    else:
        tpl = pick(rng, TEACHER_SCHOOL)
        hard = None
    text = voice(rng, fill(rng, tpl, ctx), TEACHER_VOICE, tags)
    labels = {"topic": "school", "confidential": False, "thread_controversial": False}
    if hard:
        labels["hard_case"] = hard
    return Made(text, labels)


def public_comment(rng: random.Random, ctx: Mapping[str, Slot], *, ground: str | None,
                   controversial: str | None, critical: bool, friend: str) -> Made:
    """A comment from the public. ``ground``: a removal ground, or None for a keepable comment."""
    local = {**ctx, "friend": friend}
    if ground:
        text = fill(rng, pick(rng, REMOVABLE[ground]), local)
        emoji = ANGRY_EMOJI if ground in ("threat_violence", "harassment_abuse",
                                          "obscene_profane") else TOPIC_EMOJI
        text = voice(rng, text, PUBLIC_VOICE, (), emoji)
        return Made(text, {"comment_ground": ground, "critical": False})
    if critical:
        pool = CRITICAL_BY_TOPIC.get(controversial or "", ())
        tpl = pick(rng, pool) if pool and rng.random() < 0.75 else pick(rng, CRITICAL_GENERAL)
        text = voice(rng, _critical(rng, fill(rng, tpl, local)), PUBLIC_VOICE, (), ANGRY_EMOJI)
        return Made(text, {"comment_ground": "none", "critical": True, "protected": True})
    if controversial and rng.random() < 0.7:
        text = voice(rng, fill(rng, pick(rng, CONTROVERSIAL_SUPPORT[controversial]), local),
                     PUBLIC_VOICE, (), SAD_EMOJI + TOPIC_EMOJI)
        return Made(text, {"comment_ground": "none", "critical": False})
    r = rng.random()
    if r < 0.07:
        hard, tpl = pick(rng, HARD_NEGATIVES)
        text = voice(rng, fill(rng, tpl, local), PUBLIC_VOICE, (), LAUGH_EMOJI + TOPIC_EMOJI)
        return Made(text, {"comment_ground": "none", "critical": False, "hard_case": hard})
    if r < 0.52:
        tpl = pick(rng, PRAISE)
    elif r < 0.8:
        tpl = pick(rng, QUESTIONS)
    else:
        tpl = pick(rng, CHATTER)
    text = voice(rng, fill(rng, tpl, local), PUBLIC_VOICE, (), TOPIC_EMOJI)
    return Made(text, {"comment_ground": "none", "critical": False})


def staff_reply(rng: random.Random, ctx: Mapping[str, Slot], to: str, *,
                controversial: str | None, confidential: str | None = None,
                answer: str | None = None) -> Made:
    """A reply by an official account or teacher page to ``to`` (a mention, e.g. "@handle").

    ``confidential``: a kind from ``CONFIDENTIAL_REPLIES`` to disclose, or None.
    """
    local = {**ctx, "to": to, **_pronouns(rng)}
    if confidential:
        text = fill(rng, pick(rng, CONFIDENTIAL_REPLIES[confidential]), local)
        return Made(text, {"confidential": True, "confidential_kind": confidential,
                           "thread_controversial": bool(controversial)})
    if controversial:
        text = fill(rng, pick(rng, CONTROVERSIAL_REPLIES[controversial]), local)
        labels: dict[str, Any] = {"confidential": False, "thread_controversial": True,
                                  "controversial_topic": controversial}
    else:
        text = fill(rng, answer or pick(rng, OFFICIAL_ANSWERS), local)
        labels = {"confidential": False, "thread_controversial": False}
    contacts = [str(ctx.get(k, "")) for k in ("office_phone", "office_email", "office_address")]
    if any(c and c in text for c in contacts):
        labels["hard_case"] = "public_contact_details"
    return Made(text, labels)


def question_with_answer(rng: random.Random, ctx: Mapping[str, Slot]) -> tuple[Made, str]:
    """A public question and the template of the staff answer that fits it."""
    question, answers = pick(rng, QA)
    text = voice(rng, fill(rng, question, ctx), PUBLIC_VOICE, (), TOPIC_EMOJI)
    return Made(text, {"comment_ground": "none", "critical": False}), pick(rng, answers)


def praise_with_thanks(rng: random.Random, ctx: Mapping[str, Slot]) -> tuple[Made, str]:
    text = voice(rng, fill(rng, pick(rng, PRAISE), ctx), PUBLIC_VOICE, (), TOPIC_EMOJI)
    return Made(text, {"comment_ground": "none", "critical": False}), pick(rng, THANKS)


def parent_prompt(rng: random.Random, ctx: Mapping[str, Slot], kind: str, sfirst: str) -> Made:
    """A parent's comment that invites a reply about their own child (the reply may disclose)."""
    text = fill(rng, pick(rng, PARENT_PROMPTS[kind]), {**ctx, "sfirst": sfirst})
    return Made(voice(rng, text, PUBLIC_VOICE, (), SAD_EMOJI + TOPIC_EMOJI),
                {"comment_ground": "none", "critical": False})


def public_followup(rng: random.Random, ctx: Mapping[str, Slot], to: str, critical: bool) -> Made:
    """A member of the public answering someone in the thread."""
    tpl = pick(rng, FOLLOWUPS_CRITICAL if critical else FOLLOWUPS)
    text = voice(rng, fill(rng, tpl, {**ctx, "to": to}), PUBLIC_VOICE, (), TOPIC_EMOJI)
    return Made(text, {"comment_ground": "none", "critical": critical,
                       **({"protected": True} if critical else {})})


def student_comment(rng: random.Random, ctx: Mapping[str, Slot], private: bool) -> Made:
    tpl = pick(rng, STUDENT_PRIVATE_PROMPTS if private else STUDENT_COMMENTS)
    text = voice(rng, fill(rng, tpl, ctx), TEEN_VOICE, (), TOPIC_EMOJI + LAUGH_EMOJI)
    return Made(text, {"comment_ground": "none", "critical": False, "student": True})


def teacher_to_student(rng: random.Random, ctx: Mapping[str, Slot], to: str,
                       private: bool) -> Made:
    tpl = pick(rng, TEACHER_PRIVATE if private else TEACHER_TO_STUDENT_SCHOOL)
    text = fill(rng, tpl, {**ctx, "to": to})
    return Made(text, {"confidential": False, "thread_controversial": False,
                       "to_student": True, "private_tone": private})


def consent_mention(rng: random.Random, ids: Sequence[str]) -> str:
    joined = ", ".join(ids) if rng.random() < 0.8 else " ".join(ids)
    return pick(rng, CONSENT_CAPTION_FORMS).replace("{ids}", joined)


def alt_text(rng: random.Random, ctx: Mapping[str, Slot], faces: int) -> str:
    if faces == 0:
        return pick(rng, ALT_TEXTS_NO_PEOPLE)
    if faces == 1:
        return fill(rng, pick(rng, ALT_TEXTS_SINGLE), {**ctx, **_pronouns(rng)})
    return fill(rng, pick(rng, ALT_TEXTS_PEOPLE), ctx)


def person_handle(rng: random.Random, first: str, last: str, teen: bool = False) -> str:
    f, la = first.lower(), last.lower()
    n = rng.randint(1, 99)
    forms = (
        f"{f}{la}{n}", f"{f}_{la}", f"{f}.{la}", f"{f[0]}{la}{n}", f"{f}{la[0]}{rng.randint(70, 99)}",
        f"the_real_{f}", f"{f}{la}ok", f"{la}{f[0]}{n}",
    )
    if teen:
        forms = (f"{f}.{la[0]}{n}", f"{f}x{la[:3]}", f"_{f}{n}_", f"{f}{rng.randint(2008, 2013)}",
                 f"its.{f}", f"{f[0]}{la}.{n}", f"x{f}x{n}")
    return pick(rng, forms)[:15]
