window.YTD.note_tweet.part0 = [
  {
    "noteTweet" : {
      "noteTweetId" : "2024800000000000406",
      "updatedAt" : "2026-02-23T21:00:00.000Z",
      "lifecycle" : {
        "value" : "1",
        "name" : "Active",
        "originalName" : "Active",
        "annotations" : {}
      },
      "createdAt" : "2026-02-23T21:00:00.000Z",
      "core" : {
        "styletags" : [],
        "urls" : [],
        "text" : "Update on the winter schedule: all schools open two hours late on Tuesday because of ice on the roads. Buses run two hours later than usual, breakfast is served, and morning kindergarten is cancelled. Families who need early drop-off can use the gym doors from 7:30. We will post again by 5am if anything changes.",
        "mentions" : [],
        "cashtags" : [],
        "hashtags" : []
      }
    }
  }
]