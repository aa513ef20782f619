"""KAIORETRY_INJECT_REPORT: the JSON report written at exit parses, and
its counts, seed, program and pid match the log of the same run."""
import json
import os
import re

from harness import PYTHON, prog, run, series_lines, shim_env, tempdir

SUMMARY = re.compile(r"fault injection rule (\d+) '(.*)': matched (\d+), failed (\d+)"
                     r"(?:, delayed (\d+))?(?:, shortened (\d+))?$")


def summaries(stderr):
    found = {}
    for line in series_lines(stderr):
        m = SUMMARY.search(line)
        if m:
            n, _, matched, failed, delayed, shortened = m.groups()
            found[int(n)] = (int(matched), int(failed), int(delayed or 0),
                             int(shortened or 0))
    return found


def test_report_counts_match_the_log():
    spec = "write:error=EIO:when=2+3;write:delay=1ms..2ms:p=0.5;write:short=1"
    with tempdir() as d:
        path = os.path.join(d, "report.json")
        raw = run([prog("inject_probe"), "writes", "30"], env=shim_env(
            {"KAIORETRY_INJECT": spec, "KAIORETRY_INJECT_REPORT": path}, preload=False))
        assert raw.returncode == 0 and not os.path.exists(path)
        r = run([prog("inject_probe"), "writes", "30"], env=shim_env(
            {"KAIORETRY_INJECT": spec, "KAIORETRY_SEED": "11",
             "KAIORETRY_INJECT_REPORT": "report.json"}), cwd=d)
        assert r.returncode == 0, r.stderr
        with open(path) as f:
            report = json.load(f)
        assert os.listdir(d) == ["report.json"]
    assert report["program"] == "inject_probe"
    pid = int(re.search(r"kaioretry\[(\d+)\]", r.stderr).group(1))
    assert report["pid"] == pid and report["seed"] == "11" and report["seed_given"]
    logged = summaries(r.stderr)
    assert len(report["rules"]) == 3 == len(logged), (report, r.stderr)
    for rule in report["rules"]:
        counts = (rule["matches"], rule["faults"], rule["delays"], rule["shortenings"])
        assert counts == logged[rule["rule"]], (rule, logged)
    assert report["rules"][0]["text"] == "write:error=EIO:when=2+3"
    assert report["rules"][0]["faults"] == 10
    assert 5 <= report["rules"][1]["delays"] <= 25


FORKER = """
import os, socket, sys
pid = os.fork()
if pid == 0:
    socket.socket().close()
    sys.exit(0)
os.waitpid(pid, 0)
"""


def test_fork_children_write_only_to_a_per_pid_path():
    with tempdir() as d:
        env = shim_env({"KAIORETRY_INJECT": "connect:error=EIO:at=1000s..",
                        "KAIORETRY_INJECT_REPORT": os.path.join(d, "r-%p.json")})
        r = run([PYTHON, "-c", FORKER], env=env)
        assert r.returncode == 0, r.stderr
        names = sorted(os.listdir(d))
        assert len(names) == 2, names
        pids = {json.load(open(os.path.join(d, n)))["pid"] for n in names}
        assert {f"r-{p}.json" for p in pids} == set(names)
        # Without %p, only the process that started injection writes.
        single = os.path.join(d, "one.json")
        env["KAIORETRY_INJECT_REPORT"] = single
        r = run([PYTHON, "-c", FORKER + "print(os.getpid())"], env=env)
        assert json.load(open(single))["pid"] == int(r.stdout)


def test_report_key_in_the_ini_file_and_bad_values():
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write(f"[inject]\nrules = write:error=EIO:when=1\nreport = {d}/x.json\n")
        r = run([prog("inject_probe"), "writes", "2"],
                env=shim_env({"KAIORETRY_CONFIG": ini}))
        report = json.load(open(os.path.join(d, "x.json")))
        assert report["rules"][0]["faults"] == 1, report
        r = run([prog("inject_probe"), "writes", "2"], env=shim_env(
            {"KAIORETRY_INJECT": "write:error=EIO", "KAIORETRY_INJECT_REPORT": " "}))
        assert "KAIORETRY_INJECT_REPORT: report: expected a file name" in r.stderr, r.stderr
