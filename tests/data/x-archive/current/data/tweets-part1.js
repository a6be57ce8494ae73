window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2024800000000000105"
          ],
          "editableUntil" : "2026-02-23T08:30:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : [],
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000105/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/tw0Ph0t0",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa02.jpg",
            "id_str" : "2024800000000000902",
            "id" : "2024800000000000902",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa02.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "small" : {
                "w" : "680",
                "h" : "510",
                "resize" : "fit"
              },
              "medium" : {
                "w" : "1200",
                "h" : "900",
                "resize" : "fit"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/tw0Ph0t0"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "66"
      ],
      "favorite_count" : "25",
      "id_str" : "2024800000000000105",
      "truncated" : false,
      "retweet_count" : "4",
      "id" : "2024800000000000105",
      "created_at" : "Mon Feb 23 07:30:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Spring concert rehearsal tonight in the gym. https://t.co/tw0Ph0t0",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000105/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/tw0Ph0t0",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa02.jpg",
            "id_str" : "2024800000000000902",
            "id" : "2024800000000000902",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa02.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "small" : {
                "w" : "680",
                "h" : "510",
                "resize" : "fit"
              },
              "medium" : {
                "w" : "1200",
                "h" : "900",
                "resize" : "fit"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/tw0Ph0t0"
          },
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000105/photo/2",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/tw0Ph0t0",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa03.jpg",
            "id_str" : "2024800000000000903",
            "id" : "2024800000000000903",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa03.jpg",
            "sizes" : {
              "thumb" : {
                "w" : "150",
                "h" : "150",
                "resize" : "crop"
              },
              "small" : {
                "w" : "680",
                "h" : "510",
                "resize" : "fit"
              },
              "medium" : {
                "w" : "1200",
                "h" : "900",
                "resize" : "fit"
              },
              "large" : {
                "w" : "2048",
                "h" : "1536",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/tw0Ph0t0"
          }
        ]
      },
      "possibly_sensitive" : false
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2024800000000000106"
          ],
          "editableUntil" : "2026-02-23T22:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "293"
      ],
      "favorite_count" : "80",
      "id_str" : "2024800000000000106",
      "truncated" : false,
      "retweet_count" : "31",
      "id" : "2024800000000000106",
      "created_at" : "Mon Feb 23 21:00:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Update on the winter schedule: all schools open two hours late on Tuesday because of ice on the roads. Buses run two hours later than usual, breakfast is served, and morning kindergarten is cancelled. Families who need early drop-off can use the gym doors from 7:30. We … https://t.co/l0ngP0st",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2024800000000000107"
          ],
          "editableUntil" : "2026-02-23T22:01:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "61"
      ],
      "favorite_count" : "0",
      "id_str" : "2024800000000000107",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2024800000000000107",
      "created_at" : "Mon Feb 23 21:01:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Bus route changes for Tuesday are on the transportation page.",
      "lang" : "en",
      "in_reply_to_status_id_str" : "2024800000000000106",
      "in_reply_to_status_id" : "2024800000000000106",
      "in_reply_to_user_id" : "1490000000000000001",
      "in_reply_to_user_id_str" : "1490000000000000001",
      "in_reply_to_screen_name" : "lincolnusd_demo"
    }
  }
]