#!/bin/sh
# ensure-tools.sh - make sure the tools `make run/test/gdb` need are here.
# Missing ones are installed from Debian when running as root; otherwise
# this stops with the exact apt-get line to run.
set -eu
PKGS="qemu-system-x86 grub-pc-bin grub-common xorriso mtools gdb python3 gcc"
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need qemu-system-x86_64 qemu-system-x86
need grub-mkrescue grub-common
[ -d /usr/lib/grub/i386-pc ] || missing="$missing grub-pc-bin"
need xorriso xorriso
need mformat mtools
need gdb gdb
need python3 python3
need gcc gcc
[ -z "$missing" ] && exit 0
echo "Missing tools:$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing: apt-get install -y $PKGS"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
	exit 0
fi
echo "Please run:  sudo apt-get update && sudo apt-get install -y $PKGS" >&2
exit 1
