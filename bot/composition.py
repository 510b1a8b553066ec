"""The composition root: the one place that builds the running bot. It makes the store, the clock and the Slack
gateway, builds every product object with exactly what it uses, registers the handlers on Bolt's app and starts
the scheduler's jobs. Nothing in bot/, handlers/ or storage/ imports this module; the CLI, the tests and the
bench do.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App, BoltResponse

import handlers
from bot import jobs
from bot.clock import Clock, SystemClock
from bot.delivery.inbox import Inbox
from bot.delivery.outbox import Outbox
from bot.huddles.daily import Huddles
from bot.huddles.setup import HuddleSetup
from bot.i18n import missing_catalogs, reading
from bot.ideas.approvals import Approvals, Reconciler
from bot.ideas.capture import Capture
from bot.ideas.channels import TeamChannels
from bot.ideas.delivery import Delivery
from bot.ideas.escalation import Escalations
from bot.ideas.export import TeamExport
from bot.ideas.home import Home
from bot.ideas.lifecycle import Lifecycle
from bot.ideas.raising import Raising
from bot.ideas.spreading import Spreading
from bot.ideas.workflow import Workflow
from bot.logs import BOLT_LOGGER
from bot.personal_data.erasure import Erasure
from bot.personal_data.retention import Retention
from bot.personal_data.subject_access import SubjectAccess
from bot.privacy.identifiers import PatientIdGuard
from bot.settings import Settings, SettingsError
from bot.slack import manifest as slack_manifest
from bot.slack.clients import SlackClients
from bot.slack.gateway import SlackGateway
from bot.slack.installations import Installations
from bot.slack.sorry import tell_person_sorry
from bot.stats import Stats
from bot.teams.access import ChannelAccess
from bot.teams.appointments import Appointments
from bot.teams.emojis import ApproveEmojis
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from bot.teams.members import HumanMembers
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from bot.teams.tiers import Tiers
from bot.walkup.addresses import FormAddresses
from bot.walkup.guard import CsrfTokens, RateLimits
from bot.walkup.poster import FormPosters
from bot.walkup.visitors import Visitors
from handlers import (
    actions,
    card_actions,
    card_views,
    charts,
    commands,
    events,
    personal_data,
    shortcuts,
    tier_links,
    views,
    walkup_commands,
    walkup_review,
    web_form,
)
from handlers import (
    spreading as spread_handlers,
)
from handlers.tenancy import body_language
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)

# Bolt runs every listener, ack and post-ack work alike, on this pool and answers Slack once the listener acks; a
# pool as small as Bolt's default (5) makes acks queue behind other requests' post-ack work (posting cards, opening
# modals, waiting out Slack's rate limit). 32 took 7 MB less at the morning peak (about 200 KB a thread) but put
# the p99 of modals and submissions at concurrency 50 at 1.7-1.9x the minimal app's (`python -m bench acks`).
LISTENER_THREADS = 64


@dataclass
class Kaizen:
    """The wired bot: every long-lived object, built once by `compose`. Only the CLI, tests and the bench hold
    it; product code receives the single objects it uses."""

    settings: Settings
    db: Database
    clock: Clock
    gateway: SlackGateway
    installations: Installations | None
    outbox: Outbox
    inbox: Inbox
    tenancy: Tenancy
    members: HumanMembers
    leaders: Leaders
    access: ChannelAccess
    lifecycle: Lifecycle
    emojis: ApproveEmojis
    home: Home
    delivery: Delivery
    approvals: Approvals
    reconciler: Reconciler
    capture: Capture
    raising: Raising
    stats: Stats
    huddles: Huddles
    workflow: Workflow
    permissions: Permissions
    appointments: Appointments
    team_channels: TeamChannels
    tiers: Tiers
    escalations: Escalations
    spreading: Spreading
    huddle_setup: HuddleSetup
    exports: TeamExport
    languages: Languages
    retention: Retention
    erasure: Erasure
    subject_access: SubjectAccess
    form_addresses: FormAddresses
    visitors: Visitors
    pages: web_form.WalkUpPages

    def close(self) -> None:
        """Stop the inbox's workers, a retention run and the walk-up card senders, and release the database's
        connections."""
        self.retention.stop()
        self.inbox.close()
        self.visitors.close()
        self.db.dispose()


def compose(
    settings: Settings, *, clock: Clock | None = None, upgrade_db: bool = True, background: bool = False
) -> Kaizen:
    """Build the bot from its settings: the database (upgraded to the newest schema unless `upgrade_db` is false),
    the clock (the system's unless one is given) and every object. Talks to no one but the database.
    `background`: for a process that does only background work (`kaizen-bot worker`): its SQLite writes give way
    to the serving process's urgent ones (`storage.write_gate`)."""
    for language in missing_catalogs():
        log.error("The %s catalog is not compiled, so people who read it get English: run `make catalogs`", language)
    db = Database(settings.database_url, background=background)
    if upgrade_db:
        migrate.upgrade(db)
    clock = clock or SystemClock()
    installations = Installations(settings, db) if settings.oauth_enabled else None

    def token_for(workspace_id: str | None) -> str:
        # One workspace: the bot token; installed in several (OAuth): that workspace's, from the store.
        if installations is not None:
            return installations.bot_token(workspace_id)
        return settings.bot_token()

    gateway = SlackGateway(SlackClients(settings.slack_api_url), token_for)
    outbox = Outbox(db, clock, gateway, language=settings.kaizen_language)
    languages = Languages(db, settings, gateway, outbox.names)
    members = HumanMembers(gateway, clock)
    leaders = Leaders(db, clock, settings, gateway, languages)
    access = ChannelAccess(clock, gateway)
    guard = PatientIdGuard.from_settings(settings)
    lifecycle = Lifecycle(db, clock, languages, guard)
    emojis = ApproveEmojis(db, clock, settings.kaizen_approve_emoji)
    home = Home(db, clock, settings, gateway, access, leaders, languages)
    delivery = Delivery(outbox, home)
    capture = Capture(db, clock, gateway, outbox, members, languages, guard)
    approvals = Approvals(db, clock, settings, lifecycle, leaders, outbox, delivery, members, emojis, gateway, capture)
    stats = Stats(db, clock, settings, gateway, leaders, members, guard)
    raising = Raising(db, gateway, outbox.names)
    huddles = Huddles(db, clock, settings, gateway, outbox, leaders, emojis, stats, languages)
    workflow = Workflow(db, clock, access, guard)
    form_addresses = FormAddresses(db, clock, settings.kaizen_public_url)
    visitors = Visitors(db, clock, workflow, outbox, leaders, languages)
    csrf, rate_limits = CsrfTokens(db, clock), RateLimits(clock)
    pages = web_form.WalkUpPages(settings, form_addresses, csrf, rate_limits, visitors, languages)
    return Kaizen(
        settings=settings,
        db=db,
        clock=clock,
        gateway=gateway,
        installations=installations,
        outbox=outbox,
        inbox=Inbox(db, clock),
        tenancy=Tenancy(db),
        members=members,
        leaders=leaders,
        access=access,
        lifecycle=lifecycle,
        emojis=emojis,
        home=home,
        delivery=delivery,
        approvals=approvals,
        reconciler=Reconciler(db, clock, approvals),
        capture=capture,
        raising=raising,
        stats=stats,
        huddles=huddles,
        workflow=workflow,
        permissions=Permissions(leaders, db),
        appointments=Appointments(leaders, emojis, outbox),
        team_channels=TeamChannels(workflow, raising),
        tiers=Tiers(db, clock, outbox, raising.bot_is_member),
        escalations=Escalations(db, clock, lifecycle, guard),
        spreading=Spreading(db, clock, lifecycle),
        huddle_setup=HuddleSetup(
            huddles.schedules,
            settings,
            db=db,
            clock=clock,
            outbox=outbox,
            permissions=Permissions(leaders, db),
            leaders=leaders,
            languages=languages,
        ),
        exports=TeamExport(db, gateway),
        languages=languages,
        retention=Retention(db, clock, settings, outbox),
        erasure=Erasure(db, clock, settings),
        subject_access=SubjectAccess(db, clock, settings, gateway),
        form_addresses=form_addresses,
        visitors=visitors,
        pages=pages,
    )


def build_app(kaizen: Kaizen, *, socket_mode: bool = False) -> App:
    """Bolt's app with every handler registered. Raises SettingsError when the settings cannot work together
    (OAuth installs need HTTP mode) or a needed one is missing."""
    settings = kaizen.settings
    installations = kaizen.installations
    if installations is not None and socket_mode:
        raise SettingsError(
            "Setting SLACK_CLIENT_ID is set: installing in several workspaces needs HTTP mode (`kaizen-bot serve`); "
            "unset SLACK_CLIENT_ID/SLACK_CLIENT_SECRET to run in Socket Mode."
        )
    # One workspace: its bot token. Several: Bolt's OAuth flow installs, and authorizes each request's token.
    token = None if installations is not None else settings.bot_token()
    app = App(
        client=kaizen.gateway.bolt_client(token),
        oauth_settings=installations.oauth_settings() if installations is not None else None,
        installation_store=installations.installation_store if installations is not None else None,
        signing_secret="" if socket_mode else settings.require("slack_signing_secret"),
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="kaizen-listener"),
        logger=logging.getLogger(BOLT_LOGGER),
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        # The one place an unexpected failure lands: the traceback in the log, plain words to the person.
        log.error("Unhandled error for a %s request", body.get("type") or body.get("command"), exc_info=error)
        try:
            language = body_language(kaizen.languages, body)
        except Exception:  # the store may be what failed: the apology still goes out, in the bot's language
            log.warning("Could not tell which language to apologise in", exc_info=True)
            language = settings.kaizen_language
        with reading(language):
            tell_person_sorry(body)
        return None

    register_handlers(app, kaizen)
    return app


def register_handlers(app: App, k: Kaizen) -> None:
    """Each handler module gets the objects it uses, and nothing else."""
    walkup_form = walkup_commands.WalkUpCommands(
        k.form_addresses, k.permissions, k.team_channels, k.gateway, FormPosters(k.gateway, k.languages)
    )
    # First: the events middleware stores every delivery in the inbox before anything else sees it.
    events.register(
        app, inbox=k.inbox, tenancy=k.tenancy, approvals=k.approvals, home=k.home, huddles=k.huddles,
        installations=k.installations,
    )  # fmt: skip
    commands.register(
        app,
        commands.KaizenCommand(
            tenancy=k.tenancy, clock=k.clock, settings=k.settings, workflow=k.workflow, permissions=k.permissions,
            appointments=k.appointments, team_channels=k.team_channels, leaders=k.leaders, emojis=k.emojis,
            huddles=k.huddles, huddle_setup=k.huddle_setup, stats=k.stats, raising=k.raising, exports=k.exports,
            gateway=k.gateway, languages=k.languages, inbox=k.inbox,
            personal_data=personal_data.PersonalData(k.subject_access),
            walkup=walkup_form, tiers=tier_links.TierCommands(k.tiers, k.team_channels, k.permissions),
        ),
    )  # fmt: skip
    tier_links.register(app, tenancy=k.tenancy, tiers=k.tiers, permissions=k.permissions, languages=k.languages)
    personal_data.register(app, tenancy=k.tenancy, erasure=k.erasure, languages=k.languages)
    walkup_commands.register(app, commands=walkup_form, tenancy=k.tenancy, languages=k.languages)
    walkup_review.register(
        app, tenancy=k.tenancy, visitors=k.visitors, permissions=k.permissions, languages=k.languages
    )
    charts.draw_with(k.inbox, stats=k.stats, workflow=k.workflow, languages=k.languages)
    views.register(
        app,
        views.Submissions(
            k.tenancy,
            k.workflow,
            k.raising,
            k.outbox,
            k.permissions,
            k.appointments,
            k.huddle_setup,
            k.gateway,
            k.languages,
            k.capture,
        ),
    )
    actions.register(
        app,
        tenancy=k.tenancy,
        raising=k.raising,
        huddle_setup=k.huddle_setup,
        capture=k.capture,
        gateway=k.gateway,
        languages=k.languages,
    )
    card_actions.register(
        app, tenancy=k.tenancy, lifecycle=k.lifecycle, permissions=k.permissions, delivery=k.delivery,
        gateway=k.gateway, home=k.home, languages=k.languages, escalations=k.escalations,
    )  # fmt: skip
    card_views.register(
        app, tenancy=k.tenancy, lifecycle=k.lifecycle, permissions=k.permissions, delivery=k.delivery,
        outbox=k.outbox, gateway=k.gateway, languages=k.languages, escalations=k.escalations,
        team_channels=k.team_channels,
    )  # fmt: skip
    spread_handlers.register(
        app, tenancy=k.tenancy, spreading=k.spreading, leaders=k.leaders, team_channels=k.team_channels,
        delivery=k.delivery, outbox=k.outbox, gateway=k.gateway, languages=k.languages,
    )  # fmt: skip
    shortcuts.register(app, tenancy=k.tenancy, raising=k.raising, gateway=k.gateway, languages=k.languages)


def start_scheduler(kaizen: Kaizen, **seconds: float) -> BackgroundScheduler:
    """The periodic jobs of this process (see `bot.jobs`); `seconds` overrides their intervals (tests)."""
    return jobs.start_scheduler(
        outbox=kaizen.outbox,
        inbox=kaizen.inbox,
        reconciler=kaizen.reconciler,
        huddles=kaizen.huddles,
        retention=kaizen.retention,
        **seconds,
    )


def start_background(kaizen: Kaizen) -> BackgroundScheduler:
    """What a worker process runs (`kaizen-bot worker`): the inbox's event handlers, for applying the events the
    serving process stored, and the periodic jobs."""
    events.apply_with(
        kaizen.inbox, tenancy=kaizen.tenancy, approvals=kaizen.approvals, home=kaizen.home, huddles=kaizen.huddles,
        installations=kaizen.installations,
    )  # fmt: skip
    charts.draw_with(kaizen.inbox, stats=kaizen.stats, workflow=kaizen.workflow, languages=kaizen.languages)
    return start_scheduler(kaizen)


def manifest(http_base: str | None = None) -> dict[str, Any]:
    """The app's manifest for what the handlers handle (see `bot.slack.manifest.manifest`)."""
    return slack_manifest.manifest(handlers.WIRING, http_base)
