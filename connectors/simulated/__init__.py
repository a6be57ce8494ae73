"""A seeded simulated district served to tweepy and facebook-sdk through transport adapters."""
