window.YTD.deleted_tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "2024800000000000108"
          ],
          "editableUntil" : "2026-02-22T13:00:00.000Z",
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
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000108/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/d3l3t3d1",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa04.jpg",
            "id_str" : "2024800000000000904",
            "id" : "2024800000000000904",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa04.jpg",
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
            "display_url" : "pic.x.com/d3l3t3d1"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "41"
      ],
      "favorite_count" : "0",
      "id_str" : "2024800000000000108",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "2024800000000000108",
      "created_at" : "Sun Feb 22 12:00:00 +0000 2026",
      "favorited" : false,
      "full_text" : "Wrong photo, sorry! https://t.co/d3l3t3d1",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/2024800000000000108/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/d3l3t3d1",
            "media_url" : "http://pbs.twimg.com/media/HDemoPh0t0AAa04.jpg",
            "id_str" : "2024800000000000904",
            "id" : "2024800000000000904",
            "media_url_https" : "https://pbs.twimg.com/media/HDemoPh0t0AAa04.jpg",
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
            "display_url" : "pic.x.com/d3l3t3d1"
          }
        ]
      },
      "possibly_sensitive" : false,
      "deleted_at" : "Sun Feb 22 12:05:00 +0000 2026"
    }
  }
]