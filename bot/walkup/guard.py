"""What keeps a walk-up form on a wall safe: CSRF tokens tied to the form's address (signed with the store's own
secret, so any process accepts what another served, and timed on the settable clock), rate limits per address and
per client, and the client's address as trusted proxies report it.

The limits are counted per process (a form's visitors reach one process at a time behind most load balancers;
several processes each allow their own share) and per form address: behind a hospital's NAT every device shares
one client address, and one ward's kiosk must not use up another ward's form."""

from __future__ import annotations

import secrets
import threading
from collections import deque
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import TYPE_CHECKING, Any

from bot import cache
from bot.clock import Clock
from storage import walkup
from storage.db import Database

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

CSRF_MAX_AGE = timedelta(hours=2)  # a form left open longer is shown again, with what was typed kept
NONCE_BYTES = 16  # a token's random part: 32 hex digits
SECRET_NAME = "walkup_csrf"  # noqa: S105 (the secret's name in the store, not a secret)
PER_ADDRESS = (30, timedelta(minutes=10))  # submissions to one form address in any 10 minutes
PER_CLIENT = (10, timedelta(minutes=10))  # submissions to one form address from one client in any 10 minutes
TRACKED_KEYS = 20_000  # addresses and clients remembered at once (least recently used forgotten first)


class CsrfExpired(Exception):
    """The form's CSRF token was right but is older than CSRF_MAX_AGE."""


class CsrfInvalid(Exception):
    """The form's CSRF token is missing, forged, or for another address."""


class CsrfTokens:
    """CSRF tokens for a form address: `issue` one into the page, `check` it when the form comes back."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._serializer: URLSafeTimedSerializer | None = None
        self._lock = threading.Lock()

    def _signed(self) -> URLSafeTimedSerializer:
        # itsdangerous is imported with the first form served (as Jinja2 is): not in a process that serves none.
        from itsdangerous import TimestampSigner, URLSafeTimedSerializer

        with self._lock:
            if self._serializer is None:
                with self._db.write() as session:
                    key = walkup.secret(session, SECRET_NAME, secrets.token_hex(32), self._clock.now())
                clock = self._clock

                class ClockSigner(TimestampSigner):
                    # itsdangerous reads time.time(); the bot's clock is the one tests can set.
                    def get_timestamp(self) -> int:
                        return int(clock.now().timestamp())

                self._serializer = URLSafeTimedSerializer(key, salt="kaizen-walkup-form", signer=ClockSigner)
            return self._serializer

    def issue(self, token_hash: str) -> str:
        """A token for one sending of the form at the address whose token has this hash (a random part makes each
        page's token its own: see `spend`)."""
        return str(self._signed().dumps([token_hash, secrets.token_hex(NONCE_BYTES)]))

    def check(self, given: str, token_hash: str) -> str:
        """The token's random part, when `given` was issued for this address; raises CsrfInvalid unless it was,
        CsrfExpired when it is too old."""
        from itsdangerous import BadData, SignatureExpired

        try:
            value: Any = self._signed().loads(given, max_age=int(CSRF_MAX_AGE.total_seconds()))
        except SignatureExpired as error:
            expired = self._signed().load_payload(error.payload) if error.payload is not None else None
            raise (CsrfExpired if _address(expired) == token_hash else CsrfInvalid) from None
        except BadData:
            raise CsrfInvalid from None
        if _address(value) != token_hash:
            raise CsrfInvalid
        return str(value[1])

    def spend(self, nonce: str) -> bool:
        """Use up a checked token (its random part): false when it sent an idea already (the back button, a second
        press), which is then thanked again and not raised twice."""
        now = self._clock.now()
        with self._db.write() as session:
            return walkup.spend(session, nonce, now, now - CSRF_MAX_AGE - timedelta(minutes=5))


def _address(payload: Any) -> str | None:
    """The address hash a token's payload names; None for anything not shaped as `issue` makes them."""
    if isinstance(payload, list) and len(payload) == 2 and all(isinstance(part, str) for part in payload):
        return str(payload[0])
    return None


class RateLimits:
    """Sliding-window counts of submissions per form address and per client address, on the bot's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        longest = max(PER_ADDRESS[1], PER_CLIENT[1])
        self._seen: cache.Cached[tuple[str, str], deque[Any]] = cache.timed(clock, longest, TRACKED_KEYS)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], window: timedelta) -> deque[Any]:
        now = self._clock.now()
        times = self._seen.get(key) or deque()
        while times and now - times[0] >= window:
            times.popleft()
        self._seen.put(key, times)
        return times

    def allow(self, token_hash: str, client: str) -> bool:
        """Count one submission to the address from `client` (counted per address: one ward's kiosk never uses up
        another ward's form); false, nothing counted, when either is over its limit: ask them to try again in a
        minute."""
        with self._lock:
            by_client = self._recent(("client", f"{token_hash}:{client}"), PER_CLIENT[1])
            by_address = self._recent(("address", token_hash), PER_ADDRESS[1])
            if len(by_client) >= PER_CLIENT[0] or len(by_address) >= PER_ADDRESS[0]:
                return False
            now = self._clock.now()
            by_client.append(now)
            by_address.append(now)
            return True


def client_address(remote: str, forwarded_for: str | None, trusted: tuple[IPv4Network | IPv6Network, ...]) -> str:
    """The client's address: the peer's (`remote`), unless the peer is one of the `trusted` proxies, when it is the
    last address in X-Forwarded-For that is not itself a trusted proxy (a client can write anything at its start).
    Anything that does not parse counts as what the peer said."""

    def is_trusted(value: str) -> bool:
        try:
            address = ip_address(value.strip())
        except ValueError:
            return False
        return any(address in network for network in trusted)

    if not trusted or not is_trusted(remote) or not forwarded_for:
        return remote
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not is_trusted(hop):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote
    return remote
