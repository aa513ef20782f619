"""The source tree itself: nothing half-merged is ever committed, the
layout table lists every source file, the README stays short, and the
files' calls only go down."""
import fnmatch
import glob
import os
import re
import subprocess

from harness import BUILD, ROOT


def test_no_merge_conflict_markers():
    files = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True,
                           text=True, check=True).stdout.split()
    bad = []
    for name in files:
        try:
            with open(f"{ROOT}/{name}", encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    if line.startswith(("<<<<<<< ", ">>>>>>> ")):
                        bad.append(f"{name}:{n}")
        except (IsADirectoryError, FileNotFoundError):
            continue
    assert not bad, bad


def test_documents_hold_each_heading_once():
    """A section pasted in twice (it happened once, to the README) shows
    as a heading that appears twice."""
    for name in ["README.md", "DEVELOPERS.md"] + sorted(
            f"docs/{d}" for d in os.listdir(f"{ROOT}/docs") if d.endswith(".md")):
        with open(f"{ROOT}/{name}", encoding="utf-8") as f:
            text = f.read()
        # Headings outside ``` blocks (shell comments start with # too).
        headings, fenced = [], False
        for line in text.splitlines():
            if line.startswith("```"):
                fenced = not fenced
            elif not fenced and line.startswith("#"):
                headings.append(line)
        twice = sorted({h for h in headings if headings.count(h) > 1})
        assert not twice, (name, twice)


# The layout table: one list of every source file, in docs/design.md.
LAYOUT_DOC = "docs/design.md"
# Product folders are listed file by file (or by a `name.*` stem), never
# by a folder row, so a new file there has to be described.
PRODUCT_DIRS = ("shim/", "config/", "common/", "scripts/")
TEST_SOURCE = (".c", ".h", ".def", ".py")


def tracked_files():
    return subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True,
                          text=True, check=True).stdout.split()


def source_files(files):
    """Every file under the product folders, and the sources of tests/."""
    return [f for f in files
            if f.startswith(PRODUCT_DIRS)
            or (f.startswith("tests/") and f.endswith(TEST_SOURCE))]


def layout_paths():
    """The backquoted paths of the first column of the layout table."""
    with open(f"{ROOT}/{LAYOUT_DOC}", encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = lines.index("## Layout")
    paths = []
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if line.startswith("| `"):
            paths += re.findall(r"`([^`]+)`", line.split("|")[1])
    return paths


def listed_by(path, name):
    if path.endswith("/"):
        return name.startswith(path)
    if any(c in path for c in "*?["):
        return fnmatch.fnmatchcase(name, path)
    return name == path


def test_layout_table_paths_exist():
    files = tracked_files()
    paths = layout_paths()
    assert len(paths) > 20, f"no layout table under '## Layout' in {LAYOUT_DOC}"
    missing = [p for p in paths if not any(listed_by(p, f) for f in files)]
    assert not missing, f"{LAYOUT_DOC} lists paths that do not exist: {missing}"
    folders = [p for p in paths if p.endswith("/") and p.startswith(PRODUCT_DIRS)]
    assert not folders, f"list these files one by one, not as folders: {folders}"


def test_layout_table_lists_every_source_file():
    paths = layout_paths()
    unlisted = [f for f in source_files(tracked_files())
                if not any(listed_by(p, f) for p in paths)]
    assert not unlisted, f"add these files to the table in {LAYOUT_DOC}: {unlisted}"


README_MAX_LINES = 450


def test_readme_is_short():
    """The README is for users; the rest lives in docs/ and the man pages."""
    with open(f"{ROOT}/README.md", encoding="utf-8") as f:
        lines = len(f.read().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines, at most {README_MAX_LINES}"


def test_calls_only_go_down():
    """scripts/layers over the objects `make test-programs` built (the
    library's and kaioretry-config's): no file may reach a file that
    reaches it back (nm), and no #include may reach up a folder
    (common/ below config/ below shim/).  Only objects whose source
    still exists count, so a stale one from an older tree cannot speak."""
    objects = []
    for folder in ("common", "config", "config/cli", "shim"):
        for obj in sorted(glob.glob(f"{BUILD}/obj/{folder}/*.o")):
            source = os.path.relpath(obj, f"{BUILD}/obj")[:-2] + ".c"
            if os.path.exists(os.path.join(ROOT, source)):
                objects.append(obj)
    shim = [o for o in objects if "/obj/shim/" in o]
    assert len(shim) >= 20, f"objects missing under {BUILD}/obj: {objects}"
    r = subprocess.run([f"{ROOT}/scripts/layers"] + objects,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no cycle" in r.stdout, r.stdout
