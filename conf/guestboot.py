#!/usr/bin/env python3
# conf/guestboot.py: measure one guest boot (issue 7's figures, and issue
# 14's side by side on each backend).
#
#   python3 conf/guestboot.py [--backend B] [--cat FILE] [KERNEL.IMG [FS.IMG]]
#
# B is where the monitor's guests run, as grade-lab.sh's --backend:
# bochs-vmx (the default: Bochs, VT-x), bochs-svm (Bochs' AMD model) or
# qemu-svm (QEMU's software emulation with SVM and nested paging).
# Boots the host to its shell (COM1 on a socket), types /vmm/vmm &,
# waits for the guest's shell prompt, gives the console back to the host
# (Ctrl-]), lists the guests with vmctl (the guest's exits so far: it
# sleeps in HLT at its prompt, so they stop growing there) and stops the
# guest with vmctl, so that the monitor prints its VM exits by reason.
# Prints the wall time from typing /vmm/vmm (and from vmm's "starting"
# line) to the guest's "$ ", the exits at the prompt and at the stop,
# then the exit lines.  A measurement, not a test: it asserts nothing.
#
# With --cat FILE, the guest's console output as well (issue 12, part 8):
# at the guest's prompt, vmctl list counts its exits; the guest gets the
# console back (vmctl focus), runs `cat FILE` (e.g. /bench.256k, 256 KiB
# of text on the guest's disk), and at its next prompt vmctl list counts
# again.  Prints the exits the cat took (the difference: it includes the
# few that typing the command costs) and the bytes the serial line
# carried meanwhile against the file's size.
import argparse, os, re, shutil, socket, subprocess, sys, tempfile, time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser(description="Measure one guest boot of the JOS monitor.")
ap.add_argument("--backend", choices=["bochs-vmx", "bochs-svm", "qemu-svm"], default="bochs-vmx")
ap.add_argument("--cat", metavar="FILE", help="also cat FILE (on the guest's disk) in the guest")
ap.add_argument("kernel", nargs="?", default=os.path.join(top, "obj/kern/kernel.img"))
ap.add_argument("fs", nargs="?", default=os.path.join(top, "obj/fs/fs.img"))
opts = ap.parse_args()
cat, kern, fs = opts.cat, opts.kernel, opts.fs
for f in (kern, fs):
    if not os.path.isfile(f):
        sys.exit("guestboot: %s: no such file (make builds it)" % f)
work = tempfile.mkdtemp(prefix="guestboot.")
shutil.copy(kern, work + "/kernel.img")
shutil.copy(fs, work + "/fs.img")
subprocess.check_call(["bash", top + "/conf/mkcmdline.sh", work + "/kernel.img", ""])
s = socket.socket()
s.bind(("localhost", 0))
port = s.getsockname()[1]
s.close()
if opts.backend == "qemu-svm":
    # QEMU listens on the port and starts the machine once connected.
    emu_cmd = ["qemu-system-x86_64", "-cpu", "qemu64,+svm,+npt", "-m", "256",
               "-drive", "file=%s/kernel.img,index=0,media=disk,format=raw" % work,
               "-drive", "file=%s/fs.img,index=1,media=disk,format=raw" % work,
               "-serial", "tcp:127.0.0.1:%d,server=on,wait=on" % port,
               "-no-reboot", "-display", "none", "-monitor", "none"]
    env = os.environ
else:
    env = dict(os.environ, BOCHS_COM1="mode=socket-server, dev=localhost:%d" % port)
    if opts.backend == "bochs-svm":
        env["BOCHS_MODEL"] = "ryzen"
    subprocess.check_call(["bash", top + "/conf/bochs.sh", "prepare", work,
                           work + "/kernel.img", work + "/fs.img"], env=env)
    emu_cmd = ["bochs", "-q", "-f", work + "/bochsrc", "-rc", work + "/bochs.rc"]
emu = subprocess.Popen(emu_cmd, stdin=subprocess.DEVNULL, stdout=open(work + "/emu.out", "w"),
                       stderr=subprocess.STDOUT, env=env)
conn = None
for _ in range(600):
    try:
        conn = socket.create_connection(("localhost", port))
        break
    except OSError:
        time.sleep(0.05)
if conn is None:
    sys.exit("guestboot: the emulator never listened on port %d (see %s/emu.out)" % (port, work))
conn.settimeout(0.2)

# Who prints: the console names the writer on a line of its own at each
# switch ("--- guest ID ---", "--- host ---"); older kernels put
# "[guest ID] " before every guest line.
writer = "host"

def note_writer(done):
    """Follow the writer through a finished line."""
    global writer
    m = re.match(r"--- guest ([0-9a-f]{8}) ---$", done)
    if m:
        writer = m.group(1)
    elif done == "--- host ---":
        writer = "host"

def guest_prompt(line):
    """Whether the unfinished line is a guest shell's prompt."""
    return line.rstrip("\r").endswith("$ ") and (line.startswith("[guest") or writer != "host")

def host_prompt(line):
    """Whether the unfinished line is the host shell's prompt."""
    return line.rstrip("\r").endswith("$ ") and not guest_prompt(line)

serial = open(work + "/serial.txt", "w")
log, line = [], ""
state, t_typed, t_start, guest, deadline = "host", 0.0, 0.0, None, time.time() + 600
exits_at_prompt = None
exits_before_cat = exits_after_cat = None
serial_bytes, bytes_at_cat, bytes_after_cat = 0, 0, 0
try:
    while time.time() < deadline:
        try:
            data = conn.recv(4096).decode("latin-1")
        except socket.timeout:
            data = ""
        if data == "" and emu.poll() is not None:
            break
        serial_bytes += len(data)
        for ch in data:
            if ch == "\n":
                log.append(line.replace("\r", ""))
                note_writer(log[-1])
                serial.write(log[-1] + "\n")
                serial.flush()
                m = re.match(r"vmm: guest ([0-9a-f]{8}) starting", log[-1])
                if m and state == "typed":
                    t_start, guest = time.time(), m.group(1)
                m = re.match(r"%s +[0-9]+ MiB +\S+ +([0-9]+) " % guest, log[-1]) if guest else None
                if m and state == "stopping":
                    exits_at_prompt = int(m.group(1))
                if m and state == "count0":
                    exits_before_cat = exits_at_prompt = int(m.group(1))
                if m and state == "count1":
                    exits_after_cat = int(m.group(1))
                if state == "focus" and re.match(r"vmctl: guest %s has the console" % guest, log[-1]):
                    conn.sendall(("cat %s\n" % cat).encode())
                    bytes_at_cat, state = serial_bytes, "catting"
                if state == "stopping" and re.search(r"vmm: guest %s is gone" % guest, log[-1]):
                    state = "done"
                line = ""
            else:
                line += ch
        if state == "host" and host_prompt(line):
            conn.sendall(b"/vmm/vmm &\n")
            t_typed, state, line = time.time(), "typed", ""
        elif state == "typed" and guest and guest_prompt(line):
            t_prompt = time.time()
            if cat:
                state, line = "count0", ""
                conn.sendall(("\x1d/vmctl list\n").encode())
            else:
                state, line = "stopping", ""
                conn.sendall(("\x1d/vmctl list\n").encode())
                time.sleep(0.5)
                conn.sendall(("/vmctl stop %s\n" % guest).encode())
        elif state == "count0" and exits_before_cat is not None and host_prompt(line):
            state, line = "focus", ""
            conn.sendall(("/vmctl focus %s\n" % guest).encode())
        elif state == "catting" and guest_prompt(line):
            bytes_after_cat, state, line = serial_bytes, "count1", ""
            conn.sendall(("\x1d/vmctl list\n").encode())
        elif state == "count1" and exits_after_cat is not None and host_prompt(line):
            state, line = "stopping", ""
            conn.sendall(("/vmctl stop %s\n" % guest).encode())
        elif state == "done":
            break
finally:
    emu.kill()
    emu.wait()
if state != "done":
    sys.exit("guestboot: stopped in state %s; the log is in %s" % (state, work))
print("wall: %.2f s from typing /vmm/vmm, %.2f s from vmm's starting line, to the guest's $"
      % (t_prompt - t_typed, t_prompt - t_start))
print("exits at the guest's prompt (vmctl list): %s" % exits_at_prompt)
if cat:
    print("exits for `cat %s` (vmctl list before and after): %d"
          % (cat, exits_after_cat - exits_before_cat))
    print("serial bytes from typing `cat %s` to the guest's next prompt: %d"
          % (cat, bytes_after_cat - bytes_at_cat))
for l in log:
    if re.match(r"vmm: guest %s(:| exits| hypercalls)" % guest, l):
        print(l)
shutil.rmtree(work)
