"""What a push publishes: ``push_ranges`` (pre-push: git's hook stdin or pre-commit's variables) and
``parse_updates`` / ``push_options`` (pre-receive). Literal hook input; a real repository only where a
remote commit must be known or unknown."""
from __future__ import annotations

import pytest

from scanner.errors import YardguardError
from scanner.sources.push import parse_updates, push_options, push_ranges
from tests.conftest import Repo

ZERO = "0" * 40
UNKNOWN = "f" * 40  # a commit this repository has never fetched


@pytest.fixture
def history(repo: Repo) -> tuple[Repo, str, str]:
    """A repository with two commits: (repo, first, second)."""
    repo.write("a.txt", "one\n")
    first = repo.commit("first")
    repo.write("a.txt", "two\n")
    second = repo.commit("second")
    return repo, first, second


def stdin(local_ref: str, local: str, remote_ref: str, remote: str) -> str:
    return f"{local_ref} {local} {remote_ref} {remote}\n"


def test_an_update_of_a_known_remote_commit_is_remote_dot_dot_local(history: tuple[Repo, str, str]) -> None:
    repo, first, second = history
    lines = [stdin("refs/heads/main", second, "refs/heads/main", first)]
    assert push_ranges({}, lines, repo.path) == [f"{first}..{second}"]


def test_a_new_branch_is_the_local_commit_alone(history: tuple[Repo, str, str]) -> None:
    """The zero remote id: a new branch, whose range is its commits on no remote-tracking ref."""
    repo, _, second = history
    assert push_ranges({}, [stdin("refs/heads/topic", second, "refs/heads/topic", ZERO)], repo.path) == [second]


def test_a_remote_commit_never_fetched_counts_as_a_new_branch(history: tuple[Repo, str, str]) -> None:
    """A force push over work this clone lacks: ``UNKNOWN..local`` would fail, so the local side alone."""
    repo, _, second = history
    assert push_ranges({}, [stdin("refs/heads/main", second, "refs/heads/main", UNKNOWN)], repo.path) == [second]


def test_a_deleted_ref_publishes_nothing(history: tuple[Repo, str, str]) -> None:
    repo, first, _ = history
    assert push_ranges({}, [stdin("(delete)", ZERO, "refs/heads/old", first)], repo.path) == []


def test_several_refs_blank_and_malformed_lines(history: tuple[Repo, str, str]) -> None:
    repo, first, second = history
    lines = [stdin("refs/heads/main", second, "refs/heads/main", first), "\n", "garbage line\n",
             stdin("refs/tags/v1", first, "refs/tags/v1", ZERO)]
    assert push_ranges({}, lines, repo.path) == [f"{first}..{second}", first]


def test_pre_commit_variables(history: tuple[Repo, str, str]) -> None:
    """pre-commit passes the push as PRE_COMMIT_FROM_REF/TO_REF, or only PRE_COMMIT_LOCAL_BRANCH when the push
    includes the root commit; its variables come first, and git's stdin lines are read as well."""
    repo, first, second = history
    assert push_ranges({"PRE_COMMIT_FROM_REF": first, "PRE_COMMIT_TO_REF": second}, [], repo.path) == [
        f"{first}..{second}"]
    assert push_ranges({"PRE_COMMIT_FROM_REF": ZERO, "PRE_COMMIT_TO_REF": second}, [], repo.path) == [second]
    assert push_ranges({"PRE_COMMIT_TO_REF": second}, [], repo.path) == [second]
    assert push_ranges({"PRE_COMMIT_LOCAL_BRANCH": "main"}, [], repo.path) == ["main"]
    both = {"PRE_COMMIT_TO_REF": second, "PRE_COMMIT_LOCAL_BRANCH": "main"}
    assert push_ranges(both, [], repo.path) == [second]   # TO_REF wins


def test_no_input_is_no_range(history: tuple[Repo, str, str]) -> None:
    repo, _, _ = history
    assert push_ranges({}, [], repo.path) == []
    assert push_ranges({"PRE_COMMIT_TO_REF": ""}, [], repo.path) == []


def test_sha256_zero_ids_are_zero_too(history: tuple[Repo, str, str]) -> None:
    repo, _, second = history
    zero256 = "0" * 64
    assert push_ranges({}, [stdin("refs/heads/new", second, "refs/heads/new", zero256)], repo.path) == [second]
    assert push_ranges({}, [stdin("(delete)", zero256, "refs/heads/old", second)], repo.path) == []


def test_parse_updates_reads_old_new_ref_and_skips_blank_lines() -> None:
    new = "1" * 40
    updates = parse_updates([f"{ZERO} {new} refs/heads/topic\n", "\n", f"{new} {ZERO} refs/tags/gone\n"])
    assert [(u.old, u.new, u.ref, u.deleted) for u in updates] == [
        (ZERO, new, "refs/heads/topic", False), (new, ZERO, "refs/tags/gone", True)]
    assert parse_updates([]) == []


@pytest.mark.parametrize("line", ["only-two fields\n", f"{ZERO} {ZERO} refs/heads/a extra\n"])
def test_parse_updates_refuses_a_malformed_line(line: str) -> None:
    with pytest.raises(YardguardError, match="expected '<old> <new> <ref>'"):
        parse_updates([line])


def test_push_options() -> None:
    assert push_options({}) == []
    assert push_options({"GIT_PUSH_OPTION_COUNT": "2", "GIT_PUSH_OPTION_0": "yardguard.skip",
                         "GIT_PUSH_OPTION_1": "ci.skip"}) == ["yardguard.skip", "ci.skip"]
    assert push_options({"GIT_PUSH_OPTION_COUNT": "1"}) == [""]
    assert push_options({"GIT_PUSH_OPTION_COUNT": "many"}) == []
    assert len(push_options({"GIT_PUSH_OPTION_COUNT": "1000000"})) == 1000   # bounded
