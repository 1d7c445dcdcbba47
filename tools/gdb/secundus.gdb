# secundus.gdb - what `make gdb` runs in GDB (tools/gdb.sh).
# The kernel ELF is 64-bit, so GDB picks i386:x86-64 by itself; never
# `set architecture i386` (that causes "Remote 'g' packet reply is too long").
source tools/gdb/secundus.py
set pagination off
set confirm off
# QEMU's gdbstub port: $GDB_PORT (tools/gdb.sh sets it), default 1234.
python
import os
gdb.execute("target remote localhost:%s" % os.environ.get("GDB_PORT", "1234"))
end
# A hardware breakpoint: the higher-half address is not mapped until boot.S
# turns paging on, so a software breakpoint could not be written there yet.
hbreak kmain
continue
