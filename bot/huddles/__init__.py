"""Daily huddles: when one is due (times.py), posting it once (daily.py), setting it up (setup.py)."""
