"""Test doubles of Slack, shared by the tests and the benchmarks.

- `doubles.slack`: a loopback Slack Web API (and OAuth) double that validates what the bot sends.
- `doubles.socket_mode`: a Socket Mode WebSocket server double.
- `doubles.driver`: sends what Slack sends to the bot: signed HTTP requests in Slack's real shapes, built by
  `doubles.payloads` (view submissions' state by `doubles.view_state`).

Nothing here is imported by the product (bot/, handlers/, storage/).
"""
