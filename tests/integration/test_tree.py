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
