"""Benchmarks of kaizen-bot: `python -m bench` (see bench/README.md).

Everything runs on loopback against Slack doubles, in temporary directories; nothing is written into the repo.
"""
