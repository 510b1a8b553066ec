"""Daily huddles: when one is due (times.py), posting it once (daily.py), a team's schedule (schedule.py), its
set-up form (setup.py), pausing a team whose channel takes no posts and resuming it (pauses.py)."""
