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
  That boot has one CPU; smpbench (user/bench/smpbench.c) skips itself
  there and runs in boots of its own:
  smp4_munmap_{1,16,512}[_ipis]
                          one -icount boot at -smp 4 running `smpbench`:
                          munmap with spinner threads on the 3 other CPUs
                          (instructions per call, IPIs per call).
  shootdown_round_cpus_N[_ipis]
                          one -icount boot per N in 1, 2, 4, 8 running
                          `smpbench round`: munmap of 1 page with a spinner
                          on every other CPU, i.e. one shootdown round.
  --ceilings 0,8,32,...   (not part of `make bench`) also boots -smp 4 with
                          `tlb_ceiling=C` for each C and runs `smpbench`:
                          the measurement behind TLB_FLUSH_CEILING
                          (docs/smp.md). BENCH names get a _ceilC suffix.
  Those boots drive the shell (a command at each prompt), not bench mode,
  because only the shell's `run` passes arguments to a program.
  swap_out_throughput, swap_in_throughput, swap_in_fault_cost, swap_scan_efficiency
                          one -icount boot at -smp 1 with --swap-mem of RAM
                          (default 32M) and a fresh --swap-disk-size swap disk
                          (default twice the RAM) running `swapbench` at the shell:
                          swapping needs memory pressure, which the 128M
                          bench-mode boot (no disk; swapbench skips itself
                          there) does not have.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import run as shell_run  # noqa: E402   (tools/run.py: drive the shell prompt by prompt)

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


SMP_COUNTS = (1, 2, 4, 8)


def bench_rows(log, suffix=""):
    rows = []
    for line in log.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "BENCH":
            rows.append((parts[1] + suffix, float(parts[2]), parts[3]))
    return rows


def shell_benchmarks(kernel, initrd, smp, commands, append="", mem="128M", timeout=600, disk=None,
                     icount_sleep=False):
    """One -icount boot at `smp` CPUs running `commands` at the shell; returns (rows, log).
    disk: a raw image attached as the virtio-blk (swap) disk; icount_sleep: see
    harness.qemu_command."""
    cmd = harness.qemu_command(kernel=kernel, initrd=initrd, append=("loglevel=4 " + append).strip(),
                               smp=smp, mem=mem, icount=True, disk=disk, icount_sleep=icount_sleep)
    status, log = shell_run.run_tour(cmd, list(commands) + ["poweroff"], timeout=timeout, echo=False)
    rows = bench_rows(log)
    if status != 0 or "Powering off." not in log:
        print("bench: the -smp %d shell boot (%s) did not finish (QEMU status %s)"
              % (smp, "; ".join(commands), status))
    return rows, log


def program_output(log):
    """The programs' own lines: no printk lines, prompts or BENCH lines."""
    keep = []
    for line in log.splitlines():
        if line.startswith("[") or line.startswith("BENCH ") or line.startswith("secundus>"):
            continue
        if line.startswith("Secundus monitor") or line.startswith("Powering off"):
            continue
        keep.append(line)
    return keep


def smp_benchmarks(kernel, initrd, ceilings=()):
    """smpbench at -smp 4, and one shootdown round at each CPU count."""
    rows = []
    print("---- smpbench (-icount; all vCPUs share one host thread, so a figure counts the")
    print("     instructions of every CPU during the call) ----")
    for n in SMP_COUNTS:
        cmds = ["run smpbench round"] + (["run smpbench"] if n == 4 else [])
        r, log = shell_benchmarks(kernel, initrd, n, cmds)
        for line in program_output(log):
            print(line)
        rows += r
    for c in ceilings:
        r, log = shell_benchmarks(kernel, initrd, 4, ["run smpbench"], append="tlb_ceiling=%d" % c)
        print("-- tlb_ceiling=%d --" % c)
        for line in program_output(log):
            print(line)
        rows += [(name + "_ceil%d" % c, v, u) for name, v, u in r]
    print("----")
    return rows


def swap_benchmarks(kernel, initrd, mem, disk_size):
    """swapbench (user/bench/swapbench.c) in a -icount boot of its own at -smp 1 with `mem`
    of RAM and a fresh swap disk of disk_size bytes: memory pressure, which the 128M
    bench-mode boot (no disk) does not have."""
    disk = harness.make_disk(os.path.join(os.path.dirname(os.path.abspath(kernel)), "bench-swap-disk.img"),
                             disk_size)
    print("---- swapbench (-icount, -smp 1, -m %s, %d MiB swap disk) ----" % (mem, disk_size >> 20))
    rows, log = shell_benchmarks(kernel, initrd, 1, ["run swapbench"], mem=mem, timeout=900, disk=disk,
                                 icount_sleep=True)
    for line in program_output(log):
        print(line)
    print("----")
    os.unlink(disk)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--iso", required=True)
    ap.add_argument("--initrd", default=None)
    ap.add_argument("--ceilings", default=os.environ.get("BENCH_TLB_CEILINGS", ""),
                    help="also measure smpbench with these tlb_ceiling= values (e.g. 0,8,32,512)")
    ap.add_argument("--swap-mem", default="32M", help="RAM of the swapbench boot")
    ap.add_argument("--swap-disk-size", default="", help="its swap disk (default: twice --swap-mem)")
    args = ap.parse_args()
    ceilings = [int(x) for x in args.ceilings.split(",") if x.strip()]
    rows = []
    if args.initrd:
        bench_rows, log = icount_benchmarks(args.kernel, args.initrd)
        print("---- benchmark output (-icount: 1 TSC tick = 1 guest instruction) ----")
        for line in log.splitlines():
            if not line.startswith("BENCH ") and not line.startswith("["):
                print(line)
        print("----")
        rows += bench_rows
        rows += smp_benchmarks(args.kernel, args.initrd, ceilings)
        rows += swap_benchmarks(args.kernel, args.initrd, args.swap_mem,
                                harness.parse_size(args.swap_disk_size or 2 * harness.parse_size(args.swap_mem)))
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
