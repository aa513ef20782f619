"""Syslog delivery an operator can trust: a real rsyslogd receives the
series with the right facility, severity, tag, pid and UUID; a stopped or
missing daemon never slows or disturbs the program; long series are
sampled; text from the program is escaped; the program's own syslog
identity is left alone."""
import os
import re
import socket
import subprocess
import time

from harness import (PYTHON, LateServer, dead_port, prog, run, series_lines,
                     shim_env, tempdir)
from syslogd import Rsyslogd

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def run_pid(cmd, env, timeout=30):
    """Runs cmd; returns (pid, returncode, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=timeout)
    return p.pid, p.returncode, out, err, time.monotonic() - t0


def final(recs):
    return any(re.search(r" after \d+ tr(y|ies) in ", r["msg"]) for r in recs)


def uuid_of(msg):
    m = re.match(r"probe: (" + UUID + "): ", msg)
    assert m, msg
    return m.group(1)


def without_elapsed(text):
    return re.sub(r"elapsed=[\d.]+", "elapsed=X", text)


def test_rsyslogd_gets_facility_severity_tag_pid_and_uuid():
    keep, port = dead_port()
    with tempdir() as d, Rsyslogd(d) as syslog:
        pid, rc, out, err, _ = run_pid(
            [prog("probe"), "connect", "127.0.0.1", str(port)],
            shim_env({"KAIORETRY_TRIES": "4", "KAIORETRY_DELAY": "0.05",
                      "KAIORETRY_BACKOFF": "1"},
                     log="syslog:" + syslog.socket))
        recs = syslog.wait_for(final)
    keep.close()
    assert "rc=-1 errno=ECONNREFUSED" in out and err == "", (out, err)
    target = f"connect(127.0.0.1:{port})"
    expected = [
        ("warning", target + " failed: ECONNREFUSED (Connection refused); Retry("),
        ("info", "3 tries remaining for " + target),
        ("info", "sleeping 0.05 seconds before " + target),
        ("info", "2 tries remaining for " + target),
        ("info", "sleeping 0.05 seconds before " + target),
        ("info", "1 tries remaining for " + target),
        ("info", "sleeping 0.05 seconds before " + target),
        ("warning", target + " failed to complete after 4 tries in "),
    ]
    assert len(recs) == len(expected), recs
    uuids = set()
    for rec, (severity, text) in zip(recs, expected):
        assert rec["facility"] == "user", rec
        assert rec["severity"] == severity, rec
        assert rec["programname"] == "kaioretry", rec
        assert rec["tag"] == f"kaioretry[{pid}]:", rec
        assert rec["pid"] == str(pid), rec
        uuids.add(uuid_of(rec["msg"]))
        assert rec["msg"].split(": ", 2)[2].startswith(text), (rec, text)
    assert len(uuids) == 1, uuids


def test_success_is_a_notice_and_facility_and_level_are_honoured():
    with tempdir() as d, Rsyslogd(d) as syslog:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("[default]\nlog_facility = daemon\n")
        with LateServer(0.5) as srv:
            pid, rc, out, err, _ = run_pid(
                [prog("probe"), "connect", "127.0.0.1", str(srv.port)],
                shim_env({"KAIORETRY_DELAY": "0.05", "KAIORETRY_CONFIG": ini},
                         log="syslog:" + syslog.socket))
        recs = syslog.wait_for(final)
        assert "connect rc=0" in out, out + err
        assert recs and "succeeded after" in recs[-1]["msg"], recs
        assert recs[-1]["severity"] == "notice"
        assert recs[0]["severity"] == "warning"
        assert {r["facility"] for r in recs} == {"daemon"}, recs
        assert all(r["pid"] == str(pid) for r in recs)

        # local3 from the environment, and only warnings and up.
        keep, port = dead_port()
        pid, rc, out, err, _ = run_pid(
            [prog("probe"), "connect", "127.0.0.1", str(port)],
            shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_LOG_FACILITY": "local3",
                      "KAIORETRY_LOG_LEVEL": "warning"},
                     log="syslog:" + syslog.socket))
        keep.close()
        recs = syslog.wait_for(lambda rs: any(r["pid"] == str(pid) and final([r])
                                              for r in rs))
        mine = [r for r in recs if r["pid"] == str(pid)]
        assert [(r["facility"], r["severity"]) for r in mine] == \
            [("local3", "warning")] * 2, mine
        assert "failed to complete after 3 tries" in mine[-1]["msg"]


def test_default_destination_is_dev_log_and_program_keeps_its_identity():
    """ownlog calls openlog("myprog", LOG_PID, LOG_LOCAL3) and syslog()
    before and after a connect the shim retries.  A private mount
    namespace puts the test's rsyslogd socket at /dev/log, so glibc's
    syslog() and the shim's default destination both reach it."""
    keep, port = dead_port()
    with tempdir() as d, Rsyslogd(d) as syslog:
        env = shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0"}, log=None)
        cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c",
               'mount --bind "$0" /dev && exec "$@"', syslog.dev,
               prog("ownlog"), "127.0.0.1", str(port)]
        pid, rc, out, err, _ = run_pid(cmd, env)
        assert rc == 0 and err == "", (rc, out, err)
        assert "connect rc=-1 errno=ECONNREFUSED" in out
        recs = syslog.wait_for(
            lambda rs: final([r for r in rs if r["programname"] == "kaioretry"])
            and sum(r["programname"] == "myprog" for r in rs) == 2,
            programname=None)
    keep.close()
    own = [r for r in recs if r["programname"] == "myprog"]
    ours = [r for r in recs if r["programname"] == "kaioretry"]
    assert [(r["facility"], r["severity"], r["tag"], r["pid"]) for r in own] == [
        ("local3", "notice", f"myprog[{pid}]:", str(pid)),
        ("local3", "err", f"myprog[{pid}]:", str(pid))], own
    assert own[0]["msg"] == "before the connect"
    assert own[1]["msg"] == "after the connect: ECONNREFUSED"
    assert len(ours) == 4, ours
    assert all(r["facility"] == "user" and r["pid"] == str(pid) and
               r["msg"].startswith("ownlog: ") for r in ours), ours


def test_stopped_or_missing_daemon_never_slows_or_disturbs_the_program():
    keep, port = dead_port()
    cmd = [prog("probe"), "connect", "127.0.0.1", str(port)]
    series = {"KAIORETRY_TRIES": "50", "KAIORETRY_DELAY": "0"}
    with tempdir() as d, Rsyslogd(d) as syslog:
        plain = run(cmd, env=shim_env(preload=False))
        syslog.stop()
        assert syslog.fill_queue() > 0
        _, rc, out, err, took = run_pid(cmd, shim_env(series, log="syslog:" + syslog.socket),
                                        timeout=20)
        assert (rc, without_elapsed(out), err) == \
            (plain.returncode, without_elapsed(plain.stdout), plain.stderr), (out, err)
        assert took < 5, took          # milliseconds really; generous for a busy box
        syslog.resume()
        time.sleep(0.3)
        # Every record was dropped: none of this series reached the daemon.
        assert syslog.records("kaioretry") == [], syslog.records("kaioretry")

        # Socket gone (daemon restarting): same.
        moved = syslog.socket + ".away"
        os.rename(syslog.socket, moved)
        _, rc, out, err, took = run_pid(cmd, shim_env(series, log="syslog:" + syslog.socket),
                                        timeout=20)
        assert (rc, without_elapsed(out), err) == \
            (plain.returncode, without_elapsed(plain.stdout), plain.stderr), (out, err)
        assert took < 5, took
        # ... and a socket that is back is used again by the next record.
        os.rename(moved, syslog.socket)
        run(cmd, env=shim_env(series, log="syslog:" + syslog.socket))
        recs = syslog.wait_for(final)
    keep.close()
    assert recs and "failed to complete after 50 tries" in recs[-1]["msg"], recs
    assert "dropped" not in recs[-1]["msg"]


def dropped_in(msg):
    m = re.search(r"\((\d+) log records dropped\)", msg)
    return int(m.group(1)) if m else 0


def test_dropped_records_are_counted_in_the_final_line():
    """Records the daemon could not take are counted, and the count is in
    the final line once the daemon is back: received + dropped is what a
    healthy daemon receives for the same series.  Outages: the daemon
    stopped with a full queue, its socket gone, the daemon restarted."""
    keep, port = dead_port()
    cmd = [prog("probe"), "connect", "127.0.0.1", str(port)]
    # Tries 11 to 99 all log the same records (1-5, 10, final); the
    # restart gets a longer series, as a daemon start takes a while.
    tries = {"healthy": "15", "stopped": "15", "socket gone": "15", "restarted": "40"}
    with tempdir() as d, Rsyslogd(d) as syslog:
        def env(outage):
            return shim_env({"KAIORETRY_TRIES": tries[outage], "KAIORETRY_DELAY": "0.1",
                             "KAIORETRY_BACKOFF": "1"},
                            log="syslog:" + syslog.socket)
        pid, *_ = run_pid(cmd, env("healthy"))
        healthy = [r for r in syslog.wait_for(final) if r["pid"] == str(pid)]
        assert dropped_in(healthy[-1]["msg"]) == 0, healthy[-1]

        for outage in ("stopped", "socket gone", "restarted"):
            moved = syslog.socket + ".away"
            if outage == "stopped":
                syslog.stop()
                syslog.fill_queue()
            elif outage == "socket gone":
                os.rename(syslog.socket, moved)
            else:
                syslog.shutdown()
            p = subprocess.Popen(cmd, env=env(outage), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
            time.sleep(0.35)            # the series has logged its first tries
            if outage == "stopped":
                syslog.resume()
            elif outage == "socket gone":
                os.rename(moved, syslog.socket)
            else:
                syslog.start()
            err = p.communicate(timeout=30)[1]
            assert err == "", err
            recs = syslog.wait_for(lambda rs: any(r["pid"] == str(p.pid) and final([r])
                                                  for r in rs))
            mine = [r for r in recs if r["pid"] == str(p.pid)]
            assert mine and final(mine[-1:]), (outage, mine)
            dropped = dropped_in(mine[-1]["msg"])
            assert dropped > 0, (outage, mine[-1])
            assert len(mine) + dropped == len(healthy), (outage, len(mine), dropped)
    keep.close()


def count_and_check_bounded(lines, total):
    """The records of one `total`-try series: at most 100, and a final
    line with the totals whose "lines left out" adds up."""
    assert 0 < len(lines) <= 100, len(lines)
    last = lines[-1]
    m = re.search(r"failed to complete after (\d+) tries in ([\d.]+) s: "
                  r"ECONNREFUSED \(Connection refused\) \((\d+) lines left out\)", last)
    assert m, last
    assert int(m.group(1)) == total
    # With delay=0 a full log has: the first failure, one "try #N" line per
    # retry, the final line.
    assert len(lines) + int(m.group(3)) == 1 + (total - 1) + 1, (len(lines), last)
    return float(m.group(2))


def test_twenty_thousand_tries_write_a_bounded_log_in_every_sink():
    keep, port = dead_port()
    cmd = [prog("probe"), "connect", "127.0.0.1", str(port)]
    series = {"KAIORETRY_TRIES": "20000", "KAIORETRY_DELAY": "0"}
    with tempdir() as d:
        r = run(cmd, env=shim_env(series, log="stderr"), timeout=120)
        assert "rc=-1 errno=ECONNREFUSED" in r.stdout
        assert series_lines(r.stderr) == r.stderr.splitlines()
        count_and_check_bounded(series_lines(r.stderr), 20000)

        path = os.path.join(d, "kaioretry.log")
        r = run(cmd, env=shim_env(series, log="file:" + path), timeout=120)
        assert r.stderr == ""
        with open(path) as f:
            count_and_check_bounded(f.read().splitlines(), 20000)

        with Rsyslogd(d) as syslog:
            r = run(cmd, env=shim_env(series, log="syslog:" + syslog.socket),
                    timeout=120)
            assert r.stderr == ""
            recs = syslog.wait_for(final)
            count_and_check_bounded([x["msg"] for x in recs], 20000)
    keep.close()


def test_unbounded_series_against_a_late_server_stays_sparse():
    """tries=-1, delay=0: thousands of tries until the server listens."""
    with LateServer(0.5) as srv:
        r = run([prog("probe"), "connect", "127.0.0.1", str(srv.port)],
                env=shim_env({"KAIORETRY_TRIES": "-1", "KAIORETRY_DELAY": "0"}),
                timeout=60)
    assert "connect rc=0" in r.stdout, r.stdout + r.stderr
    lines = series_lines(r.stderr)
    m = re.search(r"succeeded after (\d+) tries in [\d.]+ s \((\d+) lines left out\)$",
                  lines[-1])
    assert m, lines[-1]
    tries, left_out = int(m.group(1)), int(m.group(2))
    assert tries > 100, tries   # a real flood was avoided, not just absent
    assert 0 < len(lines) <= 20, lines
    assert len(lines) + left_out == 1 + (tries - 1) + 1


HOSTILE_HOST = "evil\nkaioretry[1]: forged\x1b[31m\\x0a\r\tend"
HOSTILE_HOST_ESCAPED = r"evil\x0akaioretry[1]: forged\x1b[31m\x5cx0a\x0d\x09end"


def test_host_names_and_program_names_are_escaped_in_every_sink():
    """A host name with a newline, an escape sequence and a backslash,
    passed to getaddrinfo under errors=all (in a namespace with no
    network, so nothing leaves the machine), and a program name with a
    newline: every sink shows them escaped, one record per event."""
    with tempdir() as d, Rsyslogd(d) as syslog:
        path = os.path.join(d, "kaioretry.log")
        outputs = {}
        for log in ("stderr", "file:" + path, "syslog:" + syslog.socket):
            env = shim_env({"KAIORETRY_GETADDRINFO_ERRORS": "all",
                            "KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0"},
                           log=log)
            p = subprocess.run(
                ["unshare", "-n", prog("probe"), "gai", HOSTILE_HOST, "80"],
                env=env, capture_output=True, text=True, timeout=30)
            assert "gai rc=" in p.stdout and "rc=0" not in p.stdout, p.stdout + p.stderr
            outputs[log.split(":")[0]] = p.stderr
        with open(path) as f:
            file_lines = f.read().splitlines()
        recs = syslog.wait_for(final)

        # The program name too: argv[0] with a newline.
        p = subprocess.run(["unshare", "-n", PYTHON, "-c",
                            "import os, sys; os.execv(sys.argv[1], sys.argv[2:])",
                            prog("probe"), "pro\nbe", "gai", "nowhere.invalid", "80"],
                           env=shim_env({"KAIORETRY_GETADDRINFO_ERRORS": "all",
                                         "KAIORETRY_TRIES": "2",
                                         "KAIORETRY_DELAY": "0"}),
                           capture_output=True, text=True, timeout=30)
    target = "getaddrinfo(" + HOSTILE_HOST_ESCAPED + ":80)"
    stderr_lines = outputs["stderr"].splitlines()
    assert outputs["file"] == "" and outputs["syslog"] == ""
    for lines in (stderr_lines, file_lines, [r["msg"] for r in recs]):
        assert len(lines) == 4, lines   # first failure, 2 x remaining, final
        assert all(target in l for l in lines), lines
        assert not any(c in l for l in lines for c in "\r\t\x1b"), lines
    assert all(l.startswith("kaioretry[") for l in stderr_lines + file_lines
               if not re.match(r"\w{3} [ \d]\d ", l)), stderr_lines
    assert all(re.match(r"\w{3} [ \d]\d \d\d:\d\d:\d\d kaioretry\[\d+\]: probe: ", l)
               for l in file_lines), file_lines
    # rsyslogd saw no raw control character (it would show #012 or #033).
    assert not any("#0" in r["msg"] for r in recs), recs
    assert len({r["pid"] for r in recs}) == 1
    lines = p.stderr.splitlines()
    assert len(lines) == 3 and all(re.match(r"kaioretry\[\d+\]: pro\\x0abe: ", l)
                                   for l in lines), p.stderr


def rfc3164(local_seconds):
    return time.strftime("%b %e %H:%M:%S", time.gmtime(local_seconds))


def test_timestamps_are_local_time_even_across_a_dst_switch():
    """The zone is read at the first record and evaluated at each
    record's own time.
    A POSIX TZ whose daylight saving starts a second after the program
    does: records before the switch are at +0, records after at +1 h.
    Each record also carries program name, pid, UUID and call+target."""
    keep, port = dead_port()
    with tempdir() as d:
        rx_path = os.path.join(d, "log")
        rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        rx.bind(rx_path)
        for sink in ("file", "syslog"):
            start = int(time.time())
            switch = start + 2
            day = time.gmtime(switch)
            tz = "STD0DST-1,{}/{:02}:{:02}:{:02},{}/0".format(
                day.tm_yday - 1, day.tm_hour, day.tm_min, day.tm_sec,
                (day.tm_yday - 1 + 180) % 365)
            log = "file:" + os.path.join(d, "k.log") if sink == "file" else "syslog:" + rx_path
            p = subprocess.Popen(
                [prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env({"TZ": tz, "KAIORETRY_TRIES": "6",
                              "KAIORETRY_DELAY": "0.7", "KAIORETRY_BACKOFF": "1"},
                             log=log),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            pid = p.pid
            lines = []
            if sink == "syslog":     # read as they come: the queue holds 10
                rx.settimeout(10)
                while not lines or " after " not in lines[-1]:
                    lines.append(rx.recv(4096).decode())
                assert all(re.match(r"<1[24]>", l) for l in lines), lines
                lines = [l[4:] for l in lines]
            err = p.communicate(timeout=20)[1]
            end = int(time.time()) + 1
            assert err == "", err
            if sink == "file":
                with open(os.path.join(d, "k.log")) as f:
                    lines = f.read().splitlines()
            assert len(lines) == 12, lines
            before = {rfc3164(t) for t in range(start - 1, switch)}
            after = {rfc3164(t + 3600) for t in range(switch, end + 1)}
            stamps = [l[:15] for l in lines]
            assert all(s in before | after for s in stamps), (tz, start, stamps)
            assert stamps[0] in before and stamps[-1] in after, (sink, stamps)
            uuids = set()
            for l in lines:
                m = re.match(r".{15} kaioretry\[(\d+)\]: probe: (" + UUID + r"): .*"
                             r"connect\(127\.0\.0\.1:(\d+)\)", l)
                assert m and m.group(1) == str(pid) and m.group(3) == str(port), l
                uuids.add(m.group(2))
            assert len(uuids) == 1
        rx.close()
    keep.close()


def test_timestamps_in_fixed_offset_zones():
    keep, port = dead_port()
    with tempdir() as d:
        for tz, offset in (("UTC", 0), ("IST-5:30", 19800), ("NST3:30", -12600)):
            path = os.path.join(d, tz + ".log")
            t0 = int(time.time())
            run([prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env({"TZ": tz, "KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0"},
                             log="file:" + path))
            t1 = int(time.time()) + 1
            with open(path) as f:
                stamps = [l[:15] for l in f.read().splitlines()]
            want = {rfc3164(t + offset) for t in range(t0 - 1, t1 + 1)}
            assert len(stamps) == 3 and set(stamps) <= want, (tz, stamps, want)
    keep.close()


def test_stream_socket_daemon_gets_nul_terminated_records():
    """A daemon on a stream /dev/log (syslog-ng's unix-stream) gets each
    record over its own connection, NUL-terminated as glibc sends them."""
    keep, port = dead_port()
    with tempdir() as d:
        path = os.path.join(d, "log")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(16)
        srv.settimeout(10)
        p = subprocess.Popen([prog("probe"), "connect", "127.0.0.1", str(port)],
                             env=shim_env({"KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0"},
                                          log="syslog:" + path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        records = []
        while not records or " after " not in records[-1]:
            conn, _ = srv.accept()
            conn.settimeout(10)
            data = b""
            while chunk := conn.recv(4096):
                data += chunk
            conn.close()
            records.append(data.decode())
        out, err = p.communicate(timeout=10)
        srv.close()
    keep.close()
    assert err == "" and "errno=ECONNREFUSED" in out
    assert len(records) == 3, records
    assert all(r.endswith("\0") and r.count("\0") == 1 for r in records), records
    assert all(re.match(r"<1[24]>\w{3} [ \d]\d \d\d:\d\d:\d\d kaioretry\[%d\]: probe: " % p.pid, r)
               for r in records), records
