"""The README's first command with no token: the offline demo, driven by a script."""

import subprocess
import sys


def test_scripted_demo_runs_offline(tmp_path):
    script = "#1\n#1\n#1\nMaya\n:staff\n:client\nI want to die\n:quit\n"
    result = subprocess.run([sys.executable, "-m", "bot"], input=script, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "welcome to Lakeshore Recovery Partners" in out
    assert "[#1] Request a consultation" in out
    assert "your privacy" in out
    assert "What name would you like us to use?" in out
    assert "How old are you?" in out
    assert "now in the staff view" in out
    assert "Please call or text 988 now" in out
    assert "Traceback" not in result.stderr
    assert (tmp_path / "data" / "iop.db").exists()
