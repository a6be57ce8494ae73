window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "comms@example.org",
      "createdVia" : "web",
      "username" : "lincolnusd_demo",
      "accountId" : "1490000000000000001",
      "createdAt" : "2022-03-01T16:00:00.000Z",
      "accountDisplayName" : "Lincoln Unified (synthetic)"
    }
  }
]