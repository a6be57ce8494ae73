-- What a reply says, without the name it opens with: a Facebook reply starts with the name of
-- the person it answers (a tag, not content), which the detectors must not read as its text.
-- Used by the detectors' input queries (checks/sql/inputs_*.sql).
CREATE MACRO core.without_reply_tag(body, answered) AS
    CASE WHEN length(answered) > 0 AND starts_with(lower(body), lower(answered) || ' ')
         THEN ltrim(substr(body, length(answered) + 2), ' ,:')
         ELSE coalesce(body, '') END;
