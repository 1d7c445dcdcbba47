#!/usr/bin/env python3
"""testall.py - everything `make test` runs, ending with "N passed, N failed".

Groups, in order:
  host      tests/host/* binaries (sanitizers on), each printing KTAP
  elf       checks on the linked kernel ELF (tools/check_elf.py)
  kernel    the kernel's own tests and the user test programs, booted with
            -kernel once per CPU count of --smp (default 1,2,4,8; results
            "smpN: suite.test")
  swap      the user suite "swap" (user/swaptests) booted with test=swap at
            --swap-mem (default 32M) with a fresh --swap-disk-size disk (default
            twice --swap-mem: room for what the tests swap, and swap_oom fills
            all of it), once per CPU count of --swap-smp (default 2; results
            "swap-smpN: swap.test")
  iso       the test ISO booted through GRUB and BIOS
  harness   the harness proves it cannot be fooled: a deliberately failing
            test, a triple fault, a hang, a panic outside any test and a
            truncated log must each be reported as failures
  gdb       a non-interactive GDB session: hbreak kmain, continue, stepi, rip
  run       `make run`'s scripted tour through the ISO, fed from a pipe

Each kernel test boot (groups kernel and iso) gets a fresh, empty, sparse
virtio-blk disk (--disk-size, default 64M) in the build directory; -kernel
boots also get blk_sectors=N so the blk suite checks the capacity.

Extra user programs (`make test EXTRA_USER=dir`): user/user.mk builds each
dir/NAME.c into the initrd as extra/NAME, and the kernel runs every extra/
program as one test of the suite user_extra, in every kernel boot (so at
every --smp setting, and in the ISO boot). Nothing here is specific to
them: their results arrive as "smpN: user_extra.NAME" like any other. The
kernel group only checks that each extra/ program of the initrd did report
a result in each boot (a missing one is a failure "smpN: user_extra(missing)").
"""
import argparse
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import check_elf  # noqa: E402
import gdbcheck  # noqa: E402
import run as runmod  # noqa: E402

KERNEL_TEST_TIMEOUT = int(os.environ.get("KTEST_TIMEOUT", "240"))
SWAP_TEST_TIMEOUT = int(os.environ.get("SWAP_TEST_TIMEOUT", "900"))


def result(name, ok, diag=(), skip=False, directive=""):
    return harness.Result(name, ok, skip, diag, directive)


def skip_reason(r):
    """The reason of a skipped result: its KTAP directive without the word SKIP."""
    d = (r.directive or "").strip()
    if d[:4].upper() == "SKIP":
        d = d[4:].strip()
    return d or "(no reason given)"


def host_tests(binaries):
    results = []
    for b in binaries:
        name = os.path.basename(b)
        p = subprocess.run([b], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
        rep = harness.parse_ktap(out)
        for r in rep.results:
            results.append(result("host." + r.name, r.ok, r.diag, r.skip, r.directive))
        if p.returncode != 0 or rep.problems or not rep.results:
            if p.returncode == 0 or all(r.ok for r in rep.results):
                results.append(result("host.%s(exit)" % name, False,
                                      ["exit status %d" % p.returncode] + rep.problems +
                                      out.splitlines()[-30:]))
    return results


def test_disk(args, name, size=None):
    """A fresh, empty sparse disk image for one kernel test boot (virtio-blk, the
    swap disk), in the build directory; recreated for every boot so each starts clean.
    size: bytes (default --disk-size)."""
    path = os.path.join(os.path.dirname(os.path.abspath(args.kernel)), "test-disk-%s.img" % name)
    return harness.make_disk(path, size or args.disk_size)


def kernel_boot(args, name, smp, append, timeout=KERNEL_TEST_TIMEOUT, iso=None, disk=False,
                mem=None, disk_size=None):
    """One boot; disk=True attaches a fresh test disk and, for -kernel boots, tells the
    kernel its size (blk_sectors=N) so the blk suite can check the capacity it reads.
    mem and disk_size default to --mem and --disk-size."""
    disk_size = disk_size or args.disk_size
    img = test_disk(args, name, disk_size) if disk else None
    if img and not iso:
        append += " blk_sectors=%d" % (disk_size // 512)
    cmd = harness.qemu_command(kernel=None if iso else args.kernel, iso=iso, append=append,
                               smp=smp, mem=mem or args.mem, initrd=None if iso else args.initrd,
                               disk=img)
    return harness.run_qemu(name, cmd, timeout)


def extra_programs(initrd):
    """Names of the EXTRA_USER programs in the initrd (members extra/NAME)."""
    if not initrd or not os.path.exists(initrd):
        return []
    with tarfile.open(initrd) as tar:
        return sorted(m.name[len("extra/"):] for m in tar.getmembers()
                      if m.isfile() and m.name.startswith("extra/"))


def kernel_tests(args):
    results = []
    extra = " ktest_fail_demo" if args.fail_demo else ""
    extra_progs = extra_programs(args.initrd)
    for smp in args.smp:
        prefix = "smp%d: " % smp
        run = kernel_boot(args, "smp%d" % smp, smp, "test" + extra, disk=True)
        rs = harness.judge_run(run, prefix=prefix)
        names = set(r.name for r in rs)
        missing = [n for n in extra_progs if prefix + "user_extra." + n not in names]
        boot_failed = any(r.name.startswith(prefix + "boot(") for r in rs)
        if missing and not boot_failed:
            rs.append(result(prefix + "user_extra(missing)", False,
                             ["the initrd holds extra/%s but the kernel reported no result for it" % n
                              for n in missing]))
        results += rs
    return results


def swap_tests(args):
    """The suite "swap" (user/swaptests, initrd swap/NAME) under memory pressure: a
    small RAM (--swap-mem) and a fresh disk big enough for the tests' swap
    (--swap-disk-size), once per CPU count of --swap-smp. A plain `test` boot never
    runs this suite; `test=swap` runs it alone. Each boot's whole serial log is kept
    as swap-smpN.log next to the kernel (the tests print their timings there)."""
    results = []
    for smp in args.swap_smp:
        prefix = "swap-smp%d: " % smp
        run = kernel_boot(args, "swap-smp%d" % smp, smp, "test=swap", timeout=SWAP_TEST_TIMEOUT,
                          disk=True, mem=args.swap_mem, disk_size=args.swap_disk_size)
        log = os.path.join(os.path.dirname(os.path.abspath(args.kernel)), "swap-smp%d.log" % smp)
        with open(log, "w") as f:
            f.write(run.log)
        rs = harness.judge_run(run, prefix=prefix)
        if not any(r.name.startswith(prefix + "swap.") for r in rs) and \
                not any(r.name.startswith(prefix + "boot(") for r in rs):
            rs.append(result(prefix + "swap(missing)", False,
                             ["the boot reported no result of the suite swap (no swap/ programs in the initrd?)"]))
        print("  # swap-smp%d: the boot took %.0f s (serial log: %s)" % (smp, run.seconds, log), flush=True)
        results += rs
    return results


def iso_test(args):
    run = kernel_boot(args, "iso", 2, "", iso=args.iso, disk=True)
    res = harness.judge_run(run, prefix="iso: ")
    # The ISO runs the same suites; report it as one result to keep the count honest.
    bad = [r for r in res if not r.ok]
    diag = []
    for r in bad:
        diag += [r.name] + r.diag
    if "booted by multiboot2" not in run.log:
        bad.append(None)
        diag.append("the kernel did not say it was booted by multiboot2")
    return [result("iso: kernel tests through GRUB (%d results)" % len(res), not bad, diag)]


def expect_failure(name, run, must_mention):
    """A harness self-test: judging `run` must yield a failure mentioning must_mention."""
    res = harness.judge_run(run)
    failed = [r for r in res if not r.ok]
    text = "\n".join(r.name + "\n" + "\n".join(r.diag) for r in failed)
    ok = bool(failed) and must_mention in text
    diag = [] if ok else ["harness did not report the expected failure (%r)" % must_mention,
                          "status %s" % run.status] + run.tail().splitlines()
    return result("harness." + name, ok, diag)


def harness_selftests(args):
    results = []
    run = kernel_boot(args, "fail-demo", 1, "test=ktest_selftest ktest_fail_demo")
    res = harness.judge_run(run)
    demo = [r for r in res if r.name.endswith("deliberate_failure") and not r.ok]
    ok = bool(demo) and run.status == harness.KTEST_EXIT_STATUS_FAIL and \
        any("ktest_selftest.c" in d for d in demo[0].diag)
    results.append(result("harness.deliberate_failure_is_reported", ok,
                          [] if ok else ["status %s" % run.status] + run.tail().splitlines()))
    results.append(expect_failure("triple_fault_is_failure",
                                  kernel_boot(args, "triple-fault", 1, "test ktest_triple_fault", 30),
                                  "triple fault"))
    results.append(expect_failure("hang_is_failure",
                                  kernel_boot(args, "hang", 1, "test ktest_hang", 5), "timed out"))
    # A panic before the tests start: reported, and QEMU leaves at once with
    # the failure status (the kernel must not halt and wait for the time limit).
    run = kernel_boot(args, "panic", 1, "test ktest_panic_at_boot", 30)
    res = expect_failure("panic_outside_test_is_failure", run, "KERNEL PANIC")
    if res.ok and (run.timed_out or run.status != harness.KTEST_EXIT_STATUS_FAIL):
        res = result(res.name, False, ["the panic was reported, but QEMU did not exit with status %d: %s" %
                                       (harness.KTEST_EXIT_STATUS_FAIL, harness.describe_status(run))] +
                     run.tail().splitlines())
    results.append(res)
    # A log cut before its plan completes, with the success status: still a failure.
    good = kernel_boot(args, "truncate", 1, "test=ktest_selftest")
    lines = good.log.splitlines()
    cut = harness.Run("truncated", harness.KTEST_EXIT_STATUS_PASS,
                      "\n".join(lines[:len(lines) - 3]) + "\n", False, 0)
    results.append(expect_failure("truncated_log_is_failure", cut, "plan"))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--iso", required=True)
    ap.add_argument("--initrd", default=None)
    ap.add_argument("--run-iso", default=None, help="the normal ISO, for the make run tour")
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--disk-size", default="64M",
                    help="size of the virtio disk image given to each kernel test boot")
    ap.add_argument("--swap-mem", default="32M", help="RAM of the swap group's boots")
    ap.add_argument("--swap-disk-size", default="",
                    help="size of the fresh virtio disk (the swap area) of each swap boot "
                         "(default: twice --swap-mem)")
    ap.add_argument("--swap-smp", default="2", help="CPU counts the swap suite runs at")
    ap.add_argument("--host-tests", default="")
    ap.add_argument("--fail-demo", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated groups")
    ap.add_argument("--smp", default="1,2,4,8", help="CPU counts the kernel suites run at")
    args = ap.parse_args()
    args.smp = [int(x) for x in args.smp.split(",") if x]
    args.disk_size = harness.parse_size(args.disk_size)
    args.swap_disk_size = harness.parse_size(args.swap_disk_size or 2 * harness.parse_size(args.swap_mem))
    args.swap_smp = [int(x) for x in args.swap_smp.split(",") if x]
    groups = [
        ("host", lambda: host_tests(args.host_tests.split())),
        ("elf", lambda: check_elf.check(args.kernel)),
        ("kernel", lambda: kernel_tests(args)),
        ("swap", lambda: swap_tests(args)),
        ("iso", lambda: iso_test(args)),
        ("harness", lambda: harness_selftests(args)),
        ("gdb", lambda: gdbcheck.check(args.kernel)),
        ("run", lambda: runmod.tour_check(args.run_iso) if args.run_iso else []),
    ]
    only = set(filter(None, args.only.split(",")))
    results = []
    for name, fn in groups:
        if only and name not in only:
            continue
        print("== %s" % name, flush=True)
        try:
            rs = fn()
        except Exception as e:  # a crash of the harness is a failure, never a pass
            rs = [result(name + "(harness error)", False, [repr(e)])]
        for r in rs:
            if r.skip:
                print("  SKIP %s # %s" % (r.name, skip_reason(r)))
            elif r.ok:
                print("  ok   %s" % r.name)
            else:
                print("  FAIL %s" % r.name)
                for d in r.diag:
                    print("       | %s" % d)
        sys.stdout.flush()
        results += rs
    passed = sum(1 for r in results if r.ok and not r.skip)
    skipped = sum(1 for r in results if r.skip)
    failed = sum(1 for r in results if not r.ok)
    if skipped:
        print("(%d skipped)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
