-- Detector outputs cached by content, and findings.

-- One row per (detector, version, content): an unchanged input is never scored twice.
CREATE TABLE audit.signals (
    detector         VARCHAR NOT NULL,
    detector_version VARCHAR NOT NULL,
    content_sha256   VARCHAR NOT NULL,
    flagged          BOOLEAN NOT NULL,
    label            VARCHAR NOT NULL,
    score            DOUBLE NOT NULL,
    reasons          VARCHAR[] NOT NULL,
    details          JSON,
    scored_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (detector, detector_version, content_sha256)
);

-- Which content each subject (item, thread, image) has now, and the version scoring it.
CREATE TABLE audit.subject_signals (
    detector         VARCHAR NOT NULL,
    subject_id       VARCHAR NOT NULL,   -- item id, thread root id, or image sha256
    content_sha256   VARCHAR NOT NULL,
    detector_version VARCHAR NOT NULL,
    PRIMARY KEY (detector, subject_id)
);

CREATE TABLE audit.findings (
    finding_id     VARCHAR PRIMARY KEY,  -- sha256 of rule, subject and kind: stable across runs
    rule           VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,     -- the ground, problem or category within the rule
    severity       VARCHAR NOT NULL,     -- critical | high | medium | low
    platform       VARCHAR,
    account_id     VARCHAR,
    school         VARCHAR,
    subject_id     VARCHAR NOT NULL,     -- the item (or account) the finding is about
    item_id        VARCHAR,
    permalink      VARCHAR,
    item_created_at TIMESTAMPTZ,
    content_sha256 VARCHAR,              -- the content judged; a change re-opens reviewed findings
    evidence       JSON NOT NULL,
    policy_pack    VARCHAR NOT NULL,
    clause_id      VARCHAR NOT NULL,
    clause_section VARCHAR,
    clause_quote   VARCHAR,
    status         VARCHAR NOT NULL,     -- open | cleared (the data no longer shows it)
    first_seen_at  TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    last_run_id    VARCHAR NOT NULL
);
