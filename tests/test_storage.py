"""The store on a real SQLite file: migrations, UTC times, and idea numbers that are per workspace, never reused
and never doubled, also when threads and processes raise at the same time."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from bot.clock import SettableClock
from bot.ideas.workflow import InvalidIdea, NewIdea, raise_idea
from storage.db import Database, WriterQueue
from storage.migrate import is_up_to_date, upgrade
from storage.models import Idea, IdeaEvent, IdeaStatus, Team, Workspace
from tests.conftest import START, eventually


def _new(
    problem: str = "The fridge is leaking", *, workspace: str = "T1", channel: str = "C1", **extra: object
) -> NewIdea:
    return NewIdea(
        workspace_id=workspace,
        channel_id=channel,
        channel_name="ward-7",
        author_id="U_ALICE",
        problem=problem,
        **extra,  # type: ignore[arg-type]
    )


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _numbers(db: Database, workspace: str) -> list[int]:
    with db.read() as session:
        return list(session.scalars(select(Idea.number).where(Idea.workspace_id == workspace).order_by(Idea.number)))


# --- migrations ---------------------------------------------------------------------------------------------


def test_a_new_file_is_not_up_to_date_until_upgraded(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        assert is_up_to_date(database) is False
        upgrade(database)
        assert is_up_to_date(database) is True
    finally:
        database.dispose()


def test_upgrading_twice_is_harmless(db: Database, clock: SettableClock) -> None:
    raise_idea(db, clock, _new())
    upgrade(db)
    assert is_up_to_date(db)
    assert _numbers(db, "T1") == [1]
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_a_second_database_object_on_the_same_file_sees_it_up_to_date(db: Database, database_url: str) -> None:
    other = Database(database_url)
    try:
        assert is_up_to_date(other)
        upgrade(other)
        assert is_up_to_date(other)
    finally:
        other.dispose()


# --- UTC times ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/London")),  # just after the clocks went forward
        datetime(2026, 7, 1, 23, 59, 59, tzinfo=ZoneInfo("Pacific/Auckland")),
    ],
)
def test_utc_datetime_round_trips_an_aware_time(db: Database, when: datetime) -> None:
    with db.write() as session:
        session.add(Workspace(id="T1", last_idea_number=0, created_at=when))
    with db.read() as session:
        stored = session.get(Workspace, "T1")
        assert stored is not None
        back = stored.created_at
    assert back.tzinfo is not None
    assert back.utcoffset() == timedelta(0)
    assert back == when.astimezone(UTC)  # the same instant, to the microsecond


def test_utc_datetime_refuses_a_naive_time_and_writes_nothing(db: Database) -> None:
    naive = datetime(2026, 11, 25, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(StatementError) as raised, db.write() as session:
        session.add(Workspace(id="T1", last_idea_number=0, created_at=naive))
        session.flush()
    assert isinstance(raised.value.orig, ValueError)
    assert "naive" in str(raised.value.orig)
    assert _count(db, Workspace) == 0


def test_a_raised_idea_keeps_the_clocks_time(db: Database) -> None:
    when = datetime(2026, 6, 1, 8, 15, 30, 250000, tzinfo=ZoneInfo("Europe/London"))
    idea = raise_idea(db, SettableClock(when), _new()).idea
    with db.read() as session:
        stored = session.get(Idea, idea.id)
        assert stored is not None
        assert stored.created_at == datetime(2026, 6, 1, 7, 15, 30, 250000, tzinfo=UTC)
        assert stored.created_at.utcoffset() == timedelta(0)


# --- idea numbers -------------------------------------------------------------------------------------------


def test_numbers_count_up_per_workspace(db: Database, clock: SettableClock) -> None:
    got = []
    for workspace in ("T1", "T1", "T2", "T1", "T2"):
        got.append((workspace, raise_idea(db, clock, _new(workspace=workspace, channel=f"C_{workspace}")).idea.number))
    assert got == [("T1", 1), ("T1", 2), ("T2", 1), ("T1", 3), ("T2", 2)]
    assert _numbers(db, "T1") == [1, 2, 3]
    assert _numbers(db, "T2") == [1, 2]


def test_a_channel_is_one_team_filed_under_the_workspace_that_set_it_up(db: Database, clock: SettableClock) -> None:
    # Slack Connect: someone of the other organisation names their own workspace for the same channel.
    first = raise_idea(db, clock, _new(workspace="T1", channel="C1")).idea
    partner = raise_idea(db, clock, _new(workspace="T_PARTNER", channel="C1")).idea
    assert (partner.workspace_id, partner.team_id, partner.number) == ("T1", first.team_id, 2)
    assert _count(db, Team) == 1
    assert _numbers(db, "T1") == [1, 2]
    assert _numbers(db, "T_PARTNER") == []


def test_numbers_are_shared_by_the_channels_of_a_workspace(db: Database, clock: SettableClock) -> None:
    assert raise_idea(db, clock, _new(channel="C1")).idea.number == 1
    assert raise_idea(db, clock, _new(channel="C2")).idea.number == 2
    assert raise_idea(db, clock, _new(channel="C1")).idea.number == 3
    assert _count(db, Team) == 2


def test_a_raised_idea_is_stored_with_its_first_event(db: Database, clock: SettableClock) -> None:
    idea = raise_idea(db, clock, _new("  The fridge is leaking  ", idea="  Call estates  ")).idea
    with db.read() as session:
        stored = session.get(Idea, idea.id)
        assert stored is not None
        assert stored.problem == "The fridge is leaking"
        assert stored.idea == "Call estates"
        assert stored.status == IdeaStatus.NEW
        assert stored.owner_id == "U_ALICE"
        events = list(session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id)))
    assert [(event.kind, event.to_status, event.actor_id) for event in events] == [("created", "new", "U_ALICE")]


def test_numbers_are_never_reused(db: Database, clock: SettableClock) -> None:
    for _ in range(3):
        raise_idea(db, clock, _new())
    with db.write() as session:
        last_id = session.execute(text("SELECT id FROM ideas WHERE workspace_id = 'T1' AND number = 3")).scalar_one()
        session.execute(text("DELETE FROM idea_events WHERE idea_id = :id"), {"id": last_id})
        session.execute(text("DELETE FROM outbox WHERE idea_id = :id"), {"id": last_id})
        session.execute(text("DELETE FROM ideas WHERE id = :id"), {"id": last_id})
    assert _numbers(db, "T1") == [1, 2]
    assert raise_idea(db, clock, _new()).idea.number == 4
    assert _numbers(db, "T1") == [1, 2, 4]
    with db.read() as session:
        workspace = session.get(Workspace, "T1")
        assert workspace is not None
        assert workspace.last_idea_number == 4


@pytest.mark.parametrize("problem", ["", "   ", "\n\t "])
def test_an_invalid_idea_leaves_nothing_behind(db: Database, clock: SettableClock, problem: str) -> None:
    with pytest.raises(InvalidIdea) as raised:
        raise_idea(db, clock, _new(problem))
    assert "problem" in raised.value.errors
    assert _count(db, Workspace) == 0
    assert _count(db, Team) == 0
    assert _count(db, Idea) == 0
    assert _count(db, IdeaEvent) == 0


def test_an_invalid_idea_uses_up_no_number_and_creates_no_team(db: Database, clock: SettableClock) -> None:
    assert raise_idea(db, clock, _new(channel="C1")).idea.number == 1
    with pytest.raises(InvalidIdea):
        raise_idea(db, clock, _new("x" * 5000, channel="C_NEW"))
    with pytest.raises(InvalidIdea):
        raise_idea(db, clock, _new("fine", channel="C_NEW", category="not-a-category"))
    assert _count(db, Team) == 1
    assert _count(db, Idea) == 1
    assert raise_idea(db, clock, _new(channel="C1")).idea.number == 2


THREADS = 8
PER_THREAD = 10


@pytest.mark.parametrize("shared", [True, False], ids=["one-database-object", "one-per-thread"])
def test_concurrent_threads_get_distinct_numbers(database_url: str, clock: SettableClock, shared: bool) -> None:
    url = database_url
    main = Database(url)
    upgrade(main)
    barrier = threading.Barrier(THREADS)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        database = main if shared else Database(url)
        try:
            barrier.wait(timeout=30)
            for n in range(PER_THREAD):
                idea = raise_idea(database, clock, _new(f"problem {index}-{n}", channel=f"C{index % 3}")).idea
                with lock:
                    numbers.append(idea.number)
        except BaseException as error:  # reported by the test below
            with lock:
                errors.append(error)
        finally:
            if not shared:
                database.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        assert sorted(numbers) == list(range(1, THREADS * PER_THREAD + 1))
        assert _numbers(main, "T1") == list(range(1, THREADS * PER_THREAD + 1))
        assert _count(main, Team) == 3
        assert _count(main, IdeaEvent) == THREADS * PER_THREAD
    finally:
        main.dispose()


def _raise_in_another_process(url: str, count: int, barrier: object, results: object) -> None:
    """Runs in a spawned process: its own Database on the same file."""
    database = Database(url)
    clock = SettableClock(START)
    numbers: list[int] = []
    try:
        barrier.wait(timeout=60)  # type: ignore[attr-defined]
        for n in range(count):
            numbers.append(raise_idea(database, clock, _new(f"from a process {n}")).idea.number)
        results.put(("ok", numbers))  # type: ignore[attr-defined]
    except BaseException as error:  # sent back to the test
        results.put(("error", f"{type(error).__name__}: {error}"))  # type: ignore[attr-defined]
    finally:
        database.dispose()


@pytest.mark.slow
def test_concurrent_processes_get_distinct_numbers(database_url: str) -> None:
    processes_count, per_process = 3, 15
    url = database_url
    setup = Database(url)
    upgrade(setup)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes_count)
    results = context.Queue()
    processes = [
        context.Process(target=_raise_in_another_process, args=(url, per_process, barrier, results))
        for _ in range(processes_count)
    ]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=180) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
    try:
        assert [kind for kind, _ in outcomes] == ["ok"] * processes_count, outcomes
        numbers = sorted(number for _, got in outcomes for number in got)
        assert numbers == list(range(1, processes_count * per_process + 1))
        assert _numbers(setup, "T1") == numbers
        assert all(process.exitcode == 0 for process in processes)
    finally:
        setup.dispose()


def test_a_writer_an_ack_waits_on_goes_before_queued_background_writers() -> None:
    queue = WriterQueue()
    order: list[str] = []
    release = threading.Event()

    def write(name: str, urgent: bool) -> None:
        with queue.hold(urgent):
            order.append(name)
            if name == "first":
                release.wait(5)

    first = threading.Thread(target=write, args=("first", False))
    first.start()
    eventually(lambda: order == ["first"])
    background = [threading.Thread(target=write, args=(f"background {i}", False)) for i in range(3)]
    for thread in background:
        thread.start()
    eventually(lambda: queue.waiting() == (0, 3))
    ack = threading.Thread(target=write, args=("ack", True))
    ack.start()
    eventually(lambda: queue.waiting() == (1, 3))
    release.set()
    for thread in [first, ack, *background]:
        thread.join(5)
    assert order[:2] == ["first", "ack"]
    assert sorted(order[2:]) == ["background 0", "background 1", "background 2"]
    assert queue.waiting() == (0, 0)


def test_a_writer_holding_the_queue_may_take_it_again() -> None:
    queue = WriterQueue()
    with queue.hold(urgent=False), queue.hold(urgent=True):  # would wait on itself forever if not re-entrant
        assert queue.waiting() == (0, 0)
    taken = threading.Event()

    def other() -> None:
        with queue.hold(urgent=False):
            taken.set()

    threading.Thread(target=other).start()
    assert taken.wait(5), "released only when the outer hold ended"


def test_an_error_inside_a_write_lets_the_next_writer_in(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write():
        raise RuntimeError("half-way")
    done = threading.Event()

    def write() -> None:
        with db.write(urgent=True) as session:
            session.execute(text("SELECT 1"))
        done.set()

    threading.Thread(target=write).start()
    assert done.wait(5)
