"""``parse_patch``: the staged diff (``git diff --cached`` as ``sources/staged.py`` runs it) parsed into added
lines per path and the set of paths the change touches. Literal patches, so each edge case is visible."""
from __future__ import annotations

from scanner.sources.staged import AddedLines, parse_patch, unquote

Z = "0" * 7


def patch(*sections: str) -> bytes:
    return "".join(sections).encode()


def lines_of(added: AddedLines) -> list[tuple[int, bytes, bool]]:
    """(file line, text, added?) of every line the hunks show on the new side."""
    return [(n, line, n in added.added) for n, line in zip(added.numbers, added.lines, strict=True)]


MODIFIED = """diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,3 +1,4 @@
 import os
-key = os.environ['K']
+key = 'k1'
+other = 'k2'
 print(key)
"""


def test_an_edited_file_keeps_context_and_numbers_added_lines_by_the_new_side() -> None:
    added, touched = parse_patch(patch(MODIFIED))
    assert touched == {"app.py"} and list(added) == ["app.py"]
    assert lines_of(added["app.py"]) == [(1, b"import os", False), (2, b"key = 'k1'", True),
                                         (3, b"other = 'k2'", True), (4, b"print(key)", False)]
    assert added["app.py"].data == b"import os\nkey = 'k1'\nother = 'k2'\nprint(key)"
    assert added["app.py"].file_line(3) == 3


def test_several_hunks_take_their_line_numbers_from_each_header() -> None:
    text = """diff --git a/a.txt b/a.txt
index 1111111..2222222 100644
--- a/a.txt
+++ b/a.txt
@@ -1,2 +1,3 @@
 one
+two
 three
@@ -40,2 +41,3 @@ def section():
 forty
+forty-one
 forty-two
"""
    added, _ = parse_patch(patch(text))
    assert [(n, t) for n, t, is_added in lines_of(added["a.txt"]) if is_added] == [(2, b"two"), (42, b"forty-one")]


def test_a_new_file_is_every_line_added_and_numbered_from_one() -> None:
    text = f"""diff --git a/new.env b/new.env
new file mode 100644
index {Z}..3333333
--- /dev/null
+++ b/new.env
@@ -0,0 +1,3 @@
+A=1
+KEY=secret
+B=2
"""
    added, touched = parse_patch(patch(text))
    assert touched == {"new.env"}
    new = added["new.env"]
    assert new.data == b"A=1\nKEY=secret\nB=2"
    assert list(new.numbers) == [1, 2, 3] and all(n in new.added for n in (1, 2, 3)) and 4 not in new.added


def test_no_newline_at_end_of_file_is_not_a_line() -> None:
    new_file = f"""diff --git a/n.txt b/n.txt
new file mode 100644
index {Z}..4444444
--- /dev/null
+++ b/n.txt
@@ -0,0 +1,2 @@
+first
+last
\\ No newline at end of file
"""
    edited = """diff --git a/e.txt b/e.txt
index 5555555..6666666 100644
--- a/e.txt
+++ b/e.txt
@@ -1 +1,2 @@
-old
\\ No newline at end of file
+old
+new
\\ No newline at end of file
"""
    added, _ = parse_patch(patch(new_file, edited))
    assert added["n.txt"].data == b"first\nlast"
    assert lines_of(added["e.txt"]) == [(1, b"old", True), (2, b"new", True)]


def test_an_empty_new_file_and_a_mode_change_add_nothing() -> None:
    text = f"""diff --git a/empty.txt b/empty.txt
new file mode 100644
index {Z}..e69de29
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
"""
    assert parse_patch(patch(text)) == ({}, set())


def test_a_deletion_adds_nothing_and_touches_nothing() -> None:
    text = f"""diff --git a/gone.py b/gone.py
deleted file mode 100644
index 7777777..{Z}
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-key = 'old'
"""
    assert parse_patch(patch(text)) == ({}, set())


def test_a_pure_rename_touches_the_new_path_and_adds_no_line() -> None:
    text = """diff --git a/old/name.py b/new/name.py
similarity index 100%
rename from old/name.py
rename to new/name.py
"""
    assert parse_patch(patch(text)) == ({}, {"new/name.py"})


def test_a_rename_with_edits_reports_the_added_lines_under_the_new_path() -> None:
    text = """diff --git a/conf.py b/settings.py
similarity index 80%
rename from conf.py
rename to settings.py
index 1111111..2222222 100644
--- a/conf.py
+++ b/settings.py
@@ -1,2 +1,3 @@
 A = 1
+KEY = 'k'
 B = 2
"""
    added, touched = parse_patch(patch(text))
    assert touched == {"settings.py"} and list(added) == ["settings.py"]
    assert [t for _, t, is_added in lines_of(added["settings.py"]) if is_added] == [b"KEY = 'k'"]


def test_a_copy_touches_its_destination() -> None:
    text = """diff --git a/a.py b/b.py
similarity index 100%
copy from a.py
copy to b.py
"""
    assert parse_patch(patch(text)) == ({}, {"b.py"})


def test_quoted_paths_are_unquoted_and_a_trailing_tab_is_dropped() -> None:
    text = """diff --git "a/caf\\303\\251 \\"x\\".py" "b/caf\\303\\251 \\"x\\".py"
index 1111111..2222222 100644
--- "a/caf\\303\\251 \\"x\\".py"
+++ "b/caf\\303\\251 \\"x\\".py"
@@ -1 +1,2 @@
 a
+b
diff --git a/with space.txt b/with space.txt
index 1111111..2222222 100644
--- a/with space.txt\t
+++ b/with space.txt\t
@@ -1 +1,2 @@
 a
+b
"""
    added, touched = parse_patch(patch(text))
    assert touched == {'café "x".py', "with space.txt"} == set(added)


def test_unquote_reads_git_c_quoting() -> None:
    assert unquote(b"plain/name.txt") == "plain/name.txt"
    assert unquote(b'"tab\\there"') == "tab\there"
    assert unquote(b'"new\\nline"') == "new\nline"
    assert unquote(b'"back\\\\slash"') == "back\\slash"
    assert unquote(b'"caf\\303\\251"') == "café"
    assert unquote(b'"\\377bad"') == "\udcffbad"  # not UTF-8: surrogate-escaped, as os.fsdecode does


def test_binary_content_shown_as_text_is_kept_byte_for_byte() -> None:
    """``staged`` asks git for ``--text``: a binary file's bytes arrive as ordinary hunk lines."""
    raw = (b"diff --git a/blob.bin b/blob.bin\nnew file mode 100644\nindex 0000000..8888888\n--- /dev/null\n"
           b"+++ b/blob.bin\n@@ -0,0 +1,2 @@\n+\x00\x01\xffkey\r\n+\x7fELF\n")
    added, touched = parse_patch(raw)
    assert touched == {"blob.bin"}
    assert added["blob.bin"].data == b"\x00\x01\xffkey\r\n\x7fELF"


def test_lines_that_look_like_headers_inside_hunks_stay_content() -> None:
    """A hunk line always starts with "+", "-", " " or "\\": an added line reading ``++ x`` or ``diff --git``
    is content, not a new path or a new file."""
    text = """diff --git a/notes.md b/notes.md
index 1111111..2222222 100644
--- a/notes.md
+++ b/notes.md
@@ -1 +1,4 @@
 intro
+++ b/not-a-path
+diff --git a/x b/x
+rename to y
"""
    added, touched = parse_patch(patch(text))
    assert touched == {"notes.md"} and list(added) == ["notes.md"]
    assert [t for _, t, is_added in lines_of(added["notes.md"]) if is_added] == [
        b"++ b/not-a-path", b"diff --git a/x b/x", b"rename to y"]


def test_a_file_that_only_loses_lines_is_touched_but_adds_nothing() -> None:
    text = """diff --git a/a.py b/a.py
index 1111111..2222222 100644
--- a/a.py
+++ b/a.py
@@ -1,2 +1 @@
 keep
-drop
"""
    assert parse_patch(patch(text)) == ({}, {"a.py"})


def test_several_files_and_an_empty_patch() -> None:
    second = MODIFIED.replace("app.py", "lib.py")
    added, touched = parse_patch(patch(MODIFIED, second))
    assert touched == {"app.py", "lib.py"} == set(added)
    assert parse_patch(b"") == ({}, set())


def test_a_new_files_hunk_header_gives_what_parsing_every_line_would() -> None:
    """A new file is numbered and measured from its hunk header (``+1`` for one line, ``+1,N``); a merged
    section (``merged``) goes through the line-by-line parse: both agree, with and without a final newline."""
    bodies = [["x"], ["a", "", "b"], ["+x", "@@ y", " z", "-w"], [f"line {i}" for i in range(300)]]
    for body in bodies:
        for final_newline in (True, False):
            count = "+1" if len(body) == 1 else f"+1,{len(body)}"
            hunk = f"@@ -0,0 {count} @@\n" + "\n".join(f"+{line}" for line in body)
            raw = (hunk if final_newline else hunk + "\n\\ No newline at end of file").encode()
            fast, slow = AddedLines("f", raw), AddedLines("f", raw, merged=True)
            assert fast.size == slow.size == len(slow.data) and fast.data == slow.data == "\n".join(body).encode()
            assert list(fast.numbers) == list(slow.numbers) == list(range(1, len(body) + 1))
            assert set(fast.added) == set(slow.added)
            assert (fast.new_file() == slow.data + b"\n") if final_newline else (fast.new_file() == slow.data)


def test_the_head_of_an_edited_file_is_read_from_its_first_hunk_lines() -> None:
    """``head`` of an edited file's hunks, without parsing them all, equals the start of its joined lines."""
    text = MODIFIED + """diff --git a/b.txt b/b.txt
index 1111111..2222222 100644
--- a/b.txt
+++ b/b.txt
@@ -1,3 +1,2 @@
-gone
-also gone
 kept
+new
@@ -40,2 +39,3 @@ def f():
 forty
+\\0PK
 forty-two
\\ No newline at end of file
"""
    added, _ = parse_patch(patch(text))
    for hunks in added.values():
        data = AddedLines(hunks.path, hunks.raw, merged=True).data
        for size in (0, 1, 5, 9, 10, 11, 30, 1024):
            assert AddedLines(hunks.path, hunks.raw).head(size) == data[:size], (hunks.path, size)
