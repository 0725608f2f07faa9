#!/usr/bin/env python3
"""gradelib_check.py: drive the build the way the JOS grading library does.

    python3 conf/gradelib_check.py --port PORT --dir DIR

The labs' gradelib.py asks `make print-gdbport` for the port, restores the
disk from obj/fs/clean-fs.img, starts `make run-NAME-nox-gdb` (or
`qemu-nox-gdb`, `run-NAME-nox`) in a process group of its own, reads the
serial console from make's stdout, talks to QEMU's gdb stub with the GDB
remote serial protocol (a hardware breakpoint, continue, a stop reply,
registers), matches the output, and ends the run with SIGTERM to make or
to its group, expecting QEMU gone and the port free for the next test.
This script does each of those steps itself, written from the protocol,
and fails loudly (exit status 1, a line starting with FAIL) at the first
step that does not work.

GDBPORT=PORT goes into the environment of every make, as a grader's user
would export it.  The disk each run boots is DIR/fs.img, restored from
obj/fs/clean-fs.img first (FSIMG=DIR/fs.img on make's command line), so
that other tests using obj/fs/fs.img are not disturbed; DIR/kernel.img
(whose boot command line says `prog=hello exit`) is the image of the
power-off run.
"""

import argparse
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

KERNEL_SYM = "obj/kern/kernel.sym"
CLEAN_FS = "obj/fs/clean-fs.img"


class Failure(Exception):
    """A step that did not work; the message says which and why."""


def say(line):
    print(line, flush=True)


def make_env(port):
    """The environment for make: ours, GDBPORT set, no outer make's flags."""
    env = dict(os.environ)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(name, None)
    env["GDBPORT"] = str(port)
    return env


def make_cmd(args):
    return ["make", "-s", "--no-print-directory"] + args


def print_gdbport(env):
    """The port `make print-gdbport` prints on its last line."""
    r = subprocess.run(make_cmd(["print-gdbport"]), env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    text = r.stdout.decode(errors="replace").strip()
    if r.returncode != 0:
        raise Failure("make print-gdbport exited with status %d: %s" % (r.returncode, text))
    last = text.splitlines()[-1] if text else ""
    if not re.fullmatch(r"[0-9]+", last):
        raise Failure("make print-gdbport printed no port on its last line: %r" % last)
    return int(last)


def symbol_address(name):
    """The address of text symbol name in the kernel's symbol table."""
    with open(KERNEL_SYM) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "Tt" and parts[2] == name:
                return int(parts[0], 16)
    raise Failure("%s has no text symbol %s" % (KERNEL_SYM, name))


def port_works(port, bind):
    """True when we can bind 127.0.0.1:port (bind True: nothing listens
    there, QEMU could) or connect to it (bind False: something listens)."""
    s = socket.socket()
    s.settimeout(1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        (s.bind if bind else s.connect)(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def session_members(sid):
    """(pid, name) of the live processes in session sid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        # fields: state, ppid, pgrp, session, ...
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append((int(entry), name))
    return found


def checksum(payload):
    return sum(payload) % 256


def unpack(payload):
    """A packet's data with '}' escapes and '*' run lengths undone."""
    out = bytearray()
    i = 0
    while i < len(payload):
        c = payload[i]
        if c == ord("}") and i + 1 < len(payload):
            out.append(payload[i + 1] ^ 0x20)
            i += 2
        elif c == ord("*") and out and i + 1 < len(payload):
            out += bytes([out[-1]]) * (payload[i + 1] - 29)
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


class Run:
    """One `make TARGET` as gradelib starts it, its output collected."""

    def __init__(self, target, args, env):
        self.name = target
        self.proc = subprocess.Popen(make_cmd([target] + args), env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.output = b""
        self.eof = False

    def text(self):
        return self.output.decode(errors="replace").replace("\r", "")

    def pump(self, timeout, extra=()):
        """Read what make printed within timeout; the ready ones of extra."""
        fds = list(extra) + ([] if self.eof else [self.proc.stdout])
        if not fds:
            time.sleep(timeout)
            return []
        ready, _, _ = select.select(fds, [], [], timeout)
        if self.proc.stdout in ready:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if data:
                self.output += data
            else:
                self.eof = True
        return [f for f in ready if f is not self.proc.stdout]

    def expect(self, patterns, timeout):
        """Wait until each pattern matches a line, in order; fail if not."""
        deadline = time.time() + timeout
        while True:
            missing = first_missing(self.text(), patterns)
            if missing is None:
                return
            if time.time() >= deadline or (self.eof and self.proc.poll() is not None):
                raise Failure("%s: no line matches %r (in order); output ends: %r"
                              % (self.name, missing, self.text()[-400:]))
            self.pump(0.1)

    def wait_exit(self, timeout):
        """make's exit status, once it and every process holding its output
        (QEMU) are gone; fail naming what is left after timeout seconds."""
        deadline = time.time() + timeout
        while self.proc.poll() is None or not self.eof:
            if time.time() >= deadline:
                what = "make" if self.proc.poll() is None else "its output's writer"
                raise Failure("%s: %s still runs %ds later: %s" % (
                    self.name, what, timeout, session_members(self.proc.pid)))
            self.pump(0.1)
        return self.proc.returncode

    def stop(self, how):
        """End the run with SIGTERM (to make's group, or to make alone) and
        check that make, QEMU and every process of the run are gone."""
        qemus = [p for p in session_members(self.proc.pid) if p[1].startswith("qemu")]
        if not qemus:
            raise Failure("%s: no QEMU process in the run's session" % self.name)
        if how == "group":
            os.killpg(self.proc.pid, signal.SIGTERM)
        else:
            os.kill(self.proc.pid, signal.SIGTERM)
        status = self.wait_exit(10)
        deadline = time.time() + 5
        while session_members(self.proc.pid):
            if time.time() >= deadline:
                raise Failure("%s: still running after SIGTERM to %s: %s"
                              % (self.name, "the group" if how == "group" else "make",
                                 session_members(self.proc.pid)))
            time.sleep(0.05)
        say("%s: SIGTERM to %s: make ended (status %d), QEMU (pid %s) is gone"
            % (self.name, "the process group" if how == "group" else "make alone",
               status, ",".join(str(p[0]) for p in qemus)))

    def kill_all(self):
        """Whatever is left of the run goes (after a failure)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        for pid, _ in session_members(self.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()


def first_missing(text, patterns):
    """The first of patterns with no matching line after the previous
    one's line, or None."""
    lines = text.split("\n")
    at = 0
    for pat in patterns:
        r = re.compile(pat)
        while at < len(lines) and not r.search(lines[at]):
            at += 1
        if at == len(lines):
            return pat
        at += 1
    return None


class Gdb:
    """A client of QEMU's gdb stub: the remote serial protocol with acks."""

    def __init__(self, port, run, timeout):
        self.run = run
        self.buf = b""
        deadline = time.time() + timeout
        while True:
            self.sock = socket.socket()
            try:
                self.sock.connect(("127.0.0.1", port))
                break
            except OSError:
                self.sock.close()
                if time.time() >= deadline:
                    raise Failure("%s: could not connect to the gdb stub on port %d"
                                  % (run.name, port))
                run.pump(0.1)

    def close(self):
        self.sock.close()

    def fill(self, deadline, what):
        """More bytes from the stub (make's output read meanwhile)."""
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise Failure("%s: gdb stub: no %s in time" % (self.run.name, what))
            if self.run.pump(min(left, 0.1), [self.sock]):
                data = self.sock.recv(4096)
                if not data:
                    raise Failure("%s: gdb stub closed the connection while waiting for %s"
                                  % (self.run.name, what))
                self.buf += data
                return

    def send(self, cmd, timeout=10):
        """Send packet cmd until the stub acknowledges it with '+'."""
        payload = cmd.encode()
        packet = b"$" + payload + b"#%02x" % checksum(payload)
        deadline = time.time() + timeout
        for _ in range(3):
            self.sock.sendall(packet)
            while not self.buf:
                self.fill(deadline, "ack of %r" % cmd)
            ack, self.buf = self.buf[:1], self.buf[1:]
            if ack == b"+":
                return
            if ack != b"-":
                raise Failure("%s: gdb stub answered %r to %r, not an ack"
                              % (self.run.name, ack + self.buf, cmd))
        raise Failure("%s: gdb stub refused %r three times" % (self.run.name, cmd))

    def receive(self, timeout, what):
        """The next packet from the stub, checksum checked and acknowledged."""
        deadline = time.time() + timeout
        while True:
            m = re.search(rb"\$([^#$]*)#([0-9a-fA-F]{2})", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                if int(m.group(2), 16) != checksum(m.group(1)):
                    self.sock.sendall(b"-")
                    continue
                self.sock.sendall(b"+")
                return unpack(m.group(1)).decode(errors="replace")
            self.fill(deadline, what)

    def command(self, cmd, timeout=10):
        self.send(cmd)
        return self.receive(timeout, "reply to %r" % cmd)


def restore_disk(dirname):
    """Copy clean-fs.img over this run's disk, as gradelib does."""
    if not os.path.isfile(CLEAN_FS):
        raise Failure("%s is missing (it is built with fs.img)" % CLEAN_FS)
    shutil.copyfile(CLEAN_FS, os.path.join(dirname, "fs.img"))


def gdb_test(name, target, port, env, dirname, symbol, patterns, kill):
    """One gradelib-style test: boot TARGET paused, break at symbol,
    continue, see the stop there, match patterns, kill, check."""
    if port_works(port, bind=False):
        raise Failure("%s: something listens on port %d before the run" % (name, port))
    restore_disk(dirname)
    addr = symbol_address(symbol)
    run = Run(target, ["FSIMG=" + os.path.join(dirname, "fs.img")], env)
    try:
        gdb = Gdb(port, run, 30)
        say("%s: connected to the gdb stub on port %d" % (name, port))
        reply = gdb.command("Z1,%x,1" % addr)
        if reply != "OK":
            raise Failure("%s: hardware breakpoint at %s: stub said %r" % (name, symbol, reply))
        gdb.send("c")
        stop = gdb.receive(60, "stop reply after continue")
        if not re.match(r"[TS]05", stop):
            raise Failure("%s: stop reply %r is not a breakpoint (SIGTRAP)" % (name, stop))
        regs = gdb.command("g")
        if not re.fullmatch(r"[0-9a-fA-F]{272,}", regs):
            raise Failure("%s: register reply %r is not 64-bit registers" % (name, regs[:80]))
        rip = int.from_bytes(bytes.fromhex(regs[256:272]), "little")
        if rip != addr:
            raise Failure("%s: stopped at rip %#x, not at %s (%#x)" % (name, rip, symbol, addr))
        say("%s: stopped at %s (rip %#x), stop reply %s" % (name, symbol, rip, stop[:3]))
        run.expect(patterns, 10)
        say("%s: output matched: %s" % (name, " / ".join(patterns)))
        gdb.close()
        run.stop(kill)
    except BaseException:
        run.kill_all()
        raise
    if not port_works(port, bind=True):
        raise Failure("%s: port %d is still taken after the run" % (name, port))
    say("%s: port %d is free again" % (name, port))


def nogdb_test(name, target, args, env, dirname, patterns, kill):
    """A run without gdb: match patterns, then SIGTERM (kill is 'group' or
    'make'), or, with kill None, expect make to end by itself with 0."""
    restore_disk(dirname)
    run = Run(target, args + ["FSIMG=" + os.path.join(dirname, "fs.img")], env)
    try:
        run.expect(patterns, 60)
        say("%s: output matched: %s" % (name, " / ".join(patterns)))
        if kill:
            run.stop(kill)
        else:
            status = run.wait_exit(30)
            if status != 0:
                raise Failure("%s: make exited with status %d after the power-off"
                              % (name, status))
            if session_members(run.proc.pid):
                raise Failure("%s: left running: %s" % (name, session_members(run.proc.pid)))
            say("%s: the kernel powered off; make exited with status 0" % name)
    except BaseException:
        run.kill_all()
        raise


def on_sigterm(signum, frame):
    raise Failure("terminated by SIGTERM (the test's time is up?)")


def main():
    ap = argparse.ArgumentParser(description="gradelib-style checks of the make targets")
    ap.add_argument("--port", type=int, required=True, help="the GDBPORT to use")
    ap.add_argument("--dir", required=True, help="a scratch folder (kernel.img with prog=hello exit)")
    opts = ap.parse_args()
    # A SIGTERM (a test's timeout) ends the runs we started, too.
    signal.signal(signal.SIGTERM, on_sigterm)
    env = make_env(opts.port)
    hello = [r"hello, world", r"\[00001000\] exiting gracefully",
             r"No runnable environments in the system!",
             r"Welcome to the JOS kernel monitor!"]
    try:
        got = print_gdbport(env)
        if got != opts.port:
            raise Failure("make print-gdbport says %d with GDBPORT=%d" % (got, opts.port))
        say("print-gdbport: %d" % got)
        # Two gradelib tests in a row on the same port.
        gdb_test("run-hello-nox-gdb", "run-hello-nox-gdb", got, env, opts.dir,
                 "readline", hello, "group")
        gdb_test("qemu-nox-gdb", "qemu-nox-gdb", got, env, opts.dir, "sys_cons_wait",
                 [r"init: running sh", r"\[00001000\] new env 00001001"], "make")
        nogdb_test("run-hello-nox", "run-hello-nox", [], env, opts.dir, hello, "make")
        nogdb_test("qemu-nox", "qemu-nox", ["KERNIMG=" + os.path.join(opts.dir, "kernel.img")],
                   env, opts.dir, [r"hello, world", r"\[00001000\] exiting gracefully"], None)
    except Failure as e:
        say("FAIL: %s" % e)
        return 1
    except (OSError, subprocess.SubprocessError) as e:
        say("FAIL: %s" % e)
        return 1
    say("gradelib_check: all steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
