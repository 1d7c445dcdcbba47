"""harness.py - boot Secundus in QEMU and read its KTAP output.

Used by tools/testall.py (make test), tools/bench.py (make bench) and
tools/run.py (make run). Three pieces:

  run_qemu()     boot a kernel ELF (-kernel, PVH) or an ISO with a time limit,
                 capture the serial console, return the exit status.
  parse_ktap()   read KTAP v1 (nested) into a flat list of results and check
                 that every plan was completed.
  judge_run()    turn one boot into test results. Only QEMU exit status
                 KTEST_EXIT_STATUS_PASS (33, the kernel wrote 0x10 to
                 isa-debug-exit) with a complete, all-ok KTAP log passes.
                 A triple fault (status 0 with -no-reboot), a hang (time
                 limit), a panic outside a test or a log that ends before
                 its plan is complete is a failure, reported with the last
                 serial lines.
"""
import os
import re
import subprocess
import time

KTEST_EXIT_STATUS_PASS = (0x10 << 1) | 1    # 33
KTEST_EXIT_STATUS_FAIL = (0x11 << 1) | 1    # 35
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")


def qemu_command(kernel=None, iso=None, append="", smp=1, mem="128M", extra=(),
                 icount=False, initrd=None, serial="stdio", disk=None, icount_sleep=False):
    """The QEMU command line. disk: a raw image attached as a virtio-blk
    PCI disk (00:04.0 on the pc machine), the kernel's swap disk.
    icount: one TSC tick per guest instruction. While every vCPU is halted
    the virtual clock jumps to the next timer event (sleep=off), or, with
    icount_sleep, follows the host's real time (sleep=on: a wait for the
    disk then counts its real duration, 1 ns = 1 tick, instead of the rest
    of the current timer tick)."""
    cmd = [QEMU, "-display", "none", "-no-reboot", "-monitor", "none",
           "-serial", serial, "-m", str(mem), "-smp", str(smp),
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if icount:
        cmd += ["-icount", "shift=0,align=off,sleep=%s" % ("on" if icount_sleep else "off")]
    accel = os.environ.get("SECUNDUS_ACCEL", "")
    if accel == "kvm":
        cmd += ["-accel", "kvm", "-cpu", "host"]     # make test-kvm
    if kernel:
        cmd += ["-kernel", kernel]
        if append:
            cmd += ["-append", append]
        if initrd:
            cmd += ["-initrd", initrd]
    if iso:
        cmd += ["-cdrom", iso, "-boot", "d"]
    if disk:
        cmd += ["-drive", "file=%s,format=raw,if=virtio" % disk]
    cmd += list(extra)
    return cmd


def make_disk(path, size):
    """Create (or recreate, empty) a sparse raw disk image of `size` bytes."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def parse_size(text):
    """'64M', '1G', '512K' or a plain byte count -> bytes."""
    text = str(text).strip().upper().rstrip("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(text[:-1] if mult > 1 else text) * mult


class Run:
    """The outcome of one QEMU boot."""

    def __init__(self, name, status, log, timed_out, seconds):
        self.name = name
        self.status = status
        self.log = log
        self.timed_out = timed_out
        self.seconds = seconds

    def tail(self, n=20):
        lines = self.log.splitlines()
        return "\n".join(lines[-n:])


def run_qemu(name, cmd, timeout, stdin_data=None):
    """Run QEMU, capturing the serial console (stdout). Never hangs: kills at timeout."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_data else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timed_out = False
    try:
        out, _ = proc.communicate(input=stdin_data, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        out, _ = proc.communicate()
    log = out.decode("utf-8", "replace").replace("\r\n", "\n")
    return Run(name, proc.returncode, log, timed_out, time.monotonic() - start)


RESULT_RE = re.compile(r"^(ok|not ok) (\d+)(?: -)? ?([^#]*?)\s*(?:#\s*(.*))?$")
PLAN_RE = re.compile(r"^1\.\.(\d+)")


class Result:
    def __init__(self, name, ok, skip=False, diag=(), directive=""):
        self.name = name
        self.ok = ok
        self.skip = skip
        self.diag = list(diag)
        self.directive = directive

    def __repr__(self):
        return "Result(%r, ok=%r, skip=%r)" % (self.name, self.ok, self.skip)


class KtapReport:
    def __init__(self):
        self.results = []       # leaf results: suite.test
        self.problems = []      # structural problems: incomplete plans, bail out
        self.suites = 0
        self.saw_version = False


def parse_ktap(text):
    """Parse KTAP v1 with nested subtests (4-space indentation).

    Non-KTAP lines (printk output, which starts with '[') are ignored.
    Returns a KtapReport whose results are the leaf tests, named
    "suite.test"; problems lists plans left incomplete."""
    report = KtapReport()
    # One frame per nesting level: [name, plan, results seen, diag buffer, children seen]
    stack = []
    pending_names = {}
    leaf_results = {}   # level -> list of (num, name, ok, skip, diag)

    def level_of(line):
        n = len(line) - len(line.lstrip(" "))
        return n // 4

    frames = {}
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        lvl = level_of(line)
        if stripped.startswith("KTAP version"):
            if lvl == 0:
                report.saw_version = True
            frames[lvl] = {"plan": None, "count": 0, "diag": [], "subtest": None, "leaves": []}
            # a new nested block invalidates deeper ones
            for k in [k for k in frames if k > lvl]:
                del frames[k]
            continue
        fr = frames.get(lvl)
        if fr is None:
            continue
        m = PLAN_RE.match(stripped)
        if m and fr["plan"] is None:
            fr["plan"] = int(m.group(1))
            if lvl == 0:
                report.suites = fr["plan"]
            continue
        if stripped.startswith("# Subtest:"):
            fr["subtest"] = stripped[len("# Subtest:"):].strip()
            continue
        if stripped.startswith("Bail out!") or stripped.startswith("# Bail out!"):
            report.problems.append("bail out: " + stripped.split("Bail out!", 1)[1].strip())
            continue
        if stripped.startswith("#"):
            fr["diag"].append(stripped[1:].strip())
            continue
        m = RESULT_RE.match(stripped)
        if not m:
            continue
        ok = m.group(1) == "ok"
        name = m.group(3).strip()
        directive = (m.group(4) or "").strip()
        skip = directive.upper().startswith("SKIP")
        fr["count"] += 1
        child = frames.get(lvl + 1)
        if child is not None:
            # this line closes a suite: check its plan, record its leaves
            suite = child["subtest"] or name
            if child["plan"] is None or child["count"] != child["plan"]:
                report.problems.append("suite %s: plan 1..%s but %d results" %
                                       (suite, child["plan"], child["count"]))
            for leaf in child["leaves"]:
                leaf.name = suite + "." + leaf.name
                report.results.append(leaf)
            if not ok and all(l.ok for l in child["leaves"]):
                report.results.append(Result(suite, False, diag=fr["diag"]))
            del frames[lvl + 1]
        else:
            fr["leaves"].append(Result(name, ok, skip, fr["diag"], directive))
        fr["diag"] = []
    top = frames.get(0)
    if not report.saw_version or top is None:
        report.problems.append("no KTAP output")
    else:
        # suites still open at the end of the log never finished
        for lvl in sorted(k for k in frames if k > 0):
            fr = frames[lvl]
            report.problems.append("suite %s did not finish (%d of %s tests reported)" %
                                   (fr["subtest"], fr["count"], fr["plan"]))
            for leaf in fr["leaves"]:
                leaf.name = (fr["subtest"] or "?") + "." + leaf.name
                report.results.append(leaf)
        if top["plan"] is None:
            report.problems.append("no top-level plan")
        elif top["count"] != top["plan"]:
            report.problems.append("plan 1..%d but %d suites reported" % (top["plan"], top["count"]))
        top_leaves = top["leaves"]
        for leaf in top_leaves:
            report.results.append(leaf)
    return report


def describe_status(run):
    if run.timed_out:
        return "timed out after %.0f s (hang?)" % run.seconds
    if run.status == 0:
        return "QEMU exited with status 0: a triple fault or reset (-no-reboot), not a test result"
    if run.status == KTEST_EXIT_STATUS_FAIL:
        return "kernel reported failure (status %d)" % run.status
    if run.status == KTEST_EXIT_STATUS_PASS:
        return "kernel reported success (status %d)" % run.status
    return "QEMU exited with unexpected status %d" % run.status


def judge_run(run, prefix=""):
    """Results for one kernel test boot: the leaf KTAP results, plus one
    failing result for the boot itself if it did not end as agreed."""
    report = parse_ktap(run.log)
    results = []
    for r in report.results:
        results.append(Result(prefix + r.name, r.ok, r.skip, r.diag, r.directive))
    all_ok = all(r.ok for r in report.results)
    clean = (run.status == KTEST_EXIT_STATUS_PASS and not run.timed_out and not report.problems
             and all_ok and report.results)
    if not clean:
        why = [describe_status(run)] + report.problems
        if run.status == KTEST_EXIT_STATUS_PASS and not all_ok:
            why.append("exit status says pass but KTAP has failures")
        if not report.results:
            why.append("no test results")
        # a failure already explained by a failing leaf needs no second entry,
        # unless the boot itself went wrong
        if run.status != KTEST_EXIT_STATUS_FAIL or report.problems or run.timed_out or all_ok:
            results.append(Result(prefix + "boot(" + run.name + ")", False,
                                  diag=why + ["last serial lines:"] + run.tail().splitlines()))
    return results
