"""Which repositories an audit covers (``--repos FILE`` lines, ``--repos-dir`` discovery), and bare mirrors
of remote ones in a cache dir (``git clone --mirror`` once, ``git remote update --prune`` afterwards)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scanner import gitutil, inputfile
from scanner.errors import YardguardError
from scanner.redaction import mask_credentials

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^(?:[^@/\s]+@)?[^/:\s]{2,}:")  # git's scp-like syntax: [user@]host:path (2+ chars: not C:)


@dataclass(frozen=True)
class Source:
    """One repository of an audit. ``name`` is its key in the store (a URL with any password masked, or
    an absolute local path); ``location`` is what git is given; remote ones are scanned as bare mirrors."""

    name: str
    location: str
    remote: bool


def is_url(text: str) -> bool:
    """A ``scheme://`` URL or git's scp-like ``user@host:path``; anything else is a local path."""
    return bool(_SCHEME.match(text) or _SCP.match(text))


def mask_url(url: str) -> str:
    """The URL with a password replaced by ``***`` (``https://user:***@host/...``, scp-style
    ``user:***@host:path``), the user part of an http(s) URL without a password too (``https://TOKEN@host`` is
    how tokens are often passed), and secret query values (``?private_token=***``)."""
    url = mask_credentials(url)
    if not _SCHEME.match(url):
        return url
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if parts.password is not None:
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    if parts.username is not None and parts.scheme.lower() in ("http", "https"):
        return urlunsplit(parts._replace(netloc=f"***@{host}"))
    return url


def source_for(entry: str, base: Path) -> Source:
    """The source for one line of a repos file; relative local paths resolve against ``base``."""
    if is_url(entry):
        return Source(mask_url(entry), entry, remote=True)
    path = (base / Path(entry).expanduser()).resolve()
    return Source(str(path), str(path), remote=False)


def read_repos_file(path: Path) -> list[Source]:
    """One git URL or local path per line; blank lines and ``#`` comments are ignored."""
    try:
        text = inputfile.read(path).decode("utf-8")
    except OSError as e:
        raise YardguardError(f"cannot read repos file {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise YardguardError(f"repos file {path} is not UTF-8 text") from None
    entries = (line.split(" #")[0].strip() for line in text.splitlines())
    return [source_for(e, path.parent) for e in entries if e and not e.startswith("#")]


def _is_bare(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def discover(root: Path) -> list[Source]:
    """Every git repository under ``root`` (work trees and bare ones), not descending into a repository."""
    if not root.is_dir():
        raise YardguardError(f"--repos-dir {root}: not a directory")
    found: list[Source] = []
    for here, dirs, _ in os.walk(root):
        current = Path(here)
        if (current / ".git").exists() or _is_bare(current):
            resolved = str(current.resolve())
            found.append(Source(resolved, resolved, remote=False))
            dirs.clear()
        else:
            dirs.sort()
    return found


def unique(sources: list[Source]) -> list[Source]:
    """Sources in order, each name once."""
    seen: set[str] = set()
    out = []
    for s in sources:
        if s.name not in seen:
            seen.add(s.name)
            out.append(s)
    return out


def mirror_path(cache_dir: Path, source: Source) -> Path:
    """``<cache>/<last path part>-<hash of the name>.git``: stable, readable, no collisions."""
    tail = re.sub(r"[^A-Za-z0-9._-]", "_", source.name.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    tail = tail.removesuffix(".git")[:60] or "repo"
    return cache_dir / f"{tail}-{hashlib.sha256(source.name.encode()).hexdigest()[:16]}.git"


def _network_git(source: Source, where: Path, *args: str) -> None:
    """A clone or fetch, with the operator's transports and credentials (see :func:`gitutil.run`)."""
    code, _, err = gitutil.run(where, *args, network=True)
    if code != 0:
        lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        message = (fatal or lines or [f"exit {code}"])[0].replace(source.location, source.name)
        raise YardguardError(f"git {args[0]} failed: {message}")


def checkout(source: Source, cache_dir: Path) -> Path:
    """The repository to scan: a local path as it is, or an up-to-date bare mirror of a URL. The mirror's
    config keeps the URL as reports show it (:func:`mask_url`): a token in the URL is used for the clone and
    each update, named on git's command line, and never stored at rest."""
    if not source.remote:
        return Path(gitutil.require_repo(source.location))
    target = mirror_path(cache_dir, source)
    if (target / "HEAD").is_file():
        _network_git(source, target, "remote", "set-url", "origin", source.name)  # mirrors made before this
        _network_git(source, target, "fetch", "--prune", "--quiet", source.location, "+refs/*:refs/*")
        return target
    partial = target.with_name(target.name + ".partial")  # a killed clone never looks like a mirror
    shutil.rmtree(partial, ignore_errors=True)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise YardguardError(f"cannot create cache dir {cache_dir}: {e.strerror}") from None
    _network_git(source, cache_dir, "clone", "--mirror", "--quiet", source.location, str(partial))
    _network_git(source, partial, "remote", "set-url", "origin", source.name)
    os.replace(partial, target)
    return target


def fingerprint(repo: Path) -> tuple[str, str | None]:
    """(SHA-256 of every ref and the object it points at, HEAD's commit or None when unborn)."""
    refs = gitutil.git(repo, "for-each-ref", "--format=%(objectname) %(refname)")
    head = gitutil.git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
    return hashlib.sha256(refs).hexdigest(), head.decode() or None
