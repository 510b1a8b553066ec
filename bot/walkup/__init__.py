"""The walk-up form (product page, Walk-up form): a per-team web page at an unguessable, revocable address where
people who are not on Slack raise a problem or an idea. `addresses` issues, revokes and resolves the addresses (only
their hashes are stored); `guard` holds what keeps a form on a wall safe (CSRF tokens, rate limits, the client's
address behind trusted proxies); `visitors` turns a submission into a normal idea with its card."""
