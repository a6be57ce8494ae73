-- District posts whose engagement (likes or reactions, comments, shares, quotes; views are not
-- engagement) spikes far above their account's own baseline: the median and the median absolute
-- deviation (MAD) of the account's other posts within $baseline_days before or after the post.
-- A spike needs $min_history such posts, at least $min_engagement, $min_ratio times the median,
-- and $min_robust_z robust deviations (1.4826 x MAD, at least 1) above it. The content judged
-- is the post's text: growing counts do not reopen a reviewed finding.
WITH posts AS (
    SELECT i.item_id, i.account_id, i.created_at, i.text, i.like_count, i.reply_count,
           i.share_count, i.quote_count,
           coalesce(i.like_count, 0) + coalesce(i.reply_count, 0) + coalesce(i.share_count, 0)
               + coalesce(i.quote_count, 0) AS engagement
    FROM core.items i
    JOIN registry.accounts a ON a.account_key = i.account_id
    WHERE i.kind = 'post' AND i.author_is_district AND i.created_at IS NOT NULL
),
baselines AS (
    SELECT p.item_id, count(*) AS history, median(b.engagement) AS median,
           mad(b.engagement) AS mad
    FROM posts p
    JOIN posts b ON b.account_id = p.account_id AND b.item_id <> p.item_id
     AND b.created_at BETWEEN p.created_at - to_days(CAST($baseline_days AS INTEGER))
                          AND p.created_at + to_days(CAST($baseline_days AS INTEGER))
    GROUP BY p.item_id
),
scored AS (
    SELECT p.*, b.history, b.median, b.mad,
           p.engagement / greatest(b.median, 1) AS ratio,
           (p.engagement - b.median) / greatest(1.4826 * b.mad, 1) AS robust_z
    FROM posts p JOIN baselines b USING (item_id)
)
SELECT 'spike' AS kind, s.item_id AS subject_id, s.item_id,
       sha256(coalesce(s.text, '')) AS content_sha256,
       json_object('engagement', s.engagement,
                   'metrics', json_object('likes', s.like_count, 'comments', s.reply_count,
                                          'shares', s.share_count, 'quotes', s.quote_count),
                   'baseline_median', s.median, 'baseline_mad', s.mad,
                   'baseline_posts', s.history, 'baseline_days', $baseline_days,
                   'ratio', round(s.ratio, 1), 'robust_z', round(s.robust_z, 1)) AS evidence
FROM scored s
WHERE s.history >= $min_history AND s.engagement >= $min_engagement
  AND s.ratio >= $min_ratio AND s.robust_z >= $min_robust_z
