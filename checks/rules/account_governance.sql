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
