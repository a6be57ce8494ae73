"""What the office sees: weekly dashboard, exception reports and alerts."""
