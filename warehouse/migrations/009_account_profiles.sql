-- The profile each registered account shows now: its bio, its website and every link in them
-- (and in an X account's pinned post), read from the connectors' profile pages (endpoints
-- users/:id, :page, :ig_user). One row per account, replaced by each newer capture; every
-- capture stays in raw.api_pages.
CREATE TABLE core.account_profiles (
    account_id     VARCHAR PRIMARY KEY,  -- platform:platform id, as registry.accounts.account_key
    platform       VARCHAR NOT NULL,     -- x | facebook | instagram
    handle         VARCHAR,              -- the username the platform gives now
    name           VARCHAR,
    bio            VARCHAR,              -- X description (t.co links expanded); Facebook about
                                         -- and description; Instagram biography
    website        VARCHAR,              -- X profile url (expanded); Facebook and Instagram
                                         -- website as the account typed it
    links          VARCHAR[] NOT NULL,   -- every link of the bio, the website and the X pinned
                                         -- post, expanded, in that order, without repeats
    pinned_post_id VARCHAR,              -- X: the pinned post (its links are in links)
    profile_url    VARCHAR,              -- the profile on the platform
    fetched_at     TIMESTAMPTZ NOT NULL, -- the latest capture of this profile
    page_id        BIGINT NOT NULL       -- the raw page it was read from
);
