"""Offline detectors: each scores a batch of items and has a version that keys its cache."""
