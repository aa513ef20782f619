"""The source tree itself: nothing half-merged is ever committed, and
the files' calls only go down."""
import glob
import os
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
    for name in ("README.md", "DEVELOPERS.md"):
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
