window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2024800000000000101",
            "2024800000000000102"
          ],
          "editableUntil" : "2026-02-20T10:10:58.000Z",
          "editsRemaining" : "4",
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
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000101/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/aPh0t0A1",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
            "id_str" : "2024800000000000901",
            "id" : "2024800000000000901",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
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
            "display_url" : "pic.x.com/aPh0t0A1"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "91"
      ],
      "favorite_count" : "12",
      "id_str" : "2024800000000000101",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "2024800000000000101",
      "created_at" : "Fri Feb 20 09:10:58 +0000 2026",
      "favorited" : false,
      "full_text" : "Science fair winners at Jefferson Elementary! Congratulations to all. https://t.co/aPh0t0A1",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000101/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/aPh0t0A1",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
            "id_str" : "2024800000000000901",
            "id" : "2024800000000000901",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
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
            "display_url" : "pic.x.com/aPh0t0A1"
          }
        ]
      },
      "possibly_sensitive" : false
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "edit" : {
          "initialTweetId" : "2024800000000000101",
          "editControlInitial" : {
            "editTweetIds" : [
              "2024800000000000101",
              "2024800000000000102"
            ],
            "editableUntil" : "2026-02-20T10:10:58.000Z",
            "editsRemaining" : "4",
            "isEditEligible" : true
          }
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
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000102/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/aPh0t0A1",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
            "id_str" : "2024800000000000901",
            "id" : "2024800000000000901",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
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
            "display_url" : "pic.x.com/aPh0t0A1"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "110"
      ],
      "favorite_count" : "40",
      "id_str" : "2024800000000000102",
      "truncated" : false,
      "retweet_count" : "9",
      "id" : "2024800000000000102",
      "created_at" : "Fri Feb 20 09:14:02 +0000 2026",
      "favorited" : false,
      "full_text" : "Science fair winners at Jefferson Elementary! Congratulations to everyone who took part. https://t.co/aPh0t0A1",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000102/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/aPh0t0A1",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
            "id_str" : "2024800000000000901",
            "id" : "2024800000000000901",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa01.jpg",
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
            "display_url" : "pic.x.com/aPh0t0A1"
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
            "2024800000000000103"
          ],
          "editableUntil" : "2026-02-20T16:02:11.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Demo Parent",
            "screen_name" : "parent_demo_01",
            "indices" : [
              "0",
              "15"
            ],
            "id_str" : "1490000000000000777",
            "id" : "1490000000000000777"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "75"
      ],
      "favorite_count" : "2",
      "id_str" : "2024800000000000103",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2024800000000000103",
      "created_at" : "Fri Feb 20 15:02:11 +0000 2026",
      "favorited" : false,
      "full_text" : "@parent_demo_01 Thanks for asking! Pickup moves to the north lot on Monday.",
      "lang" : "en",
      "in_reply_to_status_id_str" : "2024800000000000555",
      "in_reply_to_status_id" : "2024800000000000555",
      "in_reply_to_user_id" : "1490000000000000777",
      "in_reply_to_user_id_str" : "1490000000000000777",
      "in_reply_to_screen_name" : "parent_demo_01"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2024800000000000104"
          ],
          "editableUntil" : "2026-02-21T09:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Lincoln Board (synthetic)",
            "screen_name" : "lincoln_board_demo",
            "indices" : [
              "3",
              "22"
            ],
            "id_str" : "1490000000000000002",
            "id" : "1490000000000000002"
          }
        ],
        "urls" : [
          {
            "url" : "https://t.co/ag3nda01",
            "expanded_url" : "https://example.org/board/agenda",
            "display_url" : "example.org/board/agenda",
            "indices" : [
              "71",
              "94"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "92"
      ],
      "favorite_count" : "0",
      "id_str" : "2024800000000000104",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2024800000000000104",
      "created_at" : "Sat Feb 21 08:00:00 +0000 2026",
      "favorited" : false,
      "full_text" : "RT @lincoln_board_demo: Board meeting moved to Thursday 7pm, agenda at https://t.co/ag3nda01",
      "lang" : "en"
    }
  }
]