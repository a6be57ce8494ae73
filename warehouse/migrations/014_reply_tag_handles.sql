-- A reply on Instagram or X opens with "@" and the handle of the person it answers (the apps
-- write it in), as a Facebook reply opens with their name: neither is content, and a handle
-- read as content made a teacher's "@student grab an extra permission slip" a student named
-- beside a disciplinary word. 010's macro knew only the Facebook form. The handle ends where a
-- character no handle has follows it (a space, a comma, a colon); a reply that is only the tag
-- is left as it is.
CREATE OR REPLACE MACRO core.without_reply_tag(body, answered) AS
    CASE WHEN length(answered) > 0 AND starts_with(lower(body), lower(answered) || ' ')
         THEN ltrim(substr(body, length(answered) + 2), ' ,:')
         WHEN length(answered) > 0
              AND lower(left(body, length(answered) + 1)) = '@' || lower(answered)
              AND length(body) > length(answered) + 1
              AND NOT regexp_matches(substr(body, length(answered) + 2, 1), '[A-Za-z0-9._]')
         THEN ltrim(substr(body, length(answered) + 2), ' ,:')
         ELSE coalesce(body, '') END;
