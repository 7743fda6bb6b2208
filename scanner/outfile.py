"""Writing an output file all at once, without ever replacing a device."""
from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write(path: str | Path, content: str | bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``content`` (text is written as UTF-8) atomically (a temporary file renamed over
    it), with ``mode`` or the umask's default. A path that exists and is not a regular file (``/dev/null``, a
    FIFO) is written in place: renaming over it would replace the device itself. Raises :class:`OSError`."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            with open(path, "wb") as f:
                f.write(data)
            return
    except FileNotFoundError:
        pass
    target = os.path.realpath(path)  # through a symlink: replace the file it names, not the link
    tmp = os.path.join(os.path.dirname(target), f".yardguard-{os.getpid()}-{os.urandom(6).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # what tempfile.mkstemp does, lighter
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, _umask_mode() if mode is None else mode)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
