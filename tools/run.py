#!/usr/bin/env python3
"""run.py - `make run`: boot the ISO in QEMU with the shell on the terminal.

On a terminal, QEMU's serial port is the terminal (Ctrl-A X quits QEMU).
When standard input is not a terminal (a pipe, CI, a script), it runs the
scripted tour of tools/tour.txt instead: each command is sent when the
shell prints its prompt, so nothing is typed into GRUB or lost, and the
tour ends with `poweroff`.

Environment: SMP, MEM, and DISK (a raw image attached as the virtio-blk
swap disk; the Makefile passes build/swap.img, made if missing).
"""
import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PROMPT = b"secundus> "
TOUR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tour.txt")


def tour_commands():
    cmds = []
    for line in open(TOUR):
        line = line.strip()
        if line and not line.startswith("#"):
            cmds.append(line)
    return cmds


def run_tour(cmd, commands, timeout=120, echo=True):
    """Drive the shell: send each command after a prompt. Returns (status, log)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    log = b""
    pending = list(commands)
    deadline = time.monotonic() + timeout
    seen_prompts = 0
    while proc.poll() is None and time.monotonic() < deadline:
        r, _, _ = select.select([proc.stdout], [], [], 0.2)
        if r:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            log += chunk
            if echo:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
        if log.count(PROMPT) > seen_prompts and pending:
            seen_prompts = log.count(PROMPT)
            proc.stdin.write((pending.pop(0) + "\r").encode())
            proc.stdin.flush()
    if proc.poll() is None:
        proc.kill()
    rest = proc.stdout.read() or b""
    log += rest
    if echo and rest:
        sys.stdout.buffer.write(rest)
    status = proc.wait()
    return status, log.decode("utf-8", "replace").replace("\r\n", "\n")


def tour_check(iso):
    """make test: the tour through the normal ISO reaches the shell and powers off cleanly."""
    cmd = harness.qemu_command(iso=iso, smp=2)
    status, log = run_tour(cmd, tour_commands(), echo=False)
    problems = []
    if status != 0:
        problems.append("QEMU exit status %d (poweroff should give 0)" % status)
    for cmd_name in tour_commands():
        if ("secundus> " + cmd_name) not in log:
            problems.append("command not echoed at a prompt: %s" % cmd_name)
    for needle in ("booted by multiboot2", "Powering off.", "pages:", " ticks"):
        if needle not in log:
            problems.append("missing from the tour output: %r" % needle)
    if "unknown command" in log or "PANIC" in log:
        problems.append("the tour hit an unknown command or a panic")
    diag = problems + (["last lines:"] + log.splitlines()[-15:] if problems else [])
    return [harness.Result("run.scripted_tour_through_iso", not problems, diag=diag)]


def main():
    iso = sys.argv[1]
    smp = os.environ.get("SMP", "4")
    mem = os.environ.get("MEM", "128M")
    disk = os.environ.get("DISK") or None     # the swap disk (make run: build/swap.img)
    if disk and not os.path.exists(disk):
        sys.exit("make run: disk image %s is missing" % disk)
    if sys.stdin.isatty():
        cmd = harness.qemu_command(iso=iso, smp=smp, mem=mem, serial="mon:stdio", disk=disk)
        # The serial port multiplexes QEMU's monitor (Ctrl-A C), so drop the
        # "-monitor none" pair. Not cmd.remove("none"): that would take the
        # first "none", the value of -display.
        i = cmd.index("-monitor")
        del cmd[i:i + 2]
        print("Secundus in QEMU: Ctrl-A X quits, Ctrl-A C switches to the QEMU monitor.")
        sys.exit(subprocess.call(cmd))
    cmd = harness.qemu_command(iso=iso, smp=smp, mem=mem, disk=disk)
    status, _ = run_tour(cmd, tour_commands())
    print("\n[make run: scripted tour finished, QEMU status %d]" % status)
    sys.exit(0 if status == 0 else 1)


if __name__ == "__main__":
    main()
