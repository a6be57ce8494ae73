-- Every alt text a medium has shown, each distinct text once, with when it was first seen.
-- `core.media.alt_text` is the text it has now; an account can edit it (Facebook, Instagram),
-- and what it said until then was public (screen readers read it, X shows it under "ALT"), so
-- the confidential detector reads the earlier ones too. Texts already stored are taken as
-- first seen with their medium (the earliest time known).
CREATE TABLE core.media_alt_versions (
    item_id        VARCHAR NOT NULL,
    media_id       VARCHAR NOT NULL,
    alt_text       VARCHAR NOT NULL,
    alt_sha256     VARCHAR NOT NULL,         -- sha256 of alt_text
    first_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, media_id, alt_sha256)
);

INSERT INTO core.media_alt_versions
SELECT item_id, media_id, alt_text, sha256(alt_text), first_seen_at
FROM core.media
WHERE nullif(trim(alt_text), '') IS NOT NULL;

-- The text a finding is about (see 012): for a disclosure in an earlier alt text of a photo, the
-- item's text followed by that alt text, as the detector read it.
CREATE OR REPLACE VIEW marts.finding_texts AS
SELECT f.finding_id, f.item_id,
       coalesce(e.text, a.text, i.text) AS text,
       e.version_id AS earlier_version_id
FROM audit.findings f
LEFT JOIN core.items i ON i.item_id = f.item_id
LEFT JOIN (
    SELECT f2.finding_id, v.version_id, arg_max(v.text, v.first_seen_at) AS text
    FROM audit.findings f2
    JOIN core.item_versions v
      ON v.item_id = f2.item_id
     AND v.version_id = json_extract_string(f2.evidence, '$.earlier_text.version_id')
    WHERE f2.rule = 'confidential_disclosure'
    GROUP BY f2.finding_id, v.version_id
) e ON e.finding_id = f.finding_id
LEFT JOIN (
    SELECT f3.finding_id,
           any_value(coalesce(nullif(i3.text, '') || chr(10) || chr(10), '') || v.alt_text) AS text
    FROM audit.findings f3
    JOIN core.items i3 ON i3.item_id = f3.item_id
    JOIN core.media_alt_versions v
      ON v.item_id = f3.item_id
     AND v.media_id = json_extract_string(f3.evidence, '$.earlier_alt_text.media_id')
     AND v.alt_sha256 = json_extract_string(f3.evidence, '$.earlier_alt_text.alt_sha256')
    WHERE f3.rule = 'confidential_disclosure'
    GROUP BY f3.finding_id
) a ON a.finding_id = f.finding_id;
