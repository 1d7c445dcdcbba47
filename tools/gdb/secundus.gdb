# secundus.gdb - what `make gdb` runs in GDB.
# The kernel ELF is 64-bit, so GDB picks i386:x86-64 by itself; never
# `set architecture i386` (that causes "Remote 'g' packet reply is too long").
source tools/gdb/secundus.py
set pagination off
set confirm off
target remote localhost:1234
# A hardware breakpoint: the higher-half address is not mapped until boot.S
# turns paging on, so a software breakpoint could not be written there yet.
hbreak kmain
continue
