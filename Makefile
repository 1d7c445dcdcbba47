# Secundus - top-level Makefile.
#
#   make            build build/kernel.elf and build/secundus.iso
#   make run        boot the ISO in QEMU with the shell on this terminal
#   make test       host unit tests + kernel tests in QEMU; ends "N passed, N failed"
#   make gdb        QEMU halted with its gdbstub, GDB attached, hbreak on kmain
#   make bench      figures measured in QEMU (see docs/bench.md)
#   make clean
#
# Variables: CC=clang, CROSS=x86_64-elf-, SMP=4, MEM=128M, V=1 (show commands),
#            B=dir (build directory), GDB_PORT=1234 (make gdb), EXTRA_USER=dir,
#            KTEST_FAIL_DEMO=1 (enable the deliberately failing test),
#            SWAP=256M (size of the virtio disk $(B)/swap.img that make run
#            creates when it is missing - delete it to resize; make test
#            gives each test boot its own fresh disk, 64M unless SWAP= is
#            given on the command line), SWAP_MEM=32M and SWAP_SMP=2 (RAM
#            and CPU counts of make test's swap group: the suite "swap" under
#            memory pressure, docs/testing.md; SWAP_SMP=2,4 adds a 4.5-minute
#            boot at -smp 4, SWAP_SMP= skips the group).
# See docs/HACKING.md for how the build works.

CROSS ?=
ifeq ($(origin CC),default)
CC := $(CROSS)gcc
endif
NM ?= $(CROSS)nm
ifeq ($(origin NM),default)
NM := $(CROSS)nm
endif
HOSTCC ?= gcc
PYTHON ?= python3
SMP ?= 4
GDB_PORT ?= 1234
MEM ?= 128M
SWAP ?= 256M
SWAP_MEM ?= 32M
SWAP_SMP ?= 2
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

B ?= build
KERNEL := $(B)/kernel.elf
ISO := $(B)/secundus.iso
ISO_TEST := $(B)/secundus-test.iso
SWAP_IMG := $(B)/swap.img

KERNEL_SRCS := $(wildcard arch/x86_64/*.S arch/x86_64/*.c kernel/*.c kernel/*/*.c drivers/*/*.c)
KERNEL_OBJS := $(patsubst %,$(B)/obj/%.o,$(basename $(KERNEL_SRCS)))

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-common $(WARN) -I. -MMD -MP
KASFLAGS := -g -fno-pic -fno-pie -I. -MMD -MP -Wa,--noexecstack
KLDFLAGS := -nostdlib -static $(if $(findstring clang,$(CC)),,-no-pie) -Wl,-T,arch/x86_64/kernel.ld -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack

.DEFAULT_GOAL := all
# The user library, programs and the initrd ($(INITRD)): see user/user.mk.
include user/user.mk

.PHONY: all iso run test test-kvm gdb bench clean tools check-tools host-tests kernel
all: $(KERNEL) $(INITRD) $(ISO)
kernel: $(KERNEL)
iso: $(ISO)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Two links: the first one's text symbols become the symbol table of the
# second (tools/gensyms.sh). Text addresses do not move between the two
# because .text is laid out before the table.
$(B)/ksyms0.S:
	@mkdir -p $(B)
	$(Q)sh tools/gensyms.sh $(NM) > $@
$(B)/%.o: $(B)/%.S
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# The list of objects, rewritten only when it changes: deleting (or adding)
# a source relinks the kernel even though no remaining object is newer.
KERNEL_OBJ_LIST := $(B)/kernel.objs
$(KERNEL_OBJ_LIST): .kernel-objs-force
	@mkdir -p $(B)
	@echo $(KERNEL_OBJS) | tr ' ' '\n' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
.PHONY: .kernel-objs-force

$(KERNEL): $(KERNEL_OBJS) $(B)/ksyms0.o $(KERNEL_OBJ_LIST) arch/x86_64/kernel.ld tools/gensyms.sh
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(KLDFLAGS) -o $(B)/kernel.pass1.elf $(KERNEL_OBJS) $(B)/ksyms0.o
	$(Q)sh tools/gensyms.sh $(NM) $(B)/kernel.pass1.elf > $(B)/ksyms1.S
	$(Q)$(CC) $(KASFLAGS) -c $(B)/ksyms1.S -o $(B)/ksyms1.o
	$(Q)$(CC) $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(B)/ksyms1.o
	$(Q)sh tools/gensyms.sh $(NM) $@ | cmp -s - $(B)/ksyms1.S || \
		{ echo "error: symbol addresses moved between links (see Makefile)"; rm -f $@; exit 1; }

$(ISO): $(KERNEL) $(INITRD) iso/boot/grub/grub.cfg
	@$(if $(Q),echo "  ISO     $@")
	$(Q)rm -rf $(B)/isodir && mkdir -p $(B)/isodir/boot/grub
	$(Q)cp iso/boot/grub/grub.cfg $(B)/isodir/boot/grub/ && cp $(KERNEL) $(B)/isodir/boot/kernel.elf
	$(Q)cp $(INITRD) $(B)/isodir/boot/initrd
	$(Q)grub-mkrescue -d /usr/lib/grub/i386-pc -o $@ $(B)/isodir \
		--install-modules="multiboot2 normal serial terminal iso9660 biosdisk" \
		--fonts= --locales= --themes= >$(B)/grub-mkrescue.log 2>&1 || { cat $(B)/grub-mkrescue.log; exit 1; }

# The same ISO with the test entry as default: the harness boots it once.
$(ISO_TEST): $(KERNEL) $(INITRD) iso/boot/grub/grub.cfg
	$(Q)rm -rf $(B)/isodir-test && mkdir -p $(B)/isodir-test/boot/grub
	$(Q)sed 's/^set default=0/set default=1/' iso/boot/grub/grub.cfg > $(B)/isodir-test/boot/grub/grub.cfg
	$(Q)cp $(KERNEL) $(B)/isodir-test/boot/kernel.elf
	$(Q)cp $(INITRD) $(B)/isodir-test/boot/initrd
	$(Q)grub-mkrescue -d /usr/lib/grub/i386-pc -o $@ $(B)/isodir-test \
		--install-modules="multiboot2 normal serial terminal iso9660 biosdisk" \
		--fonts= --locales= --themes= >$(B)/grub-mkrescue-test.log 2>&1 || { cat $(B)/grub-mkrescue-test.log; exit 1; }

# ---------------------------------------------------------------- tools
check-tools:
	$(Q)sh tools/ensure-tools.sh

# ---------------------------------------------------------------- host unit tests
# Each tests/host/*.c not named host_* is a test program printing KTAP
# (tests/host/host_ktap.h). It links against $(B)/host/libhost.a: the kernel's
# pure-logic sources (HOST_LIB) and the host shims (tests/host/host_*.c); the
# linker takes from the archive only what a test uses. Kernel sources are
# compiled with tests/host/host_rename.h force-included, so their memcpy,
# snprintf, ... become k_memcpy, k_snprintf, ... and leave the C library and
# the sanitizer runtime alone. Use another B= when switching HOSTCC.
HOSTAR ?= ar
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -I. \
	-DSECUNDUS_HOST -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_TESTS := $(patsubst tests/host/%.c,$(B)/host/%,$(filter-out tests/host/host_%.c,$(wildcard tests/host/*.c)))
# Kernel sources the host tests may use (pure logic only). A test that uses
# paging.c or mmu_gather.c provides what they call (pt_alloc_table, put_page,
# tlb_flush_cpus, ...) itself: see tests/host/test_paging.c, test_mmu_gather.c.
HOST_LIB := kernel/mm/buddy.c kernel/mm/kmalloc.c kernel/lib/format.c kernel/lib/string.c \
	arch/x86_64/paging.c kernel/mm/mmu_gather.c kernel/mm/swap_slots.c
HOST_SHIMS := $(wildcard tests/host/host_*.c)
HOST_LIB_OBJS := $(patsubst %.c,$(B)/host/obj/%.o,$(HOST_LIB) $(HOST_SHIMS))
HOST_TEST_OBJS := $(patsubst $(B)/host/%,$(B)/host/obj/tests/host/%.o,$(HOST_TESTS))
HOST_ARCHIVE := $(B)/host/libhost.a

$(B)/host/obj/kernel/%.o: kernel/%.c tests/host/host_rename.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -include tests/host/host_rename.h -c $< -o $@

$(B)/host/obj/arch/%.o: arch/%.c tests/host/host_rename.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -include tests/host/host_rename.h -c $< -o $@

$(B)/host/obj/tests/host/%.o: tests/host/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_ARCHIVE): $(HOST_LIB_OBJS)
	$(Q)rm -f $@ && $(HOSTAR) rcs $@ $^

$(HOST_TESTS): $(B)/host/%: $(B)/host/obj/tests/host/%.o $(HOST_ARCHIVE)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

host-tests: $(HOST_TESTS)
-include $(patsubst %.o,%.d,$(HOST_LIB_OBJS) $(HOST_TEST_OBJS))

# ---------------------------------------------------------------- run, test, debug
# The swap disk: a sparse raw image, made only when missing (its contents persist).
$(SWAP_IMG):
	@mkdir -p $(B)
	$(Q)truncate -s $(SWAP) $@

run: check-tools $(ISO) $(SWAP_IMG)
	$(Q)SMP=$(SMP) MEM=$(MEM) DISK=$(SWAP_IMG) $(PYTHON) tools/run.py $(ISO)

test: check-tools $(KERNEL) $(INITRD) $(ISO) $(ISO_TEST) host-tests
	$(Q)$(PYTHON) tools/testall.py --kernel $(KERNEL) --initrd $(INITRD) --iso $(ISO_TEST) --run-iso $(ISO) --mem $(MEM) \
		--swap-mem $(SWAP_MEM) --swap-smp "$(SWAP_SMP)" --host-tests "$(HOST_TESTS)" $(if $(filter 1,$(KTEST_FAIL_DEMO)),--fail-demo) \
		$(if $(filter command line,$(origin SWAP)),--disk-size $(SWAP))

# The SMP suites under KVM (-accel kvm -cpu host), where /dev/kvm is usable.
# Not part of make test: on some hosts KVM is a slow software implementation.
test-kvm: check-tools $(KERNEL) $(INITRD) $(ISO) $(ISO_TEST)
	$(Q)if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then \
		SECUNDUS_ACCEL=kvm KTEST_TIMEOUT=900 $(PYTHON) tools/testall.py --kernel $(KERNEL) --initrd $(INITRD) \
			--iso $(ISO_TEST) --mem $(MEM) --only kernel --smp 1,4; \
	else \
		echo "make test-kvm: /dev/kvm is missing or not accessible here: nothing run (use make test)"; \
	fi

gdb: check-tools $(KERNEL) $(INITRD)
	$(Q)B=$(B) GDB_PORT=$(GDB_PORT) SMP=$(SMP) MEM=$(MEM) INITRD=$(INITRD) sh tools/gdb.sh $(KERNEL)

bench: check-tools $(KERNEL) $(INITRD) $(ISO)
	$(Q)$(PYTHON) tools/bench.py --kernel $(KERNEL) --initrd $(INITRD) --iso $(ISO) --swap-mem $(SWAP_MEM)

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
