"""Group commit: messages that arrive while others are being handled are handled together.

Each ``submit`` queues its message and waits. Whenever a worker is free, the batcher takes
the queued messages (up to ``max_batch``) of people who have no message in flight, in order
of arrival, and hands them to ``handle_batch`` on the executor. One person's messages never
run in two batches at once, so one conversation is still processed at a time per person.
At low traffic a batch is one message and nothing waits for company.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from bot.logs import REQUEST_ID, REQUEST_OF
from bot.message import Message
from bot.replies import Reply

# Loop turns from bytes arriving on a socket to the request's message reaching ``submit``.
GATHER_TURNS = 3

# A message's replies, or why it is refused (a replay: its future raises it).
Outcome = list[Reply] | Exception
BatchHandler = Callable[[Sequence[Message]], Sequence[Outcome]]


@dataclass
class _Queue:
    """What waits and what runs, for one event loop."""

    waiting: list[tuple[Message, asyncio.Future[list[Reply]]]] = field(default_factory=list)
    busy_users: set[str] = field(default_factory=set)
    in_flight: int = 0
    request_ids: dict[asyncio.Future[list[Reply]], str] = field(default_factory=dict)  # for log lines


class Batcher:
    def __init__(
        self,
        handle_batch: BatchHandler,
        *,
        executor: Executor,
        in_flight: int,
        max_batch: int,
        try_now: Callable[[Sequence[Message]], Sequence[Outcome] | None] | None = None,
    ) -> None:
        """``try_now``, if given, may handle a batch right on the event loop (None: it could not)."""
        self.handle_batch = handle_batch
        self.try_now = try_now
        self.executor = executor
        self.max_in_flight = in_flight
        self.max_batch = max_batch
        # Per event loop: the app normally has one, tests may run several in turn.
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )

    async def submit(self, message: Message) -> list[Reply]:
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        future: asyncio.Future[list[Reply]] = loop.create_future()
        queue.waiting.append((message, future))
        queue.request_ids[future] = REQUEST_ID.get()
        self._pump(loop, queue)
        return await future

    def _pump(self, loop: asyncio.AbstractEventLoop, queue: _Queue) -> None:
        if queue.in_flight < self.max_in_flight and queue.waiting:
            queue.in_flight += 1
            loop.create_task(self._gather_then_run(loop, queue))

    async def _gather_then_run(self, loop: asyncio.AbstractEventLoop, queue: _Queue) -> None:
        """Before starting a batch, let requests already received join it: without this, the
        first message after a batch would go alone and the rest wait for it."""
        for _ in range(GATHER_TURNS):
            await asyncio.sleep(0)
        batch = self._take(queue)
        if not batch:
            queue.in_flight -= 1
            return
        self._pump(loop, queue)  # more workers free and more people waiting: another batch
        await self._run(loop, queue, batch)

    def _take(self, queue: _Queue) -> list[tuple[Message, asyncio.Future[list[Reply]]]]:
        """The next batch: waiting messages of people not in flight, each person's in order."""
        batch, left, blocked = [], [], set()
        for item in queue.waiting:
            user = item[0].user_key
            if user in queue.busy_users or user in blocked or len(batch) >= self.max_batch:
                left.append(item)
                blocked.add(user)  # a person's later messages never overtake an earlier one
            else:
                batch.append(item)
        queue.waiting = left
        queue.busy_users.update(message.user_key for message, _ in batch)
        return batch

    @staticmethod
    def _log_context(
        queue: _Queue, batch: list[tuple[Message, asyncio.Future[list[Reply]]]]
    ) -> contextvars.Context:
        """What the batch's log lines carry, on the loop and in a worker thread: every request id
        in the batch, and for each message its own (``bot.logs``)."""
        ids = {message.dedupe_key: queue.request_ids.pop(future, "") for message, future in batch}
        context = contextvars.copy_context()
        context.run(REQUEST_ID.set, ",".join(dict.fromkeys(i for i in ids.values() if i)))
        context.run(REQUEST_OF.set, ids)
        return context

    async def _run(
        self,
        loop: asyncio.AbstractEventLoop,
        queue: _Queue,
        batch: list[tuple[Message, asyncio.Future[list[Reply]]]],
    ) -> None:
        messages = [message for message, _ in batch]
        context = self._log_context(queue, batch)
        try:
            results = context.run(self.try_now, messages) if self.try_now is not None else None
            if results is None:
                results = await loop.run_in_executor(self.executor, context.run, self.handle_batch, messages)
        except BaseException as exc:  # the handler catches its own errors; this is a last resort
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future), outcome in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        finally:
            queue.in_flight -= 1
            queue.busy_users.difference_update(message.user_key for message in messages)
            self._pump(loop, queue)
