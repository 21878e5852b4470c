"""Stress the cross-process refresh: many trials of the race the suite runs three times.

    .venv/bin/python -m benchmarks.refresh_race [--trials 20] [--instances 4] [--renders 50]

Starts a throwaway PostgreSQL, the stand-in for Neon (strict Hydra reuse rule) and N `produl-neon
serve` processes; each trial waits for the access token to expire, then renders from every
instance at once. Prints each trial and the totals: trials, failed renders, refreshes, and reuse
detections (each one would have logged a customer out).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from tests.cluster import race, running_cluster
from tests.postgres import throwaway_server


def main(trials: int, instances: int, renders: int, access_ttl: int) -> None:
    totals = {"trials": 0, "failed renders": 0, "refreshes": 0, "reuse detections": 0}
    bad_trials = 0
    with (
        throwaway_server() as postgres,
        running_cluster(postgres, instances, access_ttl) as cluster,
    ):
        for number in range(1, trials + 1):
            started = time.perf_counter()
            trial = asyncio.run(race(cluster, renders))
            seconds = time.perf_counter() - started - access_ttl - 0.3
            print(f"trial {number:3}: {trial.renders} renders in {seconds:.2f} s, "
                  f"statuses {trial.statuses}, refreshes {trial.refreshes}, "
                  f"reuse detections {trial.reuse_detections}", flush=True)  # fmt: skip
            totals["trials"] += 1
            totals["failed renders"] += trial.failures
            totals["refreshes"] += trial.refreshes
            totals["reuse detections"] += trial.reuse_detections
            bad_trials += trial.failures > 0 or trial.refreshes != 1 or trial.reuse_detections > 0
    print(", ".join(f"{name}: {value}" for name, value in totals.items()))
    print(f"trials with anything but 1 refresh and 0 failures: {bad_trials}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--instances", type=int, default=4)
    parser.add_argument("--renders", type=int, default=50, help="concurrent renders per instance")
    parser.add_argument("--access-ttl", type=int, default=8, help="the stand-in's token lifetime")
    arguments = parser.parse_args()
    main(arguments.trials, arguments.instances, arguments.renders, arguments.access_ttl)
