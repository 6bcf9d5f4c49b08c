import asyncio

from telegram import Chat, Message, Update

from bot.lane import Lane

CHAT_A, CHAT_B = 1, 2


def update(update_id: int, chat_id: int, text: str = "hi") -> Update:
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat, text=text))


class Run:
    """Coroutines that record when they start and finish only when released."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}

    async def work(self, n: int) -> None:
        self.started.append(n)
        self.gates[n] = asyncio.Event()
        await self.gates[n].wait()

    def release(self, n: int) -> None:
        self.gates[n].set()


def crisis(u: Update) -> bool:
    return "help" in (u.effective_message.text or "")


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_one_update_per_chat_at_a_time_in_order():
    lane, run = Lane(crisis), Run()
    tasks = [asyncio.create_task(lane.process_update(update(n, CHAT_A), run.work(n)))
             for n in range(3)]
    await settle()
    assert run.started == [0]
    run.release(0)
    await settle()
    assert run.started == [0, 1]
    run.release(1)
    await settle()
    run.release(2)
    await asyncio.gather(*tasks)
    assert run.started == [0, 1, 2]


async def test_chats_take_turns_and_a_crisis_skips_every_queue():
    lane, run = Lane(crisis, slots=1), Run()
    tasks = [asyncio.create_task(lane.process_update(update(n, CHAT_A), run.work(n)))
             for n in range(3)]
    tasks.append(asyncio.create_task(lane.process_update(update(10, CHAT_B), run.work(10))))
    await settle()
    tasks.append(asyncio.create_task(lane.process_update(update(99, 3, "help me"),
                                                         run.work(99))))
    await settle()
    assert run.started == [0, 99]
    run.release(0)
    await settle()
    assert run.started == [0, 99, 10]
    for n in (99, 10, 1):
        run.release(n)
        await settle()
    run.release(2)
    await asyncio.gather(*tasks)
    assert run.started == [0, 99, 10, 1, 2]
    assert lane.crises == 1


async def test_a_flooding_chat_drops_its_oldest_waiting_updates():
    lane, run = Lane(crisis, per_chat=2), Run()
    tasks = [asyncio.create_task(lane.process_update(update(n, CHAT_A), run.work(n)))
             for n in range(5)]
    tasks.append(asyncio.create_task(lane.process_update(update(50, CHAT_A, "help"),
                                                         run.work(50))))
    await settle()
    assert run.started == [0, 50]
    assert lane.dropped == 2
    for n in (0, 50, 3):
        run.release(n)
        await settle()
    run.release(4)
    await asyncio.gather(*tasks)
    assert run.started == [0, 50, 3, 4]


async def test_the_total_waiting_is_bounded():
    lane, run = Lane(crisis, slots=1, per_chat=10, waiting=3), Run()
    tasks = [asyncio.create_task(lane.process_update(update(n, n), run.work(n)))
             for n in range(1, 8)]
    await settle()
    assert lane.waiting == 3 and lane.dropped == 3
    for n in range(1, 8):
        if n in run.gates:
            run.release(n)
        await settle()
    await asyncio.gather(*tasks)
    assert not lane.queues and lane.running == 0


async def test_a_failing_screen_still_processes_the_update(caplog):
    def broken(u):
        raise RuntimeError("boom")

    lane, ran = Lane(broken), []

    async def work():
        ran.append(1)

    await lane.process_update(update(1, CHAT_A), work())
    assert ran == [1]
    assert "screening update 1" in caplog.text
