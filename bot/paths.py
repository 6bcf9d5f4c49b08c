"""Where the packaged content lives: the package iop_content, which is content/ in the
repository and in an editable install."""

from importlib.resources import files
from pathlib import Path

CONTENT = Path(str(files("iop_content")))
