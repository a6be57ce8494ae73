-- Official accounts whose registered admins name no registered designee (none listed, or only
-- ids the designees file does not have). The finding is about the account: no item. A change of
-- the listed admins is a change of content (a review of the old list no longer applies).
SELECT 'no_designee_admin' AS kind, a.account_key AS subject_id, NULL AS item_id,
       sha256(a.account_key || chr(31)
              || array_to_string(list_sort(a.designee_admins), chr(30))) AS content_sha256,
       json_object('handle', a.handle, 'owner', a.owner, 'designee_admins', a.designee_admins,
                   'not_registered_designees',
                   coalesce((SELECT list(x ORDER BY x) FROM unnest(a.designee_admins) AS t(x)
                             WHERE x NOT IN (SELECT designee_id FROM registry.designees)), []))
           AS evidence
FROM registry.accounts a
WHERE a.kind = 'official'
  AND NOT EXISTS (SELECT 1 FROM registry.designees d
                  WHERE list_contains(a.designee_admins, d.designee_id))

UNION ALL

-- Accounts of the kinds the pack asks a Rules of Engagement link of ($roe_accounts: empty when
-- it asks none, or when the district gave no address) whose captured profile (bio, website, X
-- pinned post: core.account_profiles.links, expanded) links to none of the district's Rules of
-- Engagement addresses ($roe_urls). Links and addresses are compared without scheme, "www.",
-- query, fragment, trailing "/" and case; a link to a page under an address counts. An account
-- whose profile was never captured has no row in core.account_profiles and is not judged. A
-- change of the profile's links is a change of content.
SELECT 'no_rules_of_engagement_link', a.account_key, NULL,
       sha256(a.account_key || chr(31) || array_to_string(list_sort(p.links), chr(30))),
       json_object('handle', a.handle, 'account_kind', a.kind, 'profile_url', p.profile_url,
                   'bio', p.bio, 'website', p.website, 'links', p.links,
                   'pinned_post_id', p.pinned_post_id,
                   'rules_of_engagement_urls', CAST($roe_urls AS VARCHAR[]),
                   'profile_fetched_at', p.fetched_at)
FROM registry.accounts a
JOIN core.account_profiles p ON p.account_id = a.account_key
WHERE list_contains(CAST($roe_accounts AS VARCHAR[]), a.kind)
  AND NOT EXISTS (
      SELECT 1
      FROM (SELECT rtrim(regexp_replace(regexp_replace(regexp_replace(
                       lower(trim(link)), '^[a-z][a-z0-9+.-]*://', ''), '^www\.', ''),
                       '[?#].*$', ''), '/') AS link
            FROM unnest(p.links) AS l(link)) l,
           (SELECT rtrim(regexp_replace(regexp_replace(regexp_replace(
                       lower(trim(url)), '^[a-z][a-z0-9+.-]*://', ''), '^www\.', ''),
                       '[?#].*$', ''), '/') AS url
            FROM unnest(CAST($roe_urls AS VARCHAR[])) AS r(url)) r
      WHERE r.url <> '' AND (l.link = r.url OR starts_with(l.link, r.url || '/')))
