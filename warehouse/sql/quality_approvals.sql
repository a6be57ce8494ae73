-- Data quality frame: registry.approvals (ids, platform, approver and time; the note stays out).
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT approval_id, platform, target_id, approver, approved_at, hash(approval_id) AS part_key
FROM registry.approvals;
