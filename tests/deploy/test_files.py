"""The Dockerfile, compose.yaml, Caddyfile and systemd units, read the way their tools
would. (No container registry is reachable where the tests run, so nothing is built.)"""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET = re.compile(r"TOKEN|SECRET|PASSWORD|API_KEY", re.IGNORECASE)


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1])
            for line in lines if line and not line.startswith("#")]


def final_stage() -> list[tuple[str, str]]:
    steps = dockerfile()
    start = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[start:]


def test_dockerfile_builds_a_wheel_then_a_slim_image():
    steps = dockerfile()
    stages = [args for op, args in steps if op == "FROM"]
    assert len(stages) == 2
    assert " AS build" in stages[0]
    assert all("-slim" in stage for stage in stages)
    assert any(op == "RUN" and "pip wheel" in args for op, args in steps)
    assert any(op == "COPY" and args.startswith("--from=build") for op, args in final_stage())


def test_dockerfile_runs_iop_bot_unprivileged_with_data_on_a_volume():
    final = final_stage()
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("VOLUME", "/data") in final
    env = " ".join(args for op, args in final if op == "ENV")
    assert "DATABASE_PATH=/data/iop.db" in env
    entry = [args for op, args in final if op == "ENTRYPOINT"]
    assert entry and "iop-bot" in entry[-1]


def test_dockerfile_health_check_asks_the_health_port():
    final = final_stage()
    (check,) = [args for op, args in final if op == "HEALTHCHECK"]
    port = re.search(r"HEALTH_PORT=(\d+)", " ".join(a for op, a in final if op == "ENV"))[1]
    assert f"127.0.0.1:{port}/healthz" in check


def test_dockerfile_bakes_in_no_secrets():
    for op, args in dockerfile():
        if op in ("ENV", "ARG", "LABEL"):
            assert not SECRET.search(args), args
        if op in ("COPY", "ADD"):
            assert ".env" not in shlex.split(args), args


def test_dockerignore_admits_only_what_the_build_copies():
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line and not line.startswith("#")]
    assert rules[0] == "*"
    admitted = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = {source for op, args in dockerfile() if op == "COPY" and "--from" not in args
              for source in args.split()[:-1]}
    assert copied == admitted == {"pyproject.toml", "README.md", "bot", "content"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_bot_with_a_volume_and_caddy_only_for_webhooks(compose):
    bot, caddy = compose["services"]["bot"], compose["services"]["caddy"]
    assert "iop-data:/data" in bot["volumes"]
    assert "iop-data" in compose["volumes"]
    assert "profiles" not in bot
    assert "ports" not in bot, "the bot needs no published port: Caddy reaches it inside"
    assert caddy["profiles"] == ["webhook"]
    assert "443:443" in caddy["ports"]
    mounted = [volume.split(":")[0] for volume in caddy["volumes"]]
    assert (ROOT / mounted[0]).is_file()


def test_compose_pins_the_paths_and_ports_the_image_expects(compose):
    env = compose["services"]["bot"]["environment"]
    assert env["DATABASE_PATH"] == "/data/iop.db"
    assert env["HEALTH_PORT"] == "8080"
    assert f"bot:{env['WEBHOOK_PORT']}" in (ROOT / "deploy" / "Caddyfile").read_text()
    assert not any(SECRET.search(name) for name in env)


def unit(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_systemd_unit_is_hardened():
    service = unit("iop-bot.service")
    expected = {
        "DynamicUser": "yes", "StateDirectory": "iop-bot", "ProtectSystem": "strict",
        "ProtectHome": "yes", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
        "EnvironmentFile": "/etc/iop-bot/env", "Restart": "on-failure",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    }
    for key, value in expected.items():
        assert service.get(key) == [value], key
    assert service["ExecStart"][0].split()[:2] == ["/opt/iop-bot/bin/iop-bot", "run"]
    backup = unit("iop-bot-backup.service")
    assert backup["User"] == service["User"]
    assert "iop-bot backup" in backup["ExecStart"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_units_verify(tmp_path):
    names = ["iop-bot.service", "iop-bot-backup.service", "iop-bot-backup.timer"]
    for name in names:
        text = (ROOT / "deploy" / name).read_text()
        (tmp_path / name).write_text(text.replace("/opt/iop-bot/bin/iop-bot", "/bin/true"))
    result = subprocess.run(["systemd-analyze", "verify", *names], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
