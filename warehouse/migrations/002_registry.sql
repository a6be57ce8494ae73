-- What the district declares: accounts, designees, consents, media-consent links, approvals.
CREATE TABLE registry.accounts (
    account_key     VARCHAR PRIMARY KEY,   -- platform:platform_id, e.g. x:1234, facebook:5678
    platform        VARCHAR NOT NULL,
    platform_id     VARCHAR NOT NULL,
    handle          VARCHAR,
    kind            VARCHAR NOT NULL,      -- official | teacher_page
    school          VARCHAR,
    owner           VARCHAR NOT NULL,
    designee_admins VARCHAR[] NOT NULL,
    display_name    VARCHAR,
    token_env       VARCHAR,               -- name of the environment variable holding its token
    loaded_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE registry.designees (
    designee_id VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    email       VARCHAR,
    role        VARCHAR,
    loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE registry.consents (
    consent_id        VARCHAR PRIMARY KEY,
    student_id_sha256 VARCHAR NOT NULL,
    scope             VARCHAR[] NOT NULL,  -- e.g. social_media, website, print
    granted_on        DATE NOT NULL,
    expires_on        DATE,
    revoked_on        DATE,
    loaded_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE registry.media_consents (
    platform   VARCHAR NOT NULL,
    post_id    VARCHAR NOT NULL,           -- platform id of the post that carries the media
    consent_id VARCHAR NOT NULL,
    loaded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, post_id, consent_id)
);

CREATE TABLE registry.approvals (
    approval_id VARCHAR PRIMARY KEY,
    platform    VARCHAR NOT NULL,
    target_id   VARCHAR NOT NULL,          -- platform id of the thread root or the post replied to
    approver    VARCHAR NOT NULL,          -- designee_id
    approved_at TIMESTAMPTZ NOT NULL,
    note        VARCHAR,
    loaded_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE registry.roster (
    student_handle_sha256 VARCHAR NOT NULL,
    platform              VARCHAR NOT NULL,
    school                VARCHAR,
    loaded_at             TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, student_handle_sha256)
);

-- Which registry file was loaded when, and its checksum.
CREATE TABLE registry.loads (
    file_name VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    sha256    VARCHAR NOT NULL,
    rows      INTEGER NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);
