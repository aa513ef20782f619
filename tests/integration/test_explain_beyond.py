"""kaioretry --explain for deadline, spread, budget and attempt_timeout,
and --explain --target / --program for scoped sections."""
import os

from harness import ROOT, run, shim_env, tempdir

KAIORETRY = os.path.join(ROOT, "scripts", "kaioretry")


def explain(*args, env=None):
    r = run([KAIORETRY, *args, "--explain"], env=shim_env(env, preload=False, log=None))
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def summary(out, name):
    return next(l for l in out.splitlines() if l.startswith(name + ":"))


def test_explain_shows_the_range_of_each_sleep_under_spread():
    out = explain("-t", "5", "-d", "1", "-b", "2", "--max-delay", "none",
                  "--spread", "full")
    assert summary(out, "connect").endswith(
        "spread=full -> sleeps 0..1 0..2 0..4 0..8 (total 0..15 s)"), out
    out = explain("-t", "4", "-d", "1", "-b", "2", "--max-delay", "none",
                  "--spread", "equal")
    assert summary(out, "read").endswith("-> sleeps 0.5..1 1..2 2..4 (total 3.5..7 s)"), out
    out = explain("-t", "4", "-d", "1", "-b", "1", "--max-delay", "5",
                  "--spread", "decorrelated")
    # uniform(1, 3 * previous), capped at 5: the upper end grows 3, 5, 5.
    assert summary(out, "send").endswith("-> sleeps 1..3 1..5 1..5 (total 3..13 s)"), out


def test_explain_shows_deadline_budget_and_attempt_timeout():
    out = explain("-t", "3", "--deadline", "30", "--budget", "20%",
                  "--budget-min", "5/s", "--attempt-timeout", "2")
    line = summary(out, "connect")
    assert "deadline=30 attempt_timeout=2" in line and "budget=0.2 budget_min=5/s" in line, line
    assert line.endswith("; deadline 30 s: no sleep that would end past it"), line
    assert "attempt_timeout" not in summary(out, "read")
    assert "    attempt_timeout none" in out  # every key listed with its origin
    assert "    budget_min      5/s       from KAIORETRY_BUDGET_MIN" in out, out


def test_explain_target_names_the_destination_section_that_applies():
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("[connect]\ntries = 2\n"
                    "[connect 10.0.0.0/8]\ntries = 8\n"
                    "[connect *:5432]\ntries = 54\n"
                    "[connect 10.1.2.3:5432]\ntries = 99\n"
                    "[getaddrinfo *.internal]\ntries = 7\n"
                    "[resolver db.*]\ntries = 6\n"
                    "[bind *:5432]\ntries = 3\n")
        os.chmod(ini, 0o644)
        out = explain("-c", ini, "--target", "10.1.2.3:5432")
        assert (f"target 10.1.2.3:5432 (connect): [connect 10.1.2.3:5432] ({ini}:7) "
                "applies, the most specific of [connect 10.0.0.0/8] [connect *:5432] "
                "[connect 10.1.2.3:5432]") in out, out
        assert "\nconnect: tries=99 " in out, out
        # An address is bind's too; its own sections turn bind on.
        assert (f"target 10.1.2.3:5432 (bind): [bind *:5432] ({ini}:13) "
                "applies") in out, out
        assert out.rstrip().splitlines()[-1].startswith("bind: tries=3 "), out
        out = explain("-c", ini, "--target", "10.9.9.9:5432")
        assert "\nconnect: tries=8 " in out, out
        out = explain("-c", ini, "--target", "192.0.2.1:80")
        assert "no destination section matches; the [connect] policy applies" in out
        out = explain("-c", ini, "--target", "db.internal")
        assert "\ngetaddrinfo: tries=7 " in out, out
        # The old resolver's lookups of the same name: its own sections.
        assert (f"target db.internal (resolver): [resolver db.*] ({ini}:11) "
                "applies") in out, out
        assert out.rstrip().splitlines()[-1].startswith("resolver: tries=6 "), out
        assert f"destination [connect *:5432] ({ini}:5): tries=54" in out


def test_explain_program_applies_program_sections():
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("programs = psql\ntries = 2\n[program:psql/connect]\ntries = 5\n")
        os.chmod(ini, 0o644)
        out = explain("-c", ini, "--program", "psql")
        assert summary(out, "connect").startswith("connect: tries=5 "), out
        assert summary(out, "read").startswith("read: tries=2 "), out
        out = explain("-c", ini, "--program", "nginx")
        assert "program 'nginx' is not in 'programs'" in out, out
        # A PROGRAM after --explain gives the name.
        r = run([KAIORETRY, "-c", ini, "--explain", "--", "/usr/bin/psql"],
                env=shim_env(None, preload=False, log=None))
        assert summary(r.stdout, "connect").startswith("connect: tries=5 "), r.stdout
