"""log = journal: a real systemd-journald, private to the test (its own
mount namespace), receives each record of a retry series as native
fields: `journalctl KAIORETRY_SERIES=<uuid>` returns the whole series
with ERRNO, PRIORITY and the KAIORETRY_* facts, and
`journalctl KAIORETRY_TARGET=<target>` every series against it.  The
program sees what it sees without the shim."""
import os
import re
import socket
import time

from harness import dead_port, prog, run, shim_env, tempdir
from journald import under_journal

POLICY = {"KAIORETRY_TRIES": "4", "KAIORETRY_DELAY": "0.01",
          "KAIORETRY_BACKOFF": "1"}


def without_elapsed(text):
    return re.sub(r"elapsed=[\d.]+", "elapsed=X", text)


def test_journalctl_finds_a_series_by_uuid_with_errno_and_priority():
    keep, port = dead_port()
    with keep, tempdir() as d:
        cmd = [prog("probe"), "connect", "127.0.0.1", str(port)]
        raw = run(cmd, env=shim_env(POLICY, preload=False))
        j = under_journal(cmd, shim_env(POLICY, log="journal"), d)
    assert (j["rc"], without_elapsed(j["stdout"]), j["stderr"]) == \
        (raw.returncode, without_elapsed(raw.stdout), raw.stderr), (raw, j)
    assert len(j["series"]) == 1, j["all"]
    uuid, recs = next(iter(j["series"].items()))
    assert re.fullmatch(r"[0-9a-f-]{36}", uuid), uuid
    # first failure, then for tries 1..3: "N tries remaining", "sleeping"
    assert [r["PRIORITY"] for r in recs] == ["4"] + ["6"] * 6 + ["4"], recs
    assert [r["KAIORETRY_TRY"] for r in recs] == \
        ["1", "1", "1", "2", "2", "3", "3", "4"], recs
    target = f"127.0.0.1:{port}"
    for r in recs:
        assert r["ERRNO"] == "111" and r["KAIORETRY_ERROR"] == "ECONNREFUSED", r
        assert (r["KAIORETRY_SERIES"], r["KAIORETRY_CALL"],
                r["KAIORETRY_TARGET"], r["KAIORETRY_PROGRAM"],
                r["SYSLOG_IDENTIFIER"], r["SYSLOG_FACILITY"]) == \
            (uuid, "connect", target, "probe", "kaioretry", "1"), r
        assert r["MESSAGE"].startswith(f"probe: {uuid}: "), r
        assert "KAIORETRY_INJECTED" not in r, r
    assert [r.get("KAIORETRY_OUTCOME") for r in recs] == \
        [None] * 7 + ["gave_up"], recs
    assert "failed to complete after 4 tries" in recs[-1]["MESSAGE"], recs
    assert j["target"] == {target: recs}, j["target"]


def test_injected_faults_and_a_success_are_fields_of_their_own():
    with socket.socket() as srv, tempdir() as d:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        cmd = [prog("probe"), "connect", "127.0.0.1", str(port)]
        rules = "connect:error=ECONNREFUSED:when=1..2"
        raw = run(cmd, env=shim_env(POLICY, preload=False))
        j = under_journal(cmd, shim_env({**POLICY, "KAIORETRY_INJECT": rules,
                                         "KAIORETRY_LOG_FACILITY": "daemon"},
                                        log="journal"), d)
    assert (j["rc"], without_elapsed(j["stdout"])) == \
        (raw.returncode, without_elapsed(raw.stdout)), (raw, j)
    (uuid, recs), = j["series"].items()
    final = recs[-1]
    assert final["KAIORETRY_OUTCOME"] == "succeeded", recs
    assert final["PRIORITY"] == "5" and final["KAIORETRY_TRY"] == "3", final
    assert "ERRNO" not in final and "KAIORETRY_INJECTED" not in final, final
    failed = [r for r in recs if r is not final]
    assert failed and all(r["KAIORETRY_INJECTED"] == rules and
                          r["ERRNO"] == "111" and
                          r["SYSLOG_FACILITY"] == "3" for r in failed), recs


def test_a_missing_journal_costs_the_program_nothing():
    keep, port = dead_port()
    with keep, tempdir() as d:
        cmd = [prog("probe"), "connect", "127.0.0.1", str(port)]
        raw = run(cmd, env=shim_env(POLICY, preload=False))
        t0 = time.monotonic()
        pre = run(cmd, env=shim_env(POLICY, log="journal:" +
                                    os.path.join(d, "no-such-socket")))
        took = time.monotonic() - t0
    assert (pre.returncode, without_elapsed(pre.stdout), pre.stderr) == \
        (raw.returncode, without_elapsed(raw.stdout), raw.stderr), (raw, pre)
    assert took < 5, took
