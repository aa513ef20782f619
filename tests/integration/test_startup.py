"""The start-up cost of the library, counted by callgrind.

exec'ing /bin/true under kaioretry with no config, against an empty
preload library in the same environment: the instructions it adds must
stay under scripts/bench's STARTUP_BUDGET.  Instruction counts are
deterministic; wall time is never gated on."""
import os
import re
import shutil

from harness import ROOT, PYTHON, Skip, run

BENCH_SCRIPT = os.path.join(ROOT, "scripts", "bench")


def startup(tz=None):
    if not shutil.which("valgrind"):
        raise Skip("valgrind is not installed (scripts/install-deps)")
    if os.path.exists("/etc/kaioretry.ini"):
        raise Skip("/etc/kaioretry.ini exists: not the no-config case")
    cmd = [PYTHON, BENCH_SCRIPT, "--startup-budget"]
    if tz is not None:
        cmd += ["--tz", tz]
    r = run(cmd, env={"PATH": os.environ.get("PATH", "/usr/bin")}, timeout=300)
    m = re.search(r"^start-up: ([\d,]+) added instructions, (within|OVER) "
                  r"the budget of ([\d,]+)$", r.stdout, re.M)
    assert m, r.stdout + r.stderr
    added, budget = (int(m.group(i).replace(",", "")) for i in (1, 3))
    return added, budget, r


def test_startup_within_instruction_budget():
    added, budget, r = startup()
    # Below a few thousand would mean the library was not loaded at all.
    assert 5000 < added <= budget, r.stdout
    assert r.returncode == 0, r.stdout + r.stderr


def test_startup_reads_no_clock_and_no_proc():
    """On a VM the first clock read of a process costs 50-100 us and its
    first look into /proc/self some 40 us: start-up needs neither."""
    _, _, r = startup("UTC")
    assert "start-up calls: no clock read, no readlink" in r.stdout, r.stdout
    # The same check sees a clock read where start-up does need one: a
    # zone left to localtime_r is probed from now.
    _, _, r = startup("XXX5YYY")
    assert "start-up calls: clock_gettime (none allowed)" in r.stdout, r.stdout


def test_startup_count_sees_the_localtime_probe():
    """A TZ glibc completes from posixrules is left to localtime_r's week
    by week probe, which the library did for every zone before: the
    same count puts that over the budget, so the gate above would catch
    a return to it."""
    added, budget, r = startup("XXX5YYY")
    assert added > budget and r.returncode == 1, r.stdout


def test_startup_reads_a_daylight_saving_zone_cheaply():
    """A zone with daylight saving costs about what UTC does: its changes
    come from the zone file, not from probing localtime_r."""
    if not os.path.exists("/usr/share/zoneinfo/Europe/Paris"):
        raise Skip("tzdata is not installed")
    utc, budget, _ = startup("UTC")
    paris, _, r = startup("Europe/Paris")
    assert paris <= budget and paris - utc < 10000, (utc, paris, r.stdout)
