"""Work beside the web server: outbox delivery threads and the (leader-elected) scheduler.

``hgj worker`` runs only them: as ``hgj serve``'s child (``bot.delivery_process``), or on its own
for deployments with several processes (several hosts: PostgreSQL). With ``[server] delivery =
"thread"`` ``hgj serve`` runs them in the web process. Delivery is safe with any number of workers (see
``bot.outbound.worker``), and one scheduler leads per database whatever the engine
(``scheduler.runner``): a worker beside ``hgj serve`` stands by.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from bot.clock import Clock
from bot.outbound.worker import DeliveryWorker
from bot.settings import Settings

log = logging.getLogger(__name__)


class Background:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        delivery_threads: int = 1,
        scheduler: bool = True,
    ) -> None:
        from scheduler.runner import SchedulerRunner

        self.stop_event = threading.Event()
        self.workers = [
            DeliveryWorker(engine=engine, settings=settings, clock=clock) for _ in range(delivery_threads)
        ]
        self.runner = SchedulerRunner(engine=engine, clock=clock, settings=settings) if scheduler else None
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for worker in self.workers:
            thread = threading.Thread(
                target=worker.run_forever,
                args=(self.stop_event,),
                name=f"hgj-delivery-{worker.name}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)
        if self.runner is not None:
            self.runner.start()
        log.info(
            "background: %d delivery worker(s), scheduler %s",
            len(self.workers),
            "on" if self.runner else "off",
        )

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join()
        for worker in self.workers:
            worker.client.close()
        if self.runner is not None:
            self.runner.stop()
