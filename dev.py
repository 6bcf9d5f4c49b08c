"""Bootstrap: `python3 dev.py run` starts the bot, `python3 dev.py test` runs every check
(ruff, mypy, pytest).

Needs only python3 and pip. It creates `.venv` on first use and reinstalls when
pyproject.toml changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"


def ensure_venv() -> None:
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want and PY.exists():
        return
    if not PY.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing dependencies ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(want)


def main() -> int:
    cmd, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("run", [])
    ensure_venv()
    os.chdir(ROOT)
    if cmd == "run":
        return subprocess.call([str(PY), "-m", "bot", *rest])
    if cmd == "test":
        lint = subprocess.call([str(BIN / "ruff"), "check", "."])
        types = subprocess.call([str(BIN / "mypy")])
        tests = subprocess.call([str(PY), "-m", "pytest", "-q", *rest])
        return lint or types or tests
    if cmd == "bench":
        return subprocess.call([str(PY), "-m", "bench", *rest])
    print(f"usage: python3 {Path(__file__).name} [run|test|bench] [args...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
