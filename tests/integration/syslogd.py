"""syslogd: a private rsyslogd for the syslog tests.

It listens on its own socket (DIR/dev/log; the system socket is off),
keeps its work directory and pid file under DIR, and writes every record
it receives to DIR/records.log through a template that keeps facility,
severity, program name, tag, pid and message apart.  Nothing outside
DIR is touched, so `make check` needs no system syslog.
"""
import os
import signal
import socket
import subprocess
import time

RSYSLOGD = "/usr/sbin/rsyslogd"
FIELDS = ("facility", "severity", "programname", "tag", "pid", "msg")

CONFIG = """\
global(workDirectory="{dir}/work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{dir}/dev/log" RateLimit.Interval="0")
template(name="fields" type="string"
         string="%syslogfacility-text%|%syslogseverity-text%|%programname%|%syslogtag%|%procid%|%msg%\\n")
*.* action(type="omfile" file="{dir}/records.log" template="fields")
"""


class Rsyslogd:
    """`with Rsyslogd(tempdir) as d:` runs rsyslogd until the block ends."""

    def __init__(self, directory, config=CONFIG):
        self.dir = directory
        self.config = config
        self.dev = os.path.join(directory, "dev")
        self.socket = os.path.join(self.dev, "log")
        self.file = os.path.join(directory, "records.log")
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.shutdown()

    def start(self):
        """Starts rsyslogd; returns once its socket exists.  Also starts
        a new daemon after shutdown(), as a restart would."""
        os.makedirs(os.path.join(self.dir, "work"), exist_ok=True)
        os.makedirs(self.dev, exist_ok=True)
        conf = os.path.join(self.dir, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write(self.config.format(dir=self.dir))
        self.output = open(os.path.join(self.dir, "rsyslogd.out"), "w")
        self.proc = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", conf, "-i", os.path.join(self.dir, "rsyslogd.pid")],
            stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.shutdown()
                raise AssertionError("rsyslogd did not start: " + self.daemon_output())
            time.sleep(0.02)
        return self

    def shutdown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.output.close()

    def daemon_output(self):
        with open(os.path.join(self.dir, "rsyslogd.out")) as f:
            return f.read()

    def stop(self):
        """SIGSTOP, and waits until every thread is really stopped, so
        none of them is still draining the socket."""
        self.proc.send_signal(signal.SIGSTOP)
        tasks = f"/proc/{self.proc.pid}/task"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            states = []
            for tid in os.listdir(tasks):
                try:
                    with open(f"{tasks}/{tid}/stat") as f:
                        states.append(f.read().rsplit(")", 1)[1].split()[0])
                except FileNotFoundError:
                    pass
            if states and all(s in "Tt" for s in states):
                return
            time.sleep(0.01)
        raise AssertionError("rsyslogd did not stop")

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def records(self, programname=None):
        """Every record written so far, as dicts of FIELDS."""
        try:
            with open(self.file) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            rec = dict(zip(FIELDS, line.split("|", len(FIELDS) - 1)))
            rec["msg"] = rec.get("msg", "").lstrip(" ")
            if programname is None or rec.get("programname") == programname:
                out.append(rec)
        return out

    def wait_for(self, done, programname="kaioretry", timeout=10):
        """Polls until done(records) is true; returns the records."""
        deadline = time.monotonic() + timeout
        while True:
            recs = self.records(programname)
            if done(recs) or time.monotonic() > deadline:
                return recs
            time.sleep(0.05)

    def fill_queue(self):
        """While the daemon is stopped: fills its socket's queue, so the
        next datagram anyone sends gets EAGAIN.  Returns how many fit."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setblocking(False)
        n = 0
        try:
            for n in range(100000):
                s.sendto(b"<14>filler: queue filler", self.socket)
        except BlockingIOError:
            pass
        finally:
            s.close()
        return n
