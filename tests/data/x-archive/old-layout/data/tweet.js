window.YTD.tweet.part0 = [
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : [
          {
            "url" : "https://t.co/supp1i3s",
            "expanded_url" : "https://example.org/supplies",
            "display_url" : "example.org/supplies",
            "indices" : [
              "51",
              "74"
            ]
          }
        ],
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/1290000000000000201/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/0ldPh0t0",
            "media_url" : "http://pbs.twimg.com/media/EeOldDemoAAa01.jpg",
            "id_str" : "1290000000000000901",
            "id" : "1290000000000000901",
            "media_url_https" : "https://pbs.twimg.com/media/EeOldDemoAAa01.jpg",
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
                "w" : "1200",
                "h" : "900",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/0ldPh0t0"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "93"
      ],
      "favorite_count" : "7",
      "id_str" : "1290000000000000201",
      "truncated" : false,
      "retweet_count" : "2",
      "id" : "1290000000000000201",
      "created_at" : "Tue Aug 04 14:00:00 +0000 2020",
      "favorited" : false,
      "full_text" : "First day of school is September 8. Supply lists: https://t.co/supp1i3s https://t.co/0ldPh0t0",
      "lang" : "en",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/lincolnusd_demo/status/1290000000000000201/photo/1",
            "indices" : [
              "61",
              "84"
            ],
            "url" : "https://t.co/0ldPh0t0",
            "media_url" : "http://pbs.twimg.com/media/EeOldDemoAAa01.jpg",
            "id_str" : "1290000000000000901",
            "id" : "1290000000000000901",
            "media_url_https" : "https://pbs.twimg.com/media/EeOldDemoAAa01.jpg",
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
                "w" : "1200",
                "h" : "900",
                "resize" : "fit"
              }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/0ldPh0t0"
          }
        ]
      },
      "possibly_sensitive" : false
    }
  },
  {
    "tweet" : {
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
        "37"
      ],
      "favorite_count" : "1",
      "id_str" : "1290000000000000202",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1290000000000000202",
      "created_at" : "Wed Aug 05 09:00:00 +0000 2020",
      "favorited" : false,
      "full_text" : "Reminder: registration closes Friday.",
      "lang" : "en"
    }
  }
]