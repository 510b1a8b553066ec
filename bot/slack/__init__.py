"""Slack itself: the one Web API gateway, Block Kit limits, the HTTP server, Socket Mode, OAuth, the manifest."""
