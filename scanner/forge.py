"""Links to commits on a known forge (GitHub, GitLab, Bitbucket), built from a repository's remote URL.

The remote URL comes from the scanned repository's ``.git/config``, so it is untrusted: only the three
known hosts are recognised, the repository path must be plain (letters, digits, ``.``, ``_``, ``-`` and
``/``), and the link is always built by us as ``https://HOST/PATH/...``; anything else gives no link."""
from __future__ import annotations

import re

_COMMIT_PATHS = {
    "github.com": "{path}/commit/{sha}",
    "gitlab.com": "{path}/-/commit/{sha}",
    "bitbucket.org": "{path}/commits/{sha}",
}
_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+")
_SCP = re.compile(r"(?:[A-Za-z0-9_.-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)")
_URL = re.compile(r"(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[A-Za-z0-9.-]+)(?::\d+)?/(?P<path>.+)")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def repository_url(remote: str) -> str | None:
    """``https://HOST/OWNER/REPO`` for a GitHub, GitLab or Bitbucket remote (https, ssh:// or scp-like
    ``git@host:owner/repo.git``); None for any other remote."""
    match = _URL.fullmatch(remote.strip()) or _SCP.fullmatch(remote.strip())
    if match is None:
        return None
    host = match["host"].lower()
    path = match["path"].rstrip("/").removesuffix(".git")
    if host not in _COMMIT_PATHS or not _PATH.fullmatch(path) or ".." in path.split("/"):
        return None
    if host != "gitlab.com" and path.count("/") != 1:  # only GitLab has nested groups
        return None
    return f"https://{host}/{path}"


def commit_url(repository: str | None, sha: str | None) -> str | None:
    """The web page of commit ``sha`` in ``repository`` (a :func:`repository_url`), or None."""
    if not repository or not sha or not _SHA.fullmatch(sha):
        return None
    host, _, path = repository.removeprefix("https://").partition("/")
    return f"https://{host}/" + _COMMIT_PATHS[host].format(path=path, sha=sha)
