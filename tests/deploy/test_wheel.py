"""`pip install` of a built wheel gives a working `iop-bot`, far from the source tree."""

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = "Scripts" if os.name == "nt" else "bin"

pytestmark = pytest.mark.packaging


def run(*args: object, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True,
                            timeout=300, check=False, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def shipped() -> set[str]:
    """What the wheel must hold: every module, migration and content file."""
    code = {str(p.relative_to(ROOT)) for p in (ROOT / "bot").rglob("*")
            if p.suffix in (".py", ".sql") and "__pycache__" not in p.parts}
    content = {"iop_content/" + str(p.relative_to(ROOT / "content"))
               for p in (ROOT / "content").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    return code | content


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy, so the build leaves nothing stale in (or taken from) the tree."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("bot", "content"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", work / "dist",
        source)
    (found,) = (work / "dist").glob("iop_companion-*.whl")
    return found


def test_wheel_holds_code_and_content(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not shipped() - names
    assert not [name for name in names if name.startswith(("tests/", "content/"))]


def test_installed_wheel_migrates_and_answers(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    run(env_dir / BIN / "python", "-m", "pip", "install", "--quiet", wheel)
    home = tmp_path / "clinic"
    home.mkdir()
    env = {"PATH": f"{env_dir / BIN}{os.pathsep}/usr/bin:/bin", "HOME": str(home),
           "DATABASE_PATH": str(home / "db" / "iop.db")}
    where = run(env_dir / BIN / "python", "-c", "import bot, bot.paths; "
                "print(bot.__file__); print(bot.paths.CONTENT)", cwd=home, env=env)
    assert str(ROOT) not in where.stdout
    migrated = run(env_dir / BIN / "iop-bot", "migrate", cwd=home, env=env)
    assert "schema version" in migrated.stdout
    assert (home / "db" / "iop.db").exists()
    demo = run(env_dir / BIN / "iop-bot", "demo", "--script", input="#2\n", cwd=home, env=env)
    assert "welcome to Lakeshore Recovery Partners" in demo.stdout
    assert "Intensive Outpatient Program" in demo.stdout
    assert "Traceback" not in demo.stderr
