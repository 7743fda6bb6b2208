"""``.yardguard.toml`` / ``[tool.yardguard]`` in ``pyproject.toml`` -> one :class:`Config` value."""
from __future__ import annotations

import os

from scanner import tomlfile
from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILE = ".yardguard.toml"

REPOSITORY, OPERATOR, SERVER = "repository", "operator", "server"
"""Who may set a key. ``repository``: anyone, the scanned repository's config included. ``operator``: only the
operator (``--config``, the user-level config); a repository config that sets one is an error, exit 2 (it would
choose where keys go, what a cached verdict says or where yardguard writes). ``server``: the pre-receive gate's
own settings, read from the operator's config only; a repository's value is ignored with a notice, since the
gate must keep serving pushes (see :mod:`scanner.trust`)."""


class Key:
    """One config key as declared in the body of :class:`Config` (see :func:`key`); ``types`` come from its
    annotation there."""

    __slots__ = ("name", "types", "default", "who", "doc", "shown", "choices", "minimum")

    def __init__(self, default: Any, who: str, doc: str, shown: str | None, choices: tuple[str, ...],
                 minimum: float | None) -> None:
        self.default, self.who, self.doc, self.shown = default, who, doc, shown
        self.choices, self.minimum = choices, minimum
        self.name = ""
        self.types: tuple[type, ...] = ()

    def check(self, value: Any, source: str) -> None:
        """A :class:`~scanner.errors.YardguardError` naming ``source`` when ``value`` does not fit the key."""
        if (isinstance(value, bool) and bool not in self.types) or not isinstance(value, self.types):
            raise YardguardError(f"{source}: config key {self.name!r} has the wrong type")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise YardguardError(f"{source}: config key {self.name!r} must be a list of strings")
        if self.minimum is not None and isinstance(value, (int, float)) and value < self.minimum:
            raise YardguardError(f"{source}: config key {self.name!r} must not be negative")
        if self.choices and value not in self.choices:
            allowed = (" or ".join(self.choices) if len(self.choices) == 2
                       else "one of " + ", ".join(self.choices))
            raise YardguardError(f"{source}: {self.name} must be {allowed}")


def key(default: Any, who: str, doc: str, shown: str | None = None, choices: tuple[str, ...] = (),
        minimum: float | None = None) -> Any:
    """Declare a config key in the body of :class:`Config`, once: its default, who may set it, what it means
    (the docs' configuration table, :func:`docs_table`), how the docs show its default (``shown``), and its
    allowed values. The annotation beside it gives its type."""
    return Key(default, who, doc, shown, choices, minimum)


class Config:
    """The settings of a run: every config key (declared here, once) as an attribute, and ``base_dir``, the
    config file's directory, from which relative paths in it resolve."""

    rules: list[str] = key([], REPOSITORY, "extra rule files or directories")
    disabled_rules: list[str] = key([], REPOSITORY, "rule ids to switch off")
    exclude_paths: list[str] = key([], REPOSITORY, "globs never reported (`*`, `?`, `**`; a pattern without `/` "
                                   "matches at any depth; a directory matches everything below it)")
    baseline: str | None = key(None, REPOSITORY, "baseline file applied to every run")
    max_file_size: int | None = key(None, REPOSITORY, "bytes; larger files are skipped by `scan` (with a note on "
                                    "stderr)")
    fail_on: str | None = key(None, REPOSITORY, "default for `--fail-on`", shown='`"any"`',
                              choices=("any", "live", "verified", "never"))
    api_base: str | None = key(None, OPERATOR, "Trackyard API base URL (see Verification)", shown="rule file's")
    verify_timeout: float = key(10.0, REPOSITORY, "seconds per verification request, all of it (connect, headers, "
                                "body)")
    verify_deadline: float = key(120.0, REPOSITORY, "seconds for all verification in one run")
    verify_concurrency: int = key(2, REPOSITORY, "requests in flight at once")
    verify_retries: int = key(3, REPOSITORY, "retries after a 429 before the status is `unknown`")
    verify_cache: str | None = key(None, OPERATOR, "on-disk verification cache file (secret hashes only)")
    verify_cache_ttl: float = key(900.0, OPERATOR, "seconds a cached verdict stays valid")
    audit_log: str | None = key(None, OPERATOR, "revocation audit log", shown="`.yardguard/revocations.jsonl`")
    revoke_timeout: float = key(10.0, REPOSITORY, "seconds per revoke or re-check request, all of it")
    revoke_deadline: float = key(120.0, REPOSITORY, "seconds for all revocation requests of one run (time at a "
                                 "prompt does not count)")
    allow_skip: bool = key(False, SERVER, "`git push -o yardguard.skip` lets a push with findings through; the "
                           "skip is logged")
    push_log: str | None = key(None, SERVER, "JSON lines log of skips and fail-open timeouts: `time`, `event` "
                               "(`skip`, `timeout-accepted`), `pusher` (from `GL_USERNAME`, `GITHUB_USER_LOGIN` or "
                               "`REMOTE_USER`), `repository`, `refs` (ref, old, new), `findings` (rule, path, line, "
                               "commit, redacted key, `secret_sha256`). Required by `allow_skip` and `on_timeout = "
                               "\"accept\"`; if it cannot be written the push is rejected")
    time_budget: float = key(4.0, SERVER, "seconds the hook may take, from its start (GitHub Enterprise kills a "
                             "pre-receive hook after 5 s)", shown="`4.0`")
    on_timeout: str = key("reject", SERVER, "past the budget: `reject` (fail closed: an incomplete scan is never a "
                          "pass), or `accept` with a warning to the pusher and a `timeout-accepted` line in "
                          "`push_log`", choices=("reject", "accept"))
    decode: bool = key(True, REPOSITORY, "decode encoded text and scan it (see Decoding); `--no-decode` switches "
                       "it off for one run")
    archives: bool = key(True, REPOSITORY, "open archives and scan their members (see Decoding); `--no-archives` "
                         "switches it off for one run")
    max_decode_depth: int = key(3, REPOSITORY, "encodings nested in one another that are decoded (base64 in base64 "
                                "is 2)", minimum=0)
    max_archive_depth: int = key(3, REPOSITORY, "archives nested in one another that are opened (a `.jar` in a "
                                 "`.zip` is 2)", minimum=0)
    max_archive_bytes: int = key(256 << 20, REPOSITORY, "uncompressed bytes read from one archive",
                                 shown="`268435456` (256 MiB)", minimum=0)
    max_archive_entries: int = key(10_000, REPOSITORY, "members looked at in one archive", minimum=0)
    max_archive_ratio: float = key(100, REPOSITORY, "uncompressed / compressed size, per member and overall (zip "
                                   "bombs)", minimum=0)

    def __init__(self, base_dir: str | os.PathLike[str] | None = None, **values: Any) -> None:
        unknown = set(values) - set(KEYS)
        if unknown:
            raise TypeError(f"unknown config key(s): {', '.join(sorted(unknown))}")
        for name, declared in KEYS.items():
            value = values.get(name, declared.default)
            setattr(self, name, list(value) if isinstance(value, list) else value)
        self.base_dir = os.getcwd() if base_dir is None else os.fspath(base_dir)
        self.repository_rules: list[str] = []  # the rule files (or directories) the repository names

    def resolve(self, path: str) -> str:
        """A path from the config, relative to the config file's directory."""
        return os.path.normpath(os.path.join(self.base_dir, os.path.expanduser(path)))  # absolute stays absolute


_TYPE_NAMES: dict[str, tuple[type, ...]] = {"list[str]": (list,), "str": (str,), "int": (int,),
                                            "float": (int, float), "bool": (bool,)}


def _declared() -> dict[str, Key]:
    """The keys declared in :class:`Config`, with the types their annotations name (``X | None``: ``X``)."""
    out = {}
    for name, declared in vars(Config).items():
        if isinstance(declared, Key):
            annotation = Config.__annotations__[name]
            declared.name = name
            declared.types = _TYPE_NAMES[annotation.removesuffix(" | None")]
            out[name] = declared
    return out


KEYS = _declared()
"""Every config key, by name, in declaration order."""
DEFAULTS: dict[str, Any] = {name: k.default for name, k in KEYS.items()}
"""Every config key with its default."""
OPERATOR_KEYS = frozenset(name for name, k in KEYS.items() if k.who == OPERATOR)
"""Keys only the operator may set; a repository config that sets one is an error (:mod:`scanner.trust`)."""
SERVER_KEYS = frozenset(name for name, k in KEYS.items() if k.who == SERVER)
"""The pre-receive gate's keys: a repository's value is ignored with a notice (:mod:`scanner.revision_config`)."""


def docs_table(server: bool = False) -> str:
    """A configuration table of the docs (Markdown), made from the declaration; a test keeps the docs equal.
    Every key but the pre-receive gate's (those in one row pointing to its section), or with ``server`` the
    gate's keys alone."""
    def shown(k: Key) -> str:
        if k.shown is not None:
            return k.shown
        if k.default is None:
            return "none"
        if isinstance(k.default, bool):
            return f"`{str(k.default).lower()}`"
        if isinstance(k.default, str):
            return f'`"{k.default}"`'
        if isinstance(k.default, float) and k.default.is_integer():
            return f"`{int(k.default)}`"
        return f"`{k.default}`"

    rows = []
    for name, k in KEYS.items():
        if (k.who == SERVER) == server:
            rows.append(f"| `{name}` | {shown(k)} | {k.doc}{'; operator only' if k.who == OPERATOR else ''} |")
        elif name == min(SERVER_KEYS, key=list(KEYS).index):  # the gate's keys: one row, where the first is
            names = ", ".join(f"`{n}`" for n in KEYS if n in SERVER_KEYS)
            rows.append(f"| {names} | see Server-side hook | `pre-receive` only, operator's config only |")
    return "\n".join(["| key | default | meaning |", "|---|---|---|", *rows]) + "\n"


def config_file(doc: dict[str, Any]) -> dict[str, Any]:
    """A ``.yardguard.toml`` as it is: it holds yardguard's settings only (what may be cached)."""
    return doc


def yardguard_table(doc: dict[str, Any]) -> dict[str, Any]:
    """Only ``[tool.yardguard]`` of a ``pyproject.toml`` (what may be cached: the rest could hold anything)."""
    tool = doc.get("tool")
    table = tool.get("yardguard") if isinstance(tool, dict) else None
    return {} if table is None else {"tool": {"yardguard": table}}


def _read_toml(path: str) -> dict[str, Any]:
    view = yardguard_table if os.path.basename(path) == "pyproject.toml" else config_file
    try:
        return tomlfile.load(path, view)
    except OSError as e:
        raise YardguardError(f"cannot read config file {path}: {e.strerror}") from None
    except ValueError as e:  # tomllib.TOMLDecodeError, without importing tomllib to name it
        raise YardguardError(f"{path}: invalid TOML: {e}") from None


def from_table(table: dict[str, Any], source: str, base_dir: str | None = None) -> Config:
    """Validate one ``[tool.yardguard]``-shaped table; relative paths in it resolve from ``base_dir``
    (default: the directory of ``source``)."""
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise YardguardError(f"{source}: unknown config key(s): {', '.join(unknown)}")
    for name, value in table.items():
        KEYS[name].check(value, source)
    return Config(**table, base_dir=os.path.dirname(os.path.abspath(source)) if base_dir is None else base_dir)


def explicit_table(path: str) -> dict[str, Any]:
    """The settings table of a config file named by the operator (``--config``)."""
    if not os.path.exists(path):
        raise YardguardError(f"config file not found: {path}")
    if not os.path.isfile(path):
        raise YardguardError(f"config file is not a regular file: {path} (give a .toml file)")
    data = _read_toml(path)
    if os.path.basename(path) != "pyproject.toml":
        return data
    if "tool" not in data:
        raise YardguardError(f"{path}: no [tool.yardguard] table")
    table: dict[str, Any] = data["tool"]["yardguard"]
    return table


def repository_table(root: str | os.PathLike[str]) -> tuple[dict[str, Any], str, str | None]:
    """(table, source, base dir) of the repository's own config; an empty table when it has none."""
    own = os.path.join(root, CONFIG_FILE)
    if os.path.isfile(own):
        return _read_toml(own), own, None
    pyproject = os.path.join(root, "pyproject.toml")
    if os.path.isfile(pyproject):
        try:  # a scanned project's broken pyproject.toml is its own business, not a yardguard error
            table = _read_toml(pyproject).get("tool", {}).get("yardguard")
        except YardguardError:
            table = None
        if table is not None:
            return table, pyproject, None
    return {}, os.path.join(root, CONFIG_FILE), os.fspath(root)
