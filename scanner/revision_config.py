"""A gate's settings from a trusted git revision: the repository's config, rule files and baseline as
they are at the base of what is under review (a pull request's base, the published side of a push, the
server's default branch), never as the commits under review have them. A pull request that adds an
``exclude_paths`` entry, a baseline line or a rule file changes nothing until it is merged.

Everything is read with ``git cat-file`` (never the work tree), each file under :data:`MAX_BYTES`."""
from __future__ import annotations

import os
import posixpath

from scanner import gitutil
from scanner.config import CONFIG_FILE, SERVER_KEYS, Config, explicit_table, from_table
from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

MAX_BYTES = 1 << 20
"""Largest config, rule or baseline file read from a revision."""
NOTHING_PUBLISHED = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
"""git's empty tree: the trusted revision when nothing is published yet (so the defaults apply)."""
PYPROJECT = "pyproject.toml"


class Settings:
    """What a gate uses: ``config`` (the revision's table with the operator's ``--config`` laid over it),
    the rule documents and baseline entries read from the revision, and notices for the operator."""

    def __init__(self, config: Config, rule_documents: list[tuple[str, dict[str, Any]]],
                 operator_rules: list[str], accepted: set[tuple[str, str, str]] | None,
                 notices: list[str]) -> None:
        self.config, self.rule_documents, self.operator_rules = config, rule_documents, operator_rules
        self.accepted, self.notices = accepted, notices


def _toml(data: bytes, source: str) -> dict[str, Any]:
    import tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise YardguardError(f"{source}: invalid TOML: {e}") from None


def repository_table(root: str | os.PathLike[str], rev: str) -> tuple[dict[str, Any], str]:
    """(``[tool.yardguard]``-shaped table, its name) of the repository's config at ``rev``; empty when
    there is none."""
    found = gitutil.files_at(root, rev, [CONFIG_FILE, PYPROJECT], MAX_BYTES)
    if CONFIG_FILE in found:
        source = f"{rev}:{CONFIG_FILE}"
        return _toml(found[CONFIG_FILE], source), source
    if PYPROJECT in found:
        source = f"{rev}:{PYPROJECT}"
        try:  # a project's broken pyproject.toml is its own business, not a yardguard error
            tool = _toml(found[PYPROJECT], source).get("tool")
        except YardguardError:
            return {}, "defaults"
        table = tool.get("yardguard") if isinstance(tool, dict) else None
        if isinstance(table, dict):
            return table, source
    return {}, "defaults"


def _in_repository(path: str, source: str) -> str:
    """A path named by a repository config, as a path in the repository (never outside it)."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    if posixpath.isabs(normal) or normal == ".." or normal.startswith("../") or path.startswith("~"):
        raise YardguardError(f"{source}: {path!r} is outside the repository")
    return "" if normal == "." else normal


def _rule_documents(root: str | os.PathLike[str], rev: str, paths: list[str], source: str
                    ) -> list[tuple[str, dict[str, Any]]]:
    """The rule files named by the revision's config: a file, or the ``*.toml`` files of a directory."""
    docs = []
    for named in paths:
        path = _in_repository(named, source)
        found = gitutil.files_at(root, rev, [path], MAX_BYTES) if path else {}
        if path in found:
            files = {path: found[path]}
        else:
            names = gitutil.tree_files(root, rev, path)
            if names is None:
                raise YardguardError(f"{source}: rule path not found at {rev}: {named}")
            wanted = sorted(posixpath.join(path, n) for n in names if n.endswith(".toml"))
            files = gitutil.files_at(root, rev, wanted, MAX_BYTES)
        for name in sorted(files):
            docs.append((f"{rev}:{name}", _toml(files[name], f"{rev}:{name}")))
    return docs


def _baseline(root: str | os.PathLike[str], rev: str, named: str, source: str) -> set[tuple[str, str, str]]:
    import json

    from scanner import baseline
    path = _in_repository(named, source)
    found = gitutil.files_at(root, rev, [path], MAX_BYTES) if path else {}
    if path not in found:
        raise YardguardError(f"baseline not found at {rev}: {named} (named by {source})")
    try:
        doc = json.loads(found[path])
    except ValueError as e:
        raise YardguardError(f"baseline {rev}:{path} is not valid JSON: {e}") from None
    return baseline.parse(doc, f"{rev}:{path}")


def load(root: str | os.PathLike[str], rev: str, explicit: str | None = None, heads: Sequence[str] = ()) -> Settings:
    """The settings of a gate whose trusted revision is ``rev`` (:data:`NOTHING_PUBLISHED`: the
    defaults), with the operator's config file ``explicit`` laid over the repository's: a key the
    operator sets wins. Keys of :data:`~scanner.config.SERVER_KEYS` are never taken from the repository.
    The notices include the settings files that the commits under review (``heads``) change."""
    from scanner import trust
    table, source = repository_table(root, rev)
    trust.check_repository_config(table, source)
    notices = []
    ignored = sorted(SERVER_KEYS & set(table))
    if ignored:
        notices.append(f"{source} sets {', '.join(ignored)}: only the operator's config may (ignored)")
        table = {k: v for k, v in table.items() if k not in SERVER_KEYS}
    from_table(table, source, base_dir=str(root))  # the repository's own table must be valid alone
    if rev == NOTHING_PUBLISHED:
        notices.append("nothing published to read the repository's config from: using the defaults")
    operator = explicit_table(explicit) if explicit else {}
    user = trust.user_table()
    if user is not None:  # the user-level config, under --config
        from_table(*user)
        operator = {**user[0], **operator}
    base_dir = os.path.dirname(os.path.abspath(explicit)) if explicit else str(root)
    config = from_table({**table, **operator}, explicit or source, base_dir=base_dir)
    documents: list[tuple[str, dict[str, Any]]] = []
    operator_rules = [config.resolve(p) for p in operator.get("rules", [])]
    if "rules" not in operator:
        documents = _rule_documents(root, rev, table.get("rules", []), source)
    accepted = None
    if "baseline" not in operator and table.get("baseline"):
        accepted = _baseline(root, rev, table["baseline"], source)
    config.rules, config.baseline = operator.get("rules", []), operator.get("baseline")
    notices += changes(root, rev, list(heads), table)
    return Settings(config, documents, operator_rules, accepted, notices)


def _named_files(table: dict[str, Any]) -> list[str]:
    named = []
    for path in [*table.get("rules", []), *([table["baseline"]] if table.get("baseline") else [])]:
        try:
            inside = _in_repository(path, "config")
        except YardguardError:
            continue
        if inside:
            named.append(inside)
    return named


def changes(root: str | os.PathLike[str], rev: str, heads: list[str], table: dict[str, Any]) -> list[str]:
    """Notices for the settings files (the config, and the rule files and baseline that ``table``, the
    config at ``rev``, names) that the commits under review (``heads``) change relative to ``rev``: they
    take effect once merged, not in this run."""
    from scanner.sources.staged import unquote
    out = []
    paths = [CONFIG_FILE, PYPROJECT, *_named_files(table)]
    used = "the defaults" if rev == NOTHING_PUBLISHED else f"the version at {rev[:12]}"
    for head in dict.fromkeys(heads):
        listing = gitutil.git(root, "diff", "--name-only", "--no-renames", "--no-ext-diff", rev, head, "--", *paths)
        changed = [unquote(line) for line in listing.splitlines()]
        if changed == [PYPROJECT]:  # only a change to [tool.yardguard] matters
            try:
                if repository_table(root, head)[0] == table:
                    continue
            except YardguardError:
                pass
        if changed:
            out.append(f"{head[:12]} changes {', '.join(changed)}: yardguard used {used}; the change takes "
                       "effect once merged")
    return out


def published_base(root: str | os.PathLike[str], tips: list[str], published: list[str]) -> str:
    """The trusted revision for the commits of ``tips`` that ``published`` (rev-list arguments such as
    ``--remotes``) lacks: a published commit they build on; the first tip itself when it is published
    already; :data:`NOTHING_PUBLISHED` when they build on nothing published."""
    out = gitutil.git(root, "rev-list", "--boundary", *tips, "--not", *published, "--")
    if not out.strip():
        return tips[0]
    for line in out.splitlines():
        if line.startswith(b"-"):
            return line[1:].decode()
    return NOTHING_PUBLISHED
