-- The review trail: every disposition the office records, never overwritten.

CREATE TABLE audit.dispositions (
    disposition_id VARCHAR PRIMARY KEY,   -- sha256 of finding, status, reviewer, note and time
    finding_id     VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,      -- confirmed | false_positive | approved_after_the_fact | remediated
    reviewer       VARCHAR NOT NULL,
    note           VARCHAR,
    content_sha256 VARCHAR,               -- the finding's content when it was reviewed
    recorded_at    TIMESTAMPTZ NOT NULL,
    source         VARCHAR NOT NULL       -- 'cli' or 'import:<file name>'
);

-- The latest disposition of each finding.
CREATE VIEW audit.current_dispositions AS
SELECT * FROM audit.dispositions
QUALIFY row_number() OVER (PARTITION BY finding_id
                           ORDER BY recorded_at DESC, disposition_id DESC) = 1;
