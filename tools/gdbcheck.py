"""gdbcheck.py - the non-interactive GDB check of `make test`.

Starts QEMU halted with its gdbstub on a free port, then GDB in batch
mode with the project's GDB script: a hardware breakpoint on kmain,
continue, one stepi, and a read of rip. Passes when GDB stopped in kmain
and rip moved on, the project's commands loaded, and sec-bt-symbols names
the new rip kmain+offset.
"""
import os
import re
import socket
import subprocess
import time

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check(kernel):
    port = free_port()
    qemu = subprocess.Popen(harness.qemu_command(kernel=kernel, smp=1) +
                            ["-gdb", "tcp:127.0.0.1:%d" % port, "-S"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        cmd = ["gdb", "-nx", "-batch", kernel,
               "-ex", "source %s/tools/gdb/secundus.py" % ROOT,
               "-ex", "target remote 127.0.0.1:%d" % port,
               "-ex", "hbreak kmain",
               "-ex", "continue",
               "-ex", "printf \"AT-RIP %#lx\\n\", $rip",
               "-ex", "info symbol $rip",
               "-ex", "stepi",
               "-ex", "printf \"STEP-RIP %#lx\\n\", $rip",
               "-ex", "help sec-pmm",
               "-ex", "help sec-ps",
               "-ex", "help sec-vmstat",
               "-ex", "help sec-bt-symbols",
               "-ex", "sec-bt-symbols $rip",
               "-ex", "kill"]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        out = "gdb timed out"
    finally:
        qemu.kill()
        qemu.wait()
    at = re.search(r"AT-RIP (0x[0-9a-f]+)", out)
    step = re.search(r"STEP-RIP (0x[0-9a-f]+)", out)
    problems = []
    if "too long" in out:
        problems.append("GDB chose the wrong architecture ('g' packet reply is too long)")
    if not at or "kmain" not in out.split("AT-RIP", 1)[-1].splitlines()[1]:
        problems.append("GDB did not stop in kmain")
    if not step or not at or step.group(1) == at.group(1):
        problems.append("stepi did not move rip")
    if "Show the physical page allocator" not in out or "Undefined command" in out:
        problems.append("the project's GDB commands (sec-pmm, sec-ps, sec-vmstat, sec-bt-symbols) did not load")
    if not re.search(r"\] kmain\+0x[0-9a-f]+ ", out):
        problems.append("sec-bt-symbols $rip did not name kmain")
    diag = problems + (out.splitlines()[-25:] if problems else [])
    return [harness.Result("gdb.hbreak_kmain_stepi_rip", not problems, diag=diag)]
