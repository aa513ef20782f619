"""The source tree itself: nothing half-merged is ever committed."""
import subprocess

from harness import ROOT


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
