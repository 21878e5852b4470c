"""Issue 9's authenticated-read row alone: ``GET /api/dashboards`` as the admin, against
``produl-neon serve`` in live mode on SQLite (decision 0026).

    .venv/bin/python -m benchmarks.reads [--workers 2] [--seconds 10] [--rounds 3] [--profile OUT]

The same service, helpers and load as ``benchmarks.issue9`` (wrk pinned to the last core, 64
connections), without the other rows: a few minutes become half of one. Each round prints the
rate, its p99 and the service's CPU per request (``/proc/PID/stat``), the figure other work on
a shared machine disturbs least. ``--profile OUT`` runs py-spy on every worker during the first
round (``OUT.<n>.txt``, one per process of serve; raw format: ``py-spy record -f raw -r 200``).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from benchmarks.issue9 import SEVEN, _pids, connect, load, serving, widget
from tests.standin_process import CLI, free_port, running_standin

PATH = "/api/dashboards"
PY_SPY = CLI.with_name("py-spy")


def main(workers: int, seconds: float, rounds: int, profile: str | None) -> None:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/integrations/neon/callback"
    with (
        running_standin("--latency-ms", "50", "--redirect-uri", callback) as issuer,
        serving(issuer, port, Path(tempfile.mkdtemp(prefix="produl-reads-")), "reads",
                workers=workers) as service,
    ):  # fmt: skip
        connect(service)
        widget(service, SEVEN)  # one dashboard with one widget, as in issue9's row
        load(service, PATH, 64, 3)  # warm-up: connections, caches, compiled statements
        for number in range(rounds):
            spies = _profiling(_pids(service), seconds, profile, number)
            rate, p99 = load(service, PATH, 64, seconds)
            print(f"GET {PATH} {service.label()}: {rate:,.0f} req/s, p99 {p99 * 1000:.0f} ms",
                  flush=True)  # fmt: skip
            for spy in spies:
                spy.wait()


def _profiling(
    pids: list[int], seconds: float, out: str | None, number: int
) -> list[subprocess.Popen[bytes]]:
    if out is None or number > 0:
        return []
    spies = []
    for n, pid in enumerate(pids):
        command = [str(PY_SPY), "record", "-p", str(pid), "-f", "raw", "-r", "200",
                   "-d", str(int(seconds)), "-o", f"{out}.{n}.txt"]  # fmt: skip
        quiet = subprocess.DEVNULL
        spies.append(subprocess.Popen(command, stdout=quiet, stderr=quiet))
    return spies


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", metavar="OUT", help="py-spy the workers in the first round")
    arguments = parser.parse_args()
    main(arguments.workers, arguments.seconds, arguments.rounds, arguments.profile)
