"""journald: a real systemd-journald for the journal tests.

under_journal(cmd, env, directory) runs `cmd` in a private mount
namespace (unshare -m) where tmpfs mounts hide the host's
/run/systemd/journal, /run/log and /var/log/journal, and a private
systemd-journald listens on the usual socket.  After cmd, it asks
journalctl for every kaioretry record, then again with
KAIORETRY_SERIES=<uuid> for each series and KAIORETRY_TARGET=<target>
for each target, and returns all of it (journalctl's JSON, parsed).
Nothing outside the namespace is touched.
"""
import json
import os
import subprocess
import sys
import time

from harness import Skip

JOURNALD = "/lib/systemd/systemd-journald"
HIDDEN = ("/run/systemd/journal", "/run/log", "/var/log/journal")


def available():
    return os.path.exists(JOURNALD) and os.geteuid() == 0


def under_journal(cmd, env, directory, timeout=60):
    """Returns {"rc", "stdout", "stderr", "all", "series": {uuid: recs},
    "target": {target: recs}}."""
    if not available():
        raise Skip("needs root and " + JOURNALD)
    out = os.path.join(directory, "journal.json")
    inside = [sys.executable, os.path.abspath(__file__), "--inside", out, "--"]
    p = subprocess.run(["unshare", "-m", "--propagation", "private"] +
                       inside + cmd, env=env, capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    with open(out) as f:
        return json.load(f)


def journalctl(*match):
    p = subprocess.run(["journalctl", "--no-pager", "-o", "json"] +
                       list(match), capture_output=True, text=True,
                       timeout=30, env={"PATH": os.environ["PATH"]})
    return [json.loads(line) for line in p.stdout.splitlines() if line]


def inside(out, cmd):
    for path in HIDDEN:
        os.makedirs(path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", path], check=True)
    clean = {"PATH": os.environ["PATH"]}
    journald = subprocess.Popen([JOURNALD], env=clean,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not os.path.exists("/run/systemd/journal/socket"):
            assert journald.poll() is None and time.monotonic() < deadline, \
                "systemd-journald did not start"
            time.sleep(0.02)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=40)
        subprocess.run(["journalctl", "--sync"], env=clean, timeout=30,
                       capture_output=True)
        records = journalctl("SYSLOG_IDENTIFIER=kaioretry")
        result = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
                  "all": records, "series": {}, "target": {}}
        for r in records:
            for field, key in (("KAIORETRY_SERIES", "series"),
                               ("KAIORETRY_TARGET", "target")):
                if field in r and r[field] not in result[key]:
                    result[key][r[field]] = journalctl(f"{field}={r[field]}")
    finally:
        journald.terminate()
        journald.wait(10)
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__" and sys.argv[1] == "--inside":
    inside(sys.argv[2], sys.argv[4:])
