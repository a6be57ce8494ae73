"""Policy checks: detectors, rules and one policy pack per district."""
