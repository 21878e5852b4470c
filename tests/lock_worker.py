"""A separate process taking the refresh lock: python -m tests.lock_worker URL CONN LOG ROUNDS."""

from __future__ import annotations

import asyncio
import os
import sys

from adapters.outbound.sql.database import Database
from bootstrap.storage import refresh_lock


async def main(url: str, connection_id: str, log_path: str, rounds: int) -> None:
    db = Database(url)
    lock = refresh_lock(db)
    try:
        for _ in range(rounds):
            async with lock.hold(connection_id):
                with open(log_path, "a") as log:
                    log.write(f"enter {os.getpid()}\n")
                await asyncio.sleep(0.05)
                with open(log_path, "a") as log:
                    log.write(f"leave {os.getpid()}\n")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
