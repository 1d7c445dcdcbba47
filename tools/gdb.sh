#!/bin/sh
# gdb.sh KERNEL - `make gdb`: QEMU halted with its gdbstub on :1234, GDB attached.
# QEMU's serial console goes to build/gdb-serial.log (tail -f it in another terminal).
set -eu
kernel=$1
qemu-system-x86_64 -display none -no-reboot -monitor none -serial file:build/gdb-serial.log \
	-m "${MEM:-128M}" -smp "${SMP:-1}" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" ${INITRD:+-initrd "$INITRD"} -append "${APPEND:-}" -s -S &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT INT TERM
echo "QEMU started halted (pid $qemu); serial output in build/gdb-serial.log"
gdb -q "$kernel" -x tools/gdb/secundus.gdb
