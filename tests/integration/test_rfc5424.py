"""log_format = rfc5424: a real rsyslogd parses each record as RFC 5424
and its mmpstrucdata module turns the structured data into JSON (the
%$!rfc5424-sd% of the recipe in docs): the series' facts come out as
[kaioretry@32473 series=... call=... target=... try=... errno=...],
escaped values intact, matching the record's text."""
import json
import os
import re
import socket
import subprocess
import time

from harness import prog, run, shim_env, tempdir
from syslogd import Rsyslogd

CONFIG = """\
global(workDirectory="{dir}/work")
module(load="imuxsock" SysSock.Use="off")
module(load="mmpstrucdata")
input(type="imuxsock" Socket="{dir}/dev/log" RateLimit.Interval="0"
      UseSpecialParser="off" ParseHostname="on")
template(name="sd" type="string"
         string="%syslogseverity-text%\\t%app-name%\\t%procid%\\t%$!rfc5424-sd%\\t%msg%\\n")
action(type="mmpstrucdata")
*.* action(type="omfile" file="{dir}/records.log" template="sd")
"""

POLICY = {"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.01",
          "KAIORETRY_BACKOFF": "1", "KAIORETRY_LOG_FORMAT": "rfc5424"}


def parsed(syslog):
    try:
        with open(syslog.file) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        severity, app, pid, sd, msg = line.split("\t", 4)
        out.append({"severity": severity, "app": app, "pid": pid,
                    "sd": json.loads(sd) if sd else None, "msg": msg})
    return out


def wait_final(syslog):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        recs = parsed(syslog)
        if any(" after " in r["msg"] for r in recs):
            return recs
        time.sleep(0.05)
    return parsed(syslog)


def test_rsyslogd_reads_the_series_facts_as_structured_data():
    with tempdir() as d:
        # A socket path with the three characters RFC 5424 escapes.
        path = os.path.join(d, 'a"b]c\\d')
        dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        dead.bind(path)  # bound, not listening: ECONNREFUSED
        cmd = [prog("probe"), "connect-unix", path]
        raw = run(cmd, env=shim_env(POLICY, preload=False))
        with Rsyslogd(d, CONFIG) as syslog:
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 env=shim_env(POLICY, log="syslog:" +
                                              syslog.socket))
            p.stdout, p.stderr = p.communicate(timeout=30)
            recs = wait_final(syslog)
        dead.close()
    assert (p.returncode, p.stderr) == (raw.returncode, raw.stderr), (raw, p)
    assert re.sub(r"elapsed=[\d.]+", "", p.stdout) == \
        re.sub(r"elapsed=[\d.]+", "", raw.stdout), (raw.stdout, p.stdout)
    assert len(recs) == 6, recs  # failure, 2 x (remaining, sleeping), end
    target = "unix:" + path.replace("\\", "\\x5c")
    uuid = None
    tries = []
    for r in recs:
        assert (r["app"], r["pid"]) == ("kaioretry", str(p.pid)), r
        facts = r["sd"]["kaioretry@32473"]
        uuid = uuid or facts["series"]
        assert r["msg"].startswith(f"probe: {uuid}: "), r
        assert (facts["series"], facts["call"], facts["target"],
                facts["errno"], facts["program"]) == \
            (uuid, "connect", target, "ECONNREFUSED", "probe"), facts
        assert f"connect({target})" in r["msg"], r
        tries.append(facts["try"])
        assert facts.get("outcome") == ("gave_up" if r is recs[-1] else None), r
    assert tries == ["1", "1", "1", "2", "2", "3"], tries
    assert [r["severity"] for r in recs] == \
        ["warning"] + ["info"] * 4 + ["warning"], recs

