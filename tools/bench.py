#!/usr/bin/env python3
"""bench.py - `make bench`: figures measured in QEMU, printed as
`BENCH <name> <value> <unit>` lines (see docs/bench.md).

  boot_to_first_line_ms   wall time from starting QEMU to the kernel's first
                          serial line, median of 7 boots, for -kernel (PVH)
                          and for the GRUB ISO. Wall time on a shared 2-core
                          machine is noisy: the median is what to compare.
Later issues add guest-instruction figures from -icount boots.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--iso", required=True)
    args = ap.parse_args()
    rows = []
    pvh = median_ms(harness.qemu_command(kernel=args.kernel, smp=1))
    rows.append(("boot_to_first_line_pvh", pvh, "ms"))
    if os.path.exists(args.iso):
        iso = median_ms(harness.qemu_command(iso=args.iso, smp=1))
        rows.append(("boot_to_first_line_iso", iso, "ms"))
    print("%-32s %12s  %s" % ("figure", "value", "unit"))
    for name, value, unit in rows:
        print("%-32s %12s  %s" % (name, "n/a" if value is None else "%.1f" % value, unit))
    for name, value, unit in rows:
        if value is not None:
            print("BENCH %s %.1f %s" % (name, value, unit))


if __name__ == "__main__":
    main()
