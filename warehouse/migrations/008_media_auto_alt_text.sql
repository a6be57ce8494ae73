-- The platform's own description of a medium (Facebook's automatic "May be an image of ..."),
-- kept beside `alt_text` (what the account wrote) as evidence for reviewers.
ALTER TABLE core.media ADD COLUMN auto_alt_text VARCHAR;
