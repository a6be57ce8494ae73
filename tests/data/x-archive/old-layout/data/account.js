window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "comms@example.org",
      "createdVia" : "web",
      "username" : "lincolnusd_old_demo",
      "accountId" : "1490000000000000003",
      "createdAt" : "2012-05-01T16:00:00.000Z",
      "accountDisplayName" : "Lincoln USD (synthetic, 2020 export)"
    }
  }
]