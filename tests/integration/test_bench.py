"""The success path's instruction budget, counted by callgrind.

Runs the quick, deterministic part of scripts/bench: instructions per
successful wrapped call, raw against kaioretry, with N and 2N calls
differenced.  Wall time is never gated on; these counts are exact."""
import os
import re
import shutil

from harness import ROOT, BUILD, PYTHON, Skip, run

BENCH_SCRIPT = os.path.join(ROOT, "scripts", "bench")
BENCH = os.path.join(BUILD, "bench", "bench")
BUDGET = 20
GETADDRINFO_COPY = 90   # scripts/bench: the copy of a result for fallthrough


def added_per_call(stdout):
    """{workload: added instructions per wrapped call} from the table."""
    rows = re.findall(r"^\| (\w+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([-\d.]+) \| \d+ \|$",
                      stdout, re.M)
    return {w: float(added) for w, _, _, _, added in rows}


def test_success_path_within_instruction_budget():
    if not shutil.which("valgrind"):
        raise Skip("valgrind is not installed (scripts/install-deps)")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KAIORETRY") and k != "LD_PRELOAD"}
    r = run([PYTHON, BENCH_SCRIPT, "--budget"], env=env, timeout=300)
    added = added_per_call(r.stdout)
    assert set(added) == {"write", "read", "sendrecv", "connect", "bind", "disk",
                          "getaddrinfo", "gethostbyname", "gethostbyname_r",
                          "res_query", "getpwnam", "getpwnam_r", "open",
                          "open_creat", "openat", "creat", "fopen", "open64",
                          "openat64", "creat64", "fopen64", "__open_2",
                          "__open64_2", "__openat_2", "__openat64_2"}, \
        r.stdout + r.stderr
    for workload, value in added.items():
        # Below zero would mean the measurement is broken, not free.
        allowed = BUDGET + (GETADDRINFO_COPY if workload == "getaddrinfo" else 0)
        assert 0 < value <= allowed, (workload, value, r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "within the budget of 20" in r.stdout


def test_instruction_count_sees_a_costly_preload():
    """The same differencing sees libfiu's ~1,000 added instructions, so
    a cheap count above is a measurement, not a blind spot."""
    if not shutil.which("valgrind"):
        raise Skip("valgrind is not installed (scripts/install-deps)")
    fiu = "/usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so"
    if not os.path.exists(fiu.split()[1]):
        raise Skip("fiu-utils is not installed (scripts/install-deps)")

    def per_call(preload, n):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("KAIORETRY", "FIU_")) and k != "LD_PRELOAD"}
        env["LD_PRELOAD"] = preload
        env["FIU_ENABLE"] = ""
        env["FIU_CTRL_FIFO"] = ""
        out = os.path.join(BUILD, "bench", f"callgrind.test.{n}")
        r = run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                 BENCH, "run", "write", str(n)], env=env, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        with open(out) as f:
            total = int(re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M).group(1))
        os.unlink(out)
        return total

    raw = (per_call("", 2000) - per_call("", 1000)) / 1000
    fiu_cost = (per_call(fiu, 2000) - per_call(fiu, 1000)) / 1000
    assert fiu_cost - raw > 5 * BUDGET, (raw, fiu_cost)


def test_pair_mode_times_both_sides_in_one_process():
    """`bench pair` (make bench's in-process table) runs and yields a
    ratio; its value is never gated on, only that it is one."""
    for preload in ("", os.path.join(BUILD, "libkaioretry.so")):
        env = {"PATH": "/usr/bin", "LD_PRELOAD": preload}
        r = run([BENCH, "pair", "write", "20000"], env=env, timeout=60)
        assert r.returncode == 0 and 0.5 < float(r.stdout) < 2, r.stdout + r.stderr
    r = run([BENCH, "pair", "connect", "20000"], env={"PATH": "/usr/bin"})
    assert r.returncode == 2 and "write or read" in r.stderr, r.stderr
