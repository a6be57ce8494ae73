"""Names of the request targets a raw page can come from; normalization keys on them."""

from __future__ import annotations

# X API v2 (and twarc2 pages of the same endpoints). object_id: the id in the path or query.
X_USER_TWEETS = "users/:id/tweets"  # object_id: user id
X_USER_MENTIONS = "users/:id/mentions"  # object_id: user id
X_SEARCH_RECENT = "tweets/search/recent"  # object_id: conversation id searched, if any
X_SEARCH_ALL = "tweets/search/all"  # object_id: conversation id searched, if any
X_TWEETS_LOOKUP = "tweets"  # GET /2/tweets?ids=...; errors[] reveal deleted tweets
X_TWEET = "tweets/:id"  # GET /2/tweets/:id
X_USERS = "users"  # user lookups (no items)
X_USER_PROFILE = "users/:id"  # GET /2/users/:id: a registered account's profile; object_id: its id
X_ARCHIVE_TWEETS = "archive/tweets"  # data/tweets.js of an X account archive (v1.1 shape)

X_TWEET_ENDPOINTS = (
    X_USER_TWEETS,
    X_USER_MENTIONS,
    X_SEARCH_RECENT,
    X_SEARCH_ALL,
    X_TWEETS_LOOKUP,
    X_TWEET,
)

# Graph API, Facebook Pages.
FB_PAGE_POSTS = ":page/posts"  # object_id: page id (also /feed, /published_posts)
FB_COMMENTS = ":object/comments"  # object_id: post or comment id; filter=stream
FB_OBJECT = ":object"  # single object lookup; an error body says it no longer exists
FB_PHOTO = ":photo"  # GET /{photo-id}?fields=alt_text,alt_text_custom; object_id: photo id
FB_PAGE_PROFILE = ":page"  # GET /{page-id}?fields=about,description,website...; object_id: page id

# Graph API, Instagram business accounts.
IG_MEDIA = ":ig_user/media"  # object_id: IG user id
IG_COMMENTS = ":ig_media/comments"  # object_id: media id
IG_REPLIES = ":ig_comment/replies"  # object_id: comment id
IG_OBJECT = ":ig_object"  # single media or comment lookup
IG_USER_PROFILE = ":ig_user"  # GET /{ig-user-id}?fields=biography,website...; object_id: its id

# The profile of a registered account (bio, website, pinned post): normalized into
# core.account_profiles, never into items.
PROFILE_ENDPOINTS = (X_USER_PROFILE, FB_PAGE_PROFILE, IG_USER_PROFILE)
