-- A teacher page's replies to a student: a comment or reply by the page whose parent was
-- written by someone the hashed roster lists (the lowercase username on X and Instagram, the
-- user id on Facebook). Without a roster nothing is a student and the rule finds nothing (the
-- engine says so). Evidence names items, never the student's handle or hash.
-- 'one_to_one': a conversation under one top-level comment in which only the page and one
-- student take part, with at least $min_exchange_replies replies of the page to the student
-- and the student writing back. Subject: the comment that opens the conversation.
-- 'excessive_replies': more than $max_replies replies of the page to one student within
-- $window_days; overlapping windows make one episode, whose first reply is the subject.
WITH RECURSIVE tops(item_id, top_id) AS (
    SELECT item_id, item_id FROM core.items WHERE kind = 'comment'
    UNION ALL
    SELECT c.item_id, t.top_id
    FROM core.items c JOIN tops t ON c.parent_item_id = t.item_id
    WHERE c.kind = 'reply'
),
pages AS (
    SELECT account_key, platform, platform_id FROM registry.accounts WHERE kind = 'teacher_page'
),
students AS (
    SELECT DISTINCT i.item_id, i.author_id
    FROM core.items i
    JOIN registry.roster r ON r.platform = i.platform
     AND r.student_handle_sha256 IN (sha256(lower(ltrim(coalesce(i.author_handle, ''), '@'))),
                                     sha256(split_part(coalesce(i.author_id, ''), ':', 2)))
    WHERE NOT i.author_is_district AND i.author_id IS NOT NULL
),
replies AS (
    SELECT t.item_id, t.account_id, t.created_at, t.thread_root_id, s.author_id AS student,
           s.item_id AS answered
    FROM core.items t
    JOIN pages pg ON pg.account_key = t.account_id AND t.author_id = t.account_id
    JOIN students s ON s.item_id = t.parent_item_id
    WHERE t.author_is_district AND t.kind IN ('comment', 'reply') AND t.created_at IS NOT NULL
),
-- one-to-one conversations
conversations AS (
    SELECT tp.top_id, i.account_id,
           list(DISTINCT i.author_id) AS authors,
           count(*) FILTER (WHERE NOT i.author_is_district) AS student_items
    FROM tops tp JOIN core.items i ON i.item_id = tp.item_id
    GROUP BY tp.top_id, i.account_id
),
one_to_one AS (
    SELECT 'one_to_one' AS kind, c.top_id AS subject_id, c.top_id AS item_id,
           list(r.item_id ORDER BY r.created_at, r.item_id) AS reply_ids,
           c.student_items, min(r.created_at) AS first_at, max(r.created_at) AS last_at,
           any_value(r.thread_root_id) AS thread
    FROM conversations c
    JOIN tops tp ON tp.top_id = c.top_id
    JOIN replies r ON r.item_id = tp.item_id AND r.account_id = c.account_id
    WHERE len(c.authors) = 2 AND c.student_items >= 2
      AND list_contains(c.authors, r.student)
    GROUP BY c.top_id, c.student_items
    HAVING count(*) >= $min_exchange_replies
),
-- excessive replies: windows [reply, reply + window) holding more than the maximum
windows AS (
    SELECT a.item_id, a.account_id, a.student, a.created_at, count(*) AS in_window
    FROM replies a
    JOIN replies b ON b.account_id = a.account_id AND b.student = a.student
     AND b.created_at >= a.created_at
     AND b.created_at < a.created_at + to_days(CAST($window_days AS INTEGER))
    GROUP BY a.item_id, a.account_id, a.student, a.created_at
    HAVING count(*) > $max_replies
),
episodes AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap > to_days(CAST($window_days AS INTEGER))
                       THEN 1 ELSE 0 END)
                  OVER (PARTITION BY account_id, student ORDER BY created_at, item_id)
                  AS episode
    FROM (SELECT *, created_at - lag(created_at) OVER (PARTITION BY account_id, student
                                                       ORDER BY created_at, item_id) AS gap
          FROM windows)
),
spans AS (
    SELECT account_id, student, episode, arg_min(item_id, created_at) AS first_reply,
           min(created_at) AS span_start,
           max(created_at) + to_days(CAST($window_days AS INTEGER)) AS span_end,
           max(in_window) AS most_in_window
    FROM episodes GROUP BY account_id, student, episode
),
excessive AS (
    SELECT 'excessive_replies' AS kind, s.first_reply AS subject_id, s.first_reply AS item_id,
           list(r.item_id ORDER BY r.created_at, r.item_id) AS reply_ids,
           s.most_in_window, min(r.created_at) AS first_at, max(r.created_at) AS last_at,
           count(DISTINCT r.thread_root_id) AS threads
    FROM spans s
    JOIN replies r ON r.account_id = s.account_id AND r.student = s.student
     AND r.created_at >= s.span_start AND r.created_at < s.span_end
    GROUP BY s.first_reply, s.most_in_window
)
SELECT kind, subject_id, item_id, sha256(array_to_string(reply_ids, ',')) AS content_sha256,
       json_object('replies_to_student', len(reply_ids), 'reply_ids', reply_ids[1:25],
                   'student_items', student_items, 'thread', thread,
                   'first_reply_at', first_at, 'last_reply_at', last_at) AS evidence
FROM one_to_one
UNION ALL
SELECT kind, subject_id, item_id, sha256(array_to_string(reply_ids, ',')),
       json_object('replies_to_student', len(reply_ids), 'reply_ids', reply_ids[1:25],
                   'most_in_window', most_in_window, 'window_days', $window_days,
                   'threads', threads, 'first_reply_at', first_at, 'last_reply_at', last_at)
FROM excessive
