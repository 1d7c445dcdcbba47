#!/bin/sh
# gdb.sh KERNEL - `make gdb`: QEMU halted with its gdbstub, GDB attached and
# stopped at a hardware breakpoint on kmain (tools/gdb/secundus.gdb).
#
# Environment (the Makefile passes them):
#   B         build directory: the serial log goes to $B/gdb-serial.log
#             (default: the kernel's directory)
#   GDB_PORT  TCP port of QEMU's gdbstub (default 1234); choose another when
#             someone else on this machine already runs `make gdb`
#   SMP, MEM, INITRD, APPEND, QEMU   as for make run / make test
set -eu
kernel=$1
bdir=${B:-$(dirname "$kernel")}
port=${GDB_PORT:-1234}
log=$bdir/gdb-serial.log
qemu_bin=${QEMU:-qemu-system-x86_64}

# QEMU listens on every interface (like -s): refuse a port that is taken,
# or GDB would attach to somebody else's QEMU.
if ! python3 -c 'import socket, sys
s = socket.socket()
s.bind(("", int(sys.argv[1])))' "$port" 2>/dev/null; then
	echo "make gdb: TCP port $port is in use (another make gdb?); try: make gdb GDB_PORT=$((port + 1))" >&2
	exit 1
fi

mkdir -p "$bdir"
"$qemu_bin" -display none -no-reboot -monitor none -serial "file:$log" \
	-m "${MEM:-128M}" -smp "${SMP:-1}" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$kernel" ${INITRD:+-initrd "$INITRD"} -append "${APPEND:-}" \
	-gdb "tcp::$port" -S &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT INT TERM
echo "QEMU started halted (pid $qemu), gdbstub on port $port; serial output in $log"
GDB_PORT=$port gdb -q "$kernel" -x tools/gdb/secundus.gdb
