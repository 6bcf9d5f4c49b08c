import logging
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from bot.clock import ManualClock
from bot.config import ConfigError
from bot.domain.intake import Answers, Step
from bot.storage import open_repo
from bot.storage.sealed import BATCH, census, remac, reseal
from bot.storage.vault import new_key
from tests.samples import vault

NAME, PHONE, NOTE = "Zebulon Marchetti-Quayle", "+15559876543", "ask for the side door"


async def fill(repo, user_id: int = 7, phone: str = PHONE) -> int:
    await repo.people.consent(user_id, "v", "en")
    request = await repo.requests.start(user_id, "en", None, Step.NAME)
    answers = Answers(name=NAME, phone=phone, notes=NOTE)
    assert await repo.requests.save(request.id, answers, Step.SUMMARY, expect=Step.NAME)
    client = await repo.clients.enroll(NAME, request.id, "en", 501)
    await repo.clients.update(client.id, video_link="https://meet.example.org/zeb-room")
    return request.id


def raw(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


async def test_personal_fields_are_sealed_in_the_file_and_open_in_the_repo(tmp_path):
    path = tmp_path / "iop.db"
    repo = await open_repo(path, ManualClock(), vault())
    request_id = await fill(repo)
    request = await repo.requests.get(request_id)
    assert (request.answers.name, request.answers.phone, request.answers.notes) == (
        NAME, PHONE, NOTE)
    client = await repo.clients.of_request(request_id)
    assert (client.name, client.video_link) == (NAME, "https://meet.example.org/zeb-room")
    await repo.close()
    for secret in (NAME, PHONE, NOTE, "zeb-room", "9876543"):
        assert secret.encode() not in raw(path)


async def test_values_from_before_encryption_are_sealed_at_the_next_start(tmp_path, caplog):
    path = tmp_path / "iop.db"
    repo = await open_repo(path, ManualClock(), vault())
    await repo.close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("INSERT INTO people (user_id, language, consent_version, consent_at)"
                   " VALUES (7, 'en', 'v', '2026-01-01')")
        db.execute("INSERT INTO requests (id, user_id, status, answers, created_at, updated_at)"
                   " VALUES (1, 7, 'open', ?, 'x', 'x')",
                   (Answers(name=NAME, phone=PHONE).model_dump_json(exclude_none=True),))
        db.commit()
    with caplog.at_level(logging.INFO):
        repo = await open_repo(path, ManualClock(), vault())
    assert "sealed 1 values written before encryption" in caplog.text
    assert (await repo.requests.get(1)).answers.name == NAME
    assert await census(repo.store) == {vault().kid: 1}
    await repo.close()
    assert NAME.encode() not in raw(path)


async def test_rotation_reseals_everything_and_the_old_key_can_then_go(tmp_path):
    path = tmp_path / "iop.db"
    repo = await open_repo(path, ManualClock(), vault(1))
    request_id = await fill(repo)
    await repo.close()
    repo = await open_repo(path, ManualClock(), vault(2, 1))
    assert (await repo.requests.get(request_id)).answers.name == NAME
    assert await census(repo.store) == {vault(1).kid: 3}
    assert await reseal(repo.store) == 3
    assert await remac(repo.store) == 0  # start-up gave the phone its new key's HMAC
    (mac,) = await repo.store.one("SELECT phone_mac FROM requests")
    assert mac.startswith(f"{vault(2).kid}:")
    assert await census(repo.store) == {vault(2).kid: 3}
    assert await reseal(repo.store) == 0
    await repo.close()
    repo = await open_repo(path, ManualClock(), vault(2))
    assert (await repo.clients.of_request(request_id)).name == NAME
    await repo.close()
    with pytest.raises(ConfigError, match=f"sealed with key id {vault(2).kid}, which is not"):
        await open_repo(path, ManualClock(), vault(1))


async def test_an_interrupted_rotation_resumes(tmp_path):
    path = tmp_path / "iop.db"
    repo = await open_repo(path, ManualClock(), vault(1))
    for user_id in range(1, BATCH + 50):
        await repo.people.consent(user_id, "v", "en")
        request = await repo.requests.start(user_id, "en", None, Step.NAME)
        await repo.requests.save(request.id, Answers(name=f"n{user_id}"), None, expect=Step.NAME)
    await repo.close()
    repo = await open_repo(path, ManualClock(), vault(2, 1))

    def stop(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await reseal(repo.store, progress=stop)
    assert await census(repo.store) == {vault(1).kid: 49, vault(2).kid: BATCH}
    assert await reseal(repo.store) == 49
    assert (await repo.requests.get(BATCH + 49)).answers.name == f"n{BATCH + 49}"
    await repo.close()


async def test_requests_with_the_same_phone_are_found_by_their_hmac(tmp_path):
    repo = await open_repo(tmp_path / "iop.db", ManualClock(), vault(1))
    first = await fill(repo, 7)
    await repo.store.conn.execute("UPDATE requests SET status = 'open' WHERE id = ?", (first,))
    await repo.people.consent(8, "v", "en")
    other = await repo.requests.start(8, "en", None, Step.PHONE)
    await repo.requests.save(other.id, Answers(phone=PHONE), None, expect=Step.PHONE)
    await repo.store.conn.execute("UPDATE requests SET status = 'open' WHERE id = ?", (other.id,))
    assert await repo.requests.same_phone(await repo.requests.get(other.id)) == [first]
    await repo.close()
    repo = await open_repo(tmp_path / "iop.db", ManualClock(), vault(2, 1))
    assert await repo.requests.same_phone(await repo.requests.get(first)) == [other.id]
    (stored,) = await repo.store.all("SELECT DISTINCT phone_mac FROM requests")
    assert PHONE[2:] not in stored[0]
    await repo.close()


def test_keygen_and_rotate_key_commands(tmp_path):
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "iop.db"), "TELEGRAM_BOT_TOKEN": ""}
    key = subprocess.run([sys.executable, "-m", "bot", "keygen"], capture_output=True,
                         text=True, check=True, env=env).stdout.strip()
    assert len(key) == 44 and key != new_key()
    env["DATA_ENCRYPTION_KEY"] = key
    refused = subprocess.run([sys.executable, "-m", "bot", "rotate-key"], capture_output=True,
                             text=True, env=env)
    assert refused.returncode == 2 and "no database at" in refused.stderr
    assert not (tmp_path / "iop.db").exists()
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, check=True,
                   capture_output=True)
    done = subprocess.run([sys.executable, "-m", "bot", "rotate-key"], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 0 values" in done.stdout
    assert "older keys may be removed" in done.stdout
    assert key not in done.stdout + done.stderr
    del env["DATA_ENCRYPTION_KEY"]
    demo_key = subprocess.run([sys.executable, "-m", "bot", "rotate-key"], capture_output=True,
                              text=True, env=env)
    assert demo_key.returncode == 2 and demo_key.stderr.startswith("DATA_ENCRYPTION_KEY: not set")
    assert not list(tmp_path.glob("*.key"))
