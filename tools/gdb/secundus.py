"""secundus.py - GDB commands for Secundus (loaded by `make gdb`).

  sec-pmm              the page allocator: total and free pages, free blocks per order
  sec-ktests           every KTEST in the image, by suite
  sec-ps               the processes (all_procs) and their threads
  sec-vmstat           the virtual-memory event counters (the `vmstat` global)
  sec-bt-symbols ADDR...  name+offset of addresses, as the kernel's own
                       symbol table (ksym_lookup) prints them, and the
                       source line from GDB's debug information

They only read kernel memory, so they work wherever the kernel is
stopped (and sec-ktests, sec-bt-symbols also without a running target).
Add a command: subclass gdb.Command below, with a docstring (that is its
help), and instantiate it at the end of the file.
"""
import re

import gdb

KERNEL_VMA = 0xffffffff80000000     # arch/x86_64/boot_defs.h

def _int(expr):
    return int(gdb.parse_and_eval(expr))


def _container(ptr, typename, field):
    """The struct typename that holds the list_head ptr in its member field."""
    t = gdb.lookup_type(typename)
    off = [f for f in t.fields() if f.name == field][0].bitpos // 8
    return gdb.Value(int(ptr) - off).cast(t.pointer())


def _list(head_expr, typename, field, limit=100000):
    """Walk a struct list_head (kernel/lib/list.h), yielding typename pointers."""
    head = gdb.parse_and_eval(head_expr)
    head_addr = int(head.address)
    pos = head["next"]
    n = 0
    while int(pos) != head_addr and n < limit:
        yield _container(pos, typename, field)
        pos = pos["next"]
        n += 1


class SecPmm(gdb.Command):
    """Show the physical page allocator: total/free pages and free blocks per order."""

    def __init__(self):
        super().__init__("sec-pmm", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        b = gdb.parse_and_eval("buddy")
        total = int(gdb.parse_and_eval("total_pages"))
        free = int(b["free_pages"])
        print("pages: %d total, %d free, %d used" % (total, free, total - free))
        orders = int(gdb.parse_and_eval("sizeof(buddy.nfree)/sizeof(buddy.nfree[0])"))
        counts = [int(b["nfree"][k]) for k in range(orders)]
        print("free blocks by order: " + " ".join("%d:%d" % (k, c) for k, c in enumerate(counts)))
        print("struct page array at %s for %d frames" % (b["pages"], int(b["npages"])))


class SecKtests(gdb.Command):
    """List the kernel tests compiled into the image (the `ktests` section)."""

    def __init__(self):
        super().__init__("sec-ktests", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        start = gdb.parse_and_eval("(struct ktest *)ktests_start")
        end = gdb.parse_and_eval("(struct ktest *)ktests_end")
        n = int(end - start)
        for i in range(n):
            t = start[i]
            print("%s.%s" % (t["suite"].string(), t["name"].string()))
        print("%d tests" % n)


class SecPs(gdb.Command):
    """List the processes (kernel/proc/proc.c all_procs) and their threads.

One line per process: pid, state (ALIVE or ZOMBIE), live threads, parent
pid, name, and "killed" if it is being killed; then one line per thread
of it: tid, scheduler state, the CPU it runs or last ran on."""

    def __init__(self):
        super().__init__("sec-ps", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        n = 0
        print("%5s %-7s %5s %6s  %s" % ("PID", "STATE", "LIVE", "PARENT", "NAME"))
        for p in _list("all_procs", "struct proc", "all_link"):
            state = str(p["state"]).replace("P_", "")
            parent = int(p["parent"])
            ppid = str(int(p["parent"]["pid"])) if parent else "-"
            killed = "  killed (signal %d)" % int(p["kill_signal"]) if bool(p["killed"]) else ""
            print("%5d %-7s %5d %6s  %s%s" % (int(p["pid"]), state, int(p["live_threads"]), ppid,
                                           p["name"].string(), killed))
            for t in _list("((struct proc *)%d)->threads" % int(p), "struct thread", "proc_link"):
                print("        tid %-5d %-10s cpu %d" % (int(t["tid"]), str(t["state"]).replace("T_", ""),
                                                     int(t["cpu"])))
            n += 1
        print("%d process(es)" % n)


class SecVmstat(gdb.Command):
    """Show the virtual-memory event counters (the kernel's `vmstat` global, as the shell's `vmstat`).

free_pages and total_pages are filled in only in snapshots; here they are
read from the page allocator instead."""

    def __init__(self):
        super().__init__("sec-vmstat", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        v = gdb.parse_and_eval("vmstat")
        live = {"free_pages": lambda: _int("buddy.free_pages"), "total_pages": lambda: _int("total_pages")}
        for f in v.type.strip_typedefs().fields():
            value = live[f.name]() if f.name in live else int(v[f.name])
            print("  %-24s %d" % (f.name, value))


class SecBtSymbols(gdb.Command):
    """Name addresses: sec-bt-symbols ADDR...

Each ADDR is an expression ($pc, 0xffffffff8010d5b0, a variable) or a
bare hex number. When the arguments contain "[<hex>]", only those are
read, so lines of a backtrace copied from a panic report can be pasted. For each address prints
name+offset from the kernel's own symbol table (what ksym_lookup and the
panic report print; "?" when it is not kernel text) and the source line
from GDB's debug information."""

    def __init__(self):
        super().__init__("sec-bt-symbols", gdb.COMMAND_USER)

    @staticmethod
    def kernel_lookup(addr):
        """ksym_lookup(): binary search in the table tools/gensyms.sh generated."""
        count = _int("*(unsigned long *)&ksym_count")
        text = (_int("(unsigned long)&kernel_text_start"), _int("(unsigned long)&kernel_text_end"))
        boot = (_int("(unsigned long)&kernel_phys_start"), text[0] - KERNEL_VMA)    # boot.S, linked low
        if count == 0 or not (text[0] <= addr < text[1] or boot[0] <= addr < boot[1]):
            return None

        def at(i):
            return _int("((unsigned long *)&ksym_addrs)[%d]" % i)

        if addr < at(0):
            return None
        lo, hi = 0, count
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if at(mid) <= addr:
                lo = mid
            else:
                hi = mid
        name_off = _int("((unsigned int *)&ksym_name_offsets)[%d]" % lo)
        name = gdb.parse_and_eval("(char *)&ksym_names + %d" % name_off).string()
        return name, addr - at(lo)

    def invoke(self, arg, from_tty):
        pasted = re.findall(r"\[<([0-9a-fA-F]+)>\]", arg)     # lines of a panic report
        tokens = ["0x" + t for t in pasted] if pasted else [t for t in re.split(r"[\s,]+", arg) if t]
        if not tokens:
            raise gdb.GdbError("usage: sec-bt-symbols ADDR... (e.g. sec-bt-symbols $pc)")
        for tok in tokens:
            if re.fullmatch(r"[0-9a-fA-F]{9,16}", tok):
                tok = "0x" + tok
            addr = int(gdb.parse_and_eval(tok).cast(gdb.lookup_type("unsigned long"))) & (2**64 - 1)
            k = self.kernel_lookup(addr)
            kname = "%s+0x%x" % k if k else "?"
            sal = gdb.find_pc_line(addr)
            where = "%s:%d" % (sal.symtab.filename, sal.line) if sal.symtab and sal.line else ""
            if not k and not where:
                info = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
                where = "" if info.startswith("No symbol") else "(GDB: %s)" % info
            print("[<%016x>] %-40s %s" % (addr, kname, where))


SecPmm()
SecKtests()
SecPs()
SecVmstat()
SecBtSymbols()
