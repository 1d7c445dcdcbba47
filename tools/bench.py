#!/usr/bin/env python3
"""bench.py - `make bench`: figures measured in QEMU, printed as
`BENCH <name> <value> <unit>` lines (see docs/bench.md).

  boot_to_first_line_ms   wall time from starting QEMU to the kernel's first
                          serial line, median of 7 boots, for -kernel (PVH)
                          and for the GRUB ISO. Wall time on a shared 2-core
                          machine is noisy: the median is what to compare.
  the user benchmarks (user/bench/*, then EXTRA_USER programs) run in one
  -kernel boot under -icount shift=0,align=off,sleep=off: the TSC counts
  guest instructions, so their figures repeat exactly from run to run.
  Their output is printed as is; their BENCH lines are collected.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BOOTS = 7


def time_to_first_line(cmd, marker=b"Secundus: booted"):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    buf = b""
    elapsed = None
    while True:
        chunk = proc.stdout.read1(4096) if hasattr(proc.stdout, "read1") else proc.stdout.read(1)
        if not chunk:
            break
        buf += chunk
        if marker in buf:
            elapsed = time.monotonic() - start
            break
        if time.monotonic() - start > 30:
            break
    proc.kill()
    proc.wait()
    return elapsed


def median_ms(cmd):
    samples = [time_to_first_line(cmd) for _ in range(BOOTS)]
    samples = [s for s in samples if s is not None]
    if not samples:
        return None
    return statistics.median(samples) * 1000


def icount_benchmarks(kernel, initrd, smp=1, mem="128M"):
    """One -icount boot in bench mode; returns (rows, log)."""
    cmd = harness.qemu_command(kernel=kernel, initrd=initrd, append="bench loglevel=4", smp=smp,
                               mem=mem, icount=True)
    run = harness.run_qemu("bench", cmd, timeout=1800)
    rows = []
    for line in run.log.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "BENCH":
            rows.append((parts[1], float(parts[2]), parts[3]))
    if "BENCH-DONE" not in run.log:
        print("bench: the benchmark boot did not finish (%s)" % harness.describe_status(run))
    return rows, run.log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--iso", required=True)
    ap.add_argument("--initrd", default=None)
    args = ap.parse_args()
    rows = []
    if args.initrd:
        bench_rows, log = icount_benchmarks(args.kernel, args.initrd)
        print("---- benchmark output (-icount: 1 TSC tick = 1 guest instruction) ----")
        for line in log.splitlines():
            if not line.startswith("BENCH ") and not line.startswith("["):
                print(line)
        print("----")
        rows += bench_rows
    pvh = median_ms(harness.qemu_command(kernel=args.kernel, smp=1))
    rows.append(("boot_to_first_line_pvh", pvh, "ms"))
    if os.path.exists(args.iso):
        iso = median_ms(harness.qemu_command(iso=args.iso, smp=1))
        rows.append(("boot_to_first_line_iso", iso, "ms"))
    print("%-32s %14s  %s" % ("figure", "value", "unit"))
    for name, value, unit in rows:
        print("%-32s %14s  %s" % (name, "n/a" if value is None else "%.1f" % value, unit))
    for name, value, unit in rows:
        if value is not None:
            print("BENCH %s %s %s" % (name, ("%d" % value) if value == int(value) else "%.1f" % value, unit))


if __name__ == "__main__":
    main()
