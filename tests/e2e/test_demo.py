"""The README's first command with no token: the offline demo, driven by a script."""

import asyncio
import subprocess
import sys

import httpx

from bot.demo import CLIENT_ID, Terminal
from bot.standin import StandIn


def demo(tmp_path, script: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot"], input=script, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_scripted_demo_runs_offline(tmp_path):
    out = demo(tmp_path, "#1\n#1\n#1\nMaya\n:staff\n:client\nI want to die\n:quit\n")
    assert "welcome to Lakeshore Recovery Partners" in out
    assert "[#1] Request a consultation" in out
    assert "your privacy" in out
    assert "What name would you like us to use?" in out
    assert "How old are you?" in out
    assert "now in the staff view" in out
    assert "Please call or text 988 now" in out
    assert (tmp_path / "data" / "iop.db").exists()


def test_demo_takes_a_request_from_consultation_to_scheduled(tmp_path):
    consult = "#1\n#1\n#1\nMaya\n26\n#1\n#2\n#2\n#2\n#2\n#1\n#1\n#1\n#1\n"
    staff = ":staff\n#1.3\n>tomorrow 2:30 pm\n:client\n:quit\n"
    out = demo(tmp_path, consult + staff)
    client, _, rest = out.partition("-- now in the staff view --")
    assert "Your request (number 1) is with our team" in client
    staff_view, _, client_again = rest.partition("-- now in the client view --")
    assert "bot [1]> 🔔 Consultation request #1" in staff_view
    assert "[#3] 📅 Scheduled" in staff_view
    assert "bot [2]> Dana (staff), when is the consultation for request #1?" in staff_view
    assert "bot [1] (updated)> 🔔 Consultation request #1" in staff_view
    assert "Status: scheduled" in staff_view
    assert "(1 new in the client view)" in staff_view
    assert "Good news, Maya: your consultation" in client_again
    assert "is scheduled for" in client_again


async def test_the_demo_prints_what_arrives_unprompted(capsys):
    async with StandIn() as api:
        terminal = Terminal(api)
        watcher = asyncio.create_task(terminal.watch())
        async with httpx.AsyncClient() as http:
            sent = await http.post(f"{api.base_url}{api.token}/sendMessage",
                                   json={"chat_id": CLIENT_ID, "text": "⏰ Reminder: Group"})
        assert sent.json()["ok"]
        async with asyncio.timeout(5):
            while "Reminder: Group" not in capsys.readouterr().out:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        watcher.cancel()
