"""The start-up cost of the library, counted by callgrind.

exec'ing /bin/true under kaioretry with no config, against an empty
preload library in the same environment: the instructions it adds must
stay under scripts/bench's STARTUP_BUDGET, and it must call none of
STARTUP_FORBIDDEN (a clock, readlink, dlsym, the zone reader), each of
which costs a fresh process tens of microseconds on a VM.  Instruction
counts and the functions run are deterministic; wall time is never
gated on."""
import os
import re
import shutil

from harness import ROOT, PYTHON, Skip, run, tempdir

BENCH_SCRIPT = os.path.join(ROOT, "scripts", "bench")


def startup(env=None):
    if not shutil.which("valgrind"):
        raise Skip("valgrind is not installed (scripts/install-deps)")
    if os.path.exists("/etc/kaioretry.ini"):
        raise Skip("/etc/kaioretry.ini exists: not the no-config case")
    cmd = [PYTHON, BENCH_SCRIPT, "--startup-budget"]
    for name, value in (env or {}).items():
        cmd += ["--env", f"{name}={value}"]
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
    assert "start-up calls: no clock, readlink, dlsym or zone" in r.stdout, r.stdout
    assert r.returncode == 0, r.stdout + r.stderr


def test_startup_is_the_same_in_any_zone():
    """The zone is read on first need, so a zone that takes posixrules
    to read costs start-up nothing."""
    utc, _, _ = startup({"TZ": "UTC"})
    probed, budget, r = startup({"TZ": "XXX5YYY"})
    assert probed <= budget and abs(probed - utc) < 2000, (utc, probed, r.stdout)


def test_startup_check_sees_a_forbidden_call():
    """The same check fails when start-up does read a link: a
    [program:NAME] section needs the exe's name at load."""
    with tempdir() as d:
        ini = os.path.join(d, "kaioretry.ini")
        with open(ini, "w") as f:
            f.write("[program:true]\ntries = 3\n")
        os.chmod(ini, 0o644)
        _, _, r = startup({"KAIORETRY_CONFIG": ini})
    assert re.search(r"^start-up calls: .*\breadlink\b.* \(none allowed\)$",
                     r.stdout, re.M), r.stdout
    assert r.returncode == 1, r.stdout
