"""`python -m bench [--quick] [acks|socket|store|fanout|memory ...]`: run the benchmarks, print one table each.

Nothing is written into the repository: databases, logs and the doubles' state live in temp dirs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from bench.common import Table, clean_environment, code_line, load_line, machine_line

# benchmark name -> its module, which has run(quick) -> list[Table]. "socket" lives in bench.socket_acks: a
# bench/socket.py would shadow the standard library's socket for a script run from inside bench/.
MODULES = {
    "acks": "bench.acks", "socket": "bench.socket_acks", "store": "bench.store", "fanout": "bench.fanout",
    "memory": "bench.memory",
}  # fmt: skip
BENCHMARKS = tuple(MODULES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("benchmarks", nargs="*", metavar="BENCHMARK",
                        help=f"which to run: {', '.join(BENCHMARKS)} (default: all, in that order)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run (indicative figures only)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.benchmarks if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}: choose from {', '.join(BENCHMARKS)}")
    chosen = args.benchmarks or list(BENCHMARKS)
    clean_environment()
    print(machine_line())
    print(code_line())
    print(f"run: python -m bench {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(flush=True)
    tables: list[Table] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in chosen:
        before = load_line()
        began = time.perf_counter()
        try:
            module = importlib.import_module(MODULES[name])
            produced = module.run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        for table in produced:
            table.note(f"({name}: {time.perf_counter() - began:.0f} s; {before})")
            print(table.render(), end="\n\n", flush=True)
        tables += produced
    if len(tables) > 1:
        print(summary(tables).render(), end="\n\n")
    misses = [(table.title, what) for table in tables for what in table.misses]
    print(f"total {time.perf_counter() - started:.0f} s; " + (
        f"{len(misses)} MISS: " + "; ".join(f"{title.split(':')[0]} / {what}" for title, what in misses)
        if misses else "every target met"
    ))  # fmt: skip
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def summary(tables: list[Table]) -> Table:
    """One table of every judged figure of the run, by benchmark: what the README's Performance section shows."""
    table = Table("every target of this run", ["benchmark", "measure", "figure", "target", "verdict"], key_columns=2)
    for each in tables:
        name = each.title.split(":", 1)[0]
        for measure, figure, target, verdict in each.summary_rows():
            table.add(name, measure, figure, target, verdict)
    return table


if __name__ == "__main__":
    sys.exit(main())
