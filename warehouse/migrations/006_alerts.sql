-- Alerts: what went to which channel, so that each finding and each capture-health incident is
-- alerted once per channel. A row is written only after the channel accepted the message; a
-- failed send leaves no row here and is retried by the next run.
CREATE TABLE audit.alerts_sent (
    channel    VARCHAR NOT NULL,     -- the [[alerts.channels]] name in socialaudit.toml
    alert_key  VARCHAR NOT NULL,     -- finding_id, or auth_error:<account>:<since> / stale:<account>:<last ok>
    kind       VARCHAR NOT NULL,     -- critical | digest | auth_error | stale
    finding_id VARCHAR,
    account_id VARCHAR,
    severity   VARCHAR,
    sent_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (channel, alert_key)
);

-- Every send attempt, accepted or failed, with the error (never a URL, token or password).
-- Digests record the window of first-seen times they covered; the next digest starts there.
CREATE TABLE audit.alert_log (
    channel      VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,   -- critical | digest | health
    attempted_at TIMESTAMPTZ NOT NULL,
    items        INTEGER NOT NULL,
    status       VARCHAR NOT NULL,   -- sent | failed
    error        VARCHAR,
    window_start TIMESTAMPTZ,
    window_end   TIMESTAMPTZ
);
