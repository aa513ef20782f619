#!/usr/bin/env python3
"""cpython.py: CPython's own regression tests, raw and under the preload.

Someone else's tests (Debian's libpython3.11-testsuite) are a check we
did not write to fit the library: each module of MODULES runs with
`python3 -m test -v --junit-xml` three ways, raw and preloaded with each
policy of POLICIES, and every test's outcome (pass, fail, error, skip,
expected failure, unexpected success) under a policy must equal its
raw outcome, unless cpython-intended.txt lists that test and policy
with a reason (docs/testing.md sums them up).  A test that shows no progress
for --stall seconds hangs: its run is killed, the test reported by
name, and the rest of the module run on without the tests already done.

    python3 tests/peers/cpython.py [-k SUBSTR] [--policy NAME] [-v]

Prints one line per difference, then `peers: N passed, N failed`
(one count per test and policy); exits 1 on an unexpected difference
or a hang.
"""
import argparse
import codecs
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LIB = os.environ.get("KAIORETRY_TEST_LIB") or os.path.join(ROOT, "build", "libkaioretry.so")
PYTHON = "/usr/bin/python3"
INTENDED = os.path.join(HERE, "cpython-intended.txt")

# Modules that make the wrapped calls (sockets, pipes, subprocesses,
# signals), longest first, each with the tests left out and why (time
# 3 to 4 minutes for all three ways, measured).  Most of it is
# spent asleep, so three runs go at once on two cores.  No `-u`
# resource is enabled, so nothing reaches past loopback (test_socketserver
# needs `-u network` as a whole, so it stays out).
SLEEPER = "waits %d s for a timeout to expire, by design"
MODULES = {
    "test_ssl": {},
    "test_subprocess": {
        "test.test_subprocess.*.test_check_output_timeout": SLEEPER % 3,
    },
    "test_socket": {
        "test.test_socket.ThreadedVSOCKSocketStreamTest.*":
            "AF_VSOCK talks to the hypervisor, not loopback, and waits "
            "forever in accept on a VM without a vsock peer",
    },
    "test_signal": {
        "test.test_signal.SiginterruptTest.test_siginterrupt_off": SLEEPER % 30,
    },
    "test_selectors": {},
    "test_logging": {
        "test.test_logging.HandlerTest.test_race": SLEEPER % 8,
    },
    "test_asyncio.test_events": {},
    "test_asyncio.test_sock_lowlevel": {},
    "test_asyncio.test_sendfile": {},
    "test_asyncio.test_base_events": {},
    "test_asyncio.test_streams": {},
    "test_asyncio.test_server": {},
    "test_asyncio.test_selector_events": {},
    "test_asyncio.test_unix_events": {},
    "test_os": {},
    "test_httplib": {},
    "test_urllib2_localnet": {},
    "test_httpservers": {},
    "test_select": {},
    "test_poll": {
        "test.test_poll.PollTests.test_poll2": SLEEPER % 10,
    },
    "test_epoll": {},
}

POLICIES = {
    "default": {},
    "aggressive": {"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.01",
                   "KAIORETRY_NONBLOCKING": "wait"},
}


START = re.compile(r"^(\w+) \((test\.[\w.]+)\)")
SUBTEST = re.compile(r"^  (\w+) \((test\.[\w.]+)\) .*\.\.\. (FAIL|ERROR)$")
STATUS = re.compile(r"(?:^|\.\.\. )(ok|FAIL|ERROR|skipped\b.*|expected failure"
                    r"|unexpected success)$")
WORDS = {"ok": "pass", "FAIL": "fail", "ERROR": "error",
         "expected failure": "xfail", "unexpected success": "xpass"}


def test_key(name, ident):
    """setUpClass (test.m.Cls) becomes test.m.Cls.setUpClass."""
    return ident if ident.endswith("." + name) else ident + "." + name


class Verbose:
    """Reads `-v` output as it comes: which test runs now, since when,
    and the outcome of each test that printed one."""

    def __init__(self):
        self.outcomes = {}
        self.started = []
        self.current = None
        self.since = time.monotonic()
        self.lines = []
        self.pending = ""

    def feed(self, text):
        """Takes output as it comes.  A test's name is printed before it
        runs, without a newline: the unfinished line counts too."""
        self.lines.append(text)
        self.pending += text
        *done, self.pending = self.pending.split("\n")
        for line in done:
            self.line(line)
        start = START.match(self.pending)
        if start and test_key(start[1], start[2]) != self.current:
            self.begin(test_key(start[1], start[2]))

    def begin(self, test):
        self.current = test
        self.since = time.monotonic()
        if test not in self.started:
            self.started.append(test)

    def line(self, line):
        sub = SUBTEST.match(line)
        if sub:
            self.outcomes[test_key(sub[1], sub[2])] = "fail"
            return
        start = START.match(line)
        if start and test_key(start[1], start[2]) != self.current:
            self.begin(test_key(start[1], start[2]))
        status = STATUS.search(line)
        if status and self.current:
            word = status[1]
            outcome = "skip" if word.startswith("skipped") else WORDS[word]
            # A test with a failed subtest stays failed.
            self.outcomes.setdefault(self.current, outcome)
            self.current = None
            self.since = time.monotonic()


def junit_outcomes(path):
    """Outcomes of the named test cases of a finished run's XML."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    outcomes = {}
    for case in root.iter("testcase"):
        name = case.get("name")
        if not name:
            continue  # failed in a subtest only: -v output tells
        if case.find("error") is not None:
            outcomes[name] = "error"
        elif case.find("failure") is not None:
            outcomes[name] = "fail"
        elif case.find("skipped") is not None:
            outcomes[name] = "skip"
        elif case.find("output") is not None:
            outcomes[name] = "xfail"
        elif case.find("outcome") is not None:
            outcomes[name] = "xpass"
        else:
            outcomes[name] = "pass"
    return outcomes


def environment(policy, logdir, module):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KAIORETRY") and k != "LD_PRELOAD"}
    if policy != "raw":
        env["LD_PRELOAD"] = LIB
        env["KAIORETRY_LOG"] = "file:%s/%s.%s.log" % (logdir, module, policy)
        env.update(POLICIES[policy])
    return env


def run_once(module, policy, skip, workdir, bound, stall):
    """One `python3 -m test` run without the tests in `skip`, cut off
    at a hang.  Returns (outcomes, hung test or None)."""
    tag = "%s.%s.%d" % (module, policy, len(skip))
    ignore = os.path.join(workdir, tag + ".ignore")
    with open(ignore, "w") as f:
        f.write("".join(t + "\n" for t in skip))
    xml = os.path.join(workdir, tag + ".xml")
    cmd = [PYTHON, "-m", "test", "-v", "--junit-xml", xml,
           "--ignorefile", ignore, module]
    proc = subprocess.Popen(cmd, env=environment(policy, workdir, module),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            cwd=workdir)
    verbose = Verbose()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def read():
        for chunk in iter(lambda: os.read(proc.stdout.fileno(), 65536), b""):
            verbose.feed(decoder.decode(chunk))
    reader = threading.Thread(target=read)
    reader.start()
    began = time.monotonic()
    hung = None
    while proc.poll() is None:
        time.sleep(0.5)
        now = time.monotonic()
        if now - verbose.since > stall or now - began > bound:
            hung = verbose.current or "%s (between tests)" % module
            os.killpg(proc.pid, signal.SIGKILL)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # what the tests left behind
    except ProcessLookupError:
        pass
    proc.wait()
    reader.join(10)
    with open(os.path.join(workdir, tag + ".out"), "w") as f:
        f.write("".join(verbose.lines))
    outcomes = dict(verbose.outcomes)
    # A killed run leaves regrtest's working directory behind.
    for leftover in glob.glob(os.path.join(tempfile.gettempdir(),
                                           "test_python_%d*" % proc.pid)):
        shutil.rmtree(leftover, ignore_errors=True)
    if hung is None:
        outcomes.update(junit_outcomes(xml))
        for test in verbose.started:
            outcomes.setdefault(test, "fail")  # failed in a subtest
    else:
        outcomes[hung] = "hang"
    return outcomes, hung


def run_module(module, policy, workdir, args, deadline):
    """Every test of `module` under `policy`, going on past hangs.
    Returns outcomes, hung tests, and whether the time budget ran out
    (then nothing is known)."""
    skip = list(MODULES[module])
    outcomes, hangs = {}, []
    while True:
        if time.monotonic() > deadline:
            return {}, hangs, True
        got, hung = run_once(module, policy, skip, workdir, args.bound, args.stall)
        outcomes.update(got)
        if hung is None:
            return outcomes, hangs, False
        hangs.append(hung)
        if len(hangs) >= args.max_hangs:
            return outcomes, hangs, False  # the rest counts as not run
        skip += [t for t in got if t not in skip]


def load_intended(path):
    """(test id, policy) -> reason, from lines `TEST POLICY REASON`."""
    intended = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[1] not in POLICIES:
                sys.exit("%s:%d: want TEST POLICY REASON, POLICY one of %s"
                         % (path, number, ", ".join(POLICIES)))
            intended[(parts[0], parts[1])] = parts[2]
    return intended


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", action="append", default=[],
                        help="only modules whose name contains this")
    parser.add_argument("--policy", action="append", choices=sorted(POLICIES))
    parser.add_argument("--bound", type=float, default=300,
                        help="seconds one run of a module may take")
    parser.add_argument("--stall", type=float, default=60,
                        help="seconds without progress that make a hang")
    parser.add_argument("--max-hangs", type=int, default=3,
                        help="hangs in a module after which the rest is not run")
    parser.add_argument("--budget", type=float, default=900,
                        help="seconds after which no run starts")
    parser.add_argument("--keep", help="keep the outputs in this directory")
    parser.add_argument("-v", action="store_true",
                        help="also list intended differences")
    args = parser.parse_args()
    modules = [m for m in MODULES if not args.k or any(k in m for k in args.k)]
    policies = args.policy or list(POLICIES)
    intended = load_intended(INTENDED)
    if not os.path.exists(LIB):
        sys.exit("peers: %s is missing: run `make` first" % LIB)
    workdir = args.keep or tempfile.mkdtemp(prefix="kaioretry-peers-")
    os.makedirs(workdir, exist_ok=True)

    began = time.monotonic()
    jobs = [(m, p) for m in modules for p in ["raw"] + policies]
    with ThreadPoolExecutor(3) as pool:
        futures = {job: pool.submit(run_module, job[0], job[1], workdir, args,
                                     began + args.budget)
                   for job in jobs}
        results = {job: f.result() for job, f in futures.items()}

    passed = failed = 0
    for module in modules:
        raw, raw_hangs, raw_cut = results[(module, "raw")]
        for hung in raw_hangs:
            print("HANG raw %s: the suite hangs without us too" % hung)
            failed += 1
        for policy in policies:
            got, hangs, cut = results[(module, policy)]
            if raw_cut or cut:
                print("NOT RUN %s %s: over the time budget (--budget)" % (
                    "raw" if raw_cut else policy, module))
                failed += 1
                continue
            counts, not_run = {}, 0
            for test in sorted(set(raw) | set(got)):
                want, have = raw.get(test, "not run"), got.get(test, "not run")
                counts[have] = counts.get(have, 0) + 1
                if want == have:
                    passed += 1
                    continue
                if (test, policy) in intended:
                    passed += 1
                    if args.v:
                        print("intended %s %s: raw %s, preloaded %s (%s)" % (
                            policy, test, want, have, intended[(test, policy)]))
                    continue
                failed += 1
                if have == "hang":
                    print("HANG %s %s: raw %s" % (policy, test, want))
                elif have == "not run" and hangs:
                    not_run += 1  # told once below
                else:
                    print("DIFF %s %s: raw %s, preloaded %s" % (policy, test, want, have))
            if not_run:
                print("NOT RUN %s %s: %d tests, after %d hangs" % (
                    policy, module, not_run, len(hangs)))
            print("%s %s: raw %s; preloaded %s" % (
                module, policy, summary(tally(raw)), summary(counts)))
    if args.keep or failed:
        print("outputs (each run's -v output, XML, kaioretry log) in %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%.0f s" % (time.monotonic() - began))
    print("peers: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def tally(outcomes):
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def summary(counts):
    return " ".join("%s=%d" % kv for kv in sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main())
