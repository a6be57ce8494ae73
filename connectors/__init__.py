"""Sources: X (tweepy), Facebook and Instagram (facebook-sdk), exports, the simulated district.

Every connector turns what a platform returns into ``RawPage`` records (the body exactly as
received) handed to a ``PageSink``; normalization happens later, in the warehouse.
"""
