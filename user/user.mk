# user/user.mk - the user library, the user programs and the initrd.
# Included by the top Makefile; uses its B, CC, CROSS, Q, HOSTCC.
#
#   make user           the library and every user program
#   make initrd         $(B)/initrd.tar: the programs as a ustar archive
#   make user-linux     tests and benchmarks built for Linux (host gcc, glibc)
#                       into $(B)/linux/; run them with tools/run_linux_tests.sh
#
# Variables:
#   EXTRA_USER=dir      also build every dir/*.c as a program (extra/NAME)
#   USER_AR             archiver for the library (default $(CROSS)ar)
#
# Layout of the output:
#   $(B)/user/obj/...           objects (+ .d dependency files)
#   $(B)/user/libsecundus.a     the library (user/lib + kernel/lib/{format,string}.c)
#   $(B)/user/crt0.o            the entry point, linked first into every program
#   $(B)/user/bin/NAME          from user/bin/NAME.c      initrd member bin/NAME
#   $(B)/user/test/NAME         from user/tests/NAME.c    initrd member test/NAME
#   $(B)/user/bench/NAME        from user/bench/NAME.c    initrd member bench/NAME
#   $(B)/user/swap/NAME         from user/swaptests/NAME.c initrd member swap/NAME
#                               (suite "swap": only with test=swap, docs/testing.md)
#   $(B)/user/extra/NAME        from $(EXTRA_USER)/NAME.c initrd member extra/NAME
#   $(B)/initrd.tar
#   $(B)/linux/test/NAME, $(B)/linux/bench/NAME   (make user-linux)

UB := $(B)/user
USER_AR ?= $(if $(filter default undefined,$(origin AR)),$(CROSS)ar,$(AR))

# The compiler's own headers (stddef.h, stdint.h, stdarg.h, stdbool.h) and
# ours; nothing from the host's /usr/include.
USER_CC_INCLUDE := $(shell $(CC) -print-file-name=include)
USER_LIBGCC := $(shell $(CC) -print-libgcc-file-name)

# -mgeneral-regs-only: no SSE/x87 in user code, so printf has no %f.
USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(USER_CC_INCLUDE) -Iuser/include -Ikernel/uapi \
	-fno-pic -fno-pie -fno-stack-protector -fcf-protection=none -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -D__secundus__ -MMD -MP
USER_ASFLAGS := -g -fno-pic -fno-pie -Iuser/include -Ikernel/uapi -D__secundus__ \
	-Wa,--noexecstack -MMD -MP
# -static alone makes a position-dependent EXEC with gcc and clang (gcc's
# default PIE is off for -static; clang warns that -no-pie is unused).
USER_LDFLAGS := -nostdlib -static -Wl,-T,user/user.ld -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-z,max-page-size=0x1000

# The library: user/lib plus the kernel's formatting and string code, shared
# as source (not copied).
USER_LIB_SRCS := $(filter-out user/lib/crt0.S,$(wildcard user/lib/*.c user/lib/*.S)) \
	kernel/lib/format.c kernel/lib/string.c
USER_LIB_OBJS := $(patsubst %,$(UB)/obj/%.o,$(basename $(USER_LIB_SRCS)))
USER_LIB := $(UB)/libsecundus.a
USER_CRT0 := $(UB)/crt0.o

EXTRA_USER_DIR := $(patsubst %/,%,$(EXTRA_USER))
USER_BIN := $(patsubst user/bin/%.c,$(UB)/bin/%,$(wildcard user/bin/*.c))
USER_TEST := $(patsubst user/tests/%.c,$(UB)/test/%,$(wildcard user/tests/*.c))
USER_BENCH := $(patsubst user/bench/%.c,$(UB)/bench/%,$(wildcard user/bench/*.c))
USER_SWAPTEST := $(patsubst user/swaptests/%.c,$(UB)/swap/%,$(wildcard user/swaptests/*.c))
USER_EXTRA := $(if $(EXTRA_USER_DIR),$(patsubst $(EXTRA_USER_DIR)/%.c,$(UB)/extra/%,$(wildcard $(EXTRA_USER_DIR)/*.c)))
USER_PROGS := $(USER_BIN) $(USER_TEST) $(USER_BENCH) $(USER_SWAPTEST) $(USER_EXTRA)
USER_PROG_OBJS := $(patsubst $(UB)/%,$(UB)/obj/prog/%.o,$(USER_PROGS))

INITRD := $(B)/initrd.tar
INITRD_MEMBERS := $(sort $(patsubst $(UB)/%,%,$(USER_PROGS)))

ifneq ($(EXTRA_USER_DIR),)
ifeq ($(USER_EXTRA),)
$(warning EXTRA_USER=$(EXTRA_USER): no .c files there)
endif
endif

.PHONY: user initrd user-linux .user-force
user: $(USER_PROGS)
initrd: $(INITRD)

# ---------------------------------------------------------------- library
$(UB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(UB)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UAS     $<")
	$(Q)$(CC) $(USER_ASFLAGS) -c $< -o $@

# kernel/lib sources include "kernel/lib/...": they need the top directory.
$(UB)/obj/kernel/lib/%.o: USER_CFLAGS += -I.

$(USER_CRT0): $(UB)/obj/user/lib/crt0.o
	$(Q)cp $< $@

$(USER_LIB): $(USER_LIB_OBJS)
	@$(if $(Q),echo "  UAR     $@")
	$(Q)rm -f $@ && $(USER_AR) rcs $@ $^

# ---------------------------------------------------------------- programs
# Each program is one .c file; its object goes under obj/prog/<category>/.
$(UB)/obj/prog/bin/%.o: user/bin/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(UB)/obj/prog/test/%.o: user/tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(UB)/obj/prog/bench/%.o: user/bench/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(UB)/obj/prog/swap/%.o: user/swaptests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

ifneq ($(EXTRA_USER_DIR),)
$(UB)/obj/prog/extra/%.o: $(EXTRA_USER_DIR)/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(CC) $(USER_CFLAGS) -I$(EXTRA_USER_DIR) -c $< -o $@
endif

$(USER_PROGS): $(UB)/%: $(UB)/obj/prog/%.o $(USER_CRT0) $(USER_LIB) user/user.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  ULD     $@")
	$(Q)$(CC) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_LIB) $(USER_LIBGCC)

# ---------------------------------------------------------------- initrd
# The member list is a file rewritten only when it changes, so adding or
# removing a program (or changing EXTRA_USER) rebuilds the archive.
$(UB)/initrd.list: .user-force
	@mkdir -p $(dir $@)
	@echo $(INITRD_MEMBERS) | tr ' ' '\n' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
.user-force:

$(INITRD): $(USER_PROGS) $(UB)/initrd.list
	@$(if $(Q),echo "  TAR     $@")
	$(Q)tar --format=ustar --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=0755 \
		-C $(UB) -cf $@ $(INITRD_MEMBERS)

# ---------------------------------------------------------------- Linux reference
# The same test and benchmark sources against glibc, to check that what
# they expect is what Linux does.
LINUX_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread -MMD -MP
LINUX_TEST := $(patsubst user/tests/%.c,$(B)/linux/test/%,$(wildcard user/tests/*.c))
LINUX_BENCH := $(patsubst user/bench/%.c,$(B)/linux/bench/%,$(wildcard user/bench/*.c))

user-linux: $(LINUX_TEST) $(LINUX_BENCH)

$(B)/linux/test/%: user/tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(LINUX_CFLAGS) -o $@ $<

$(B)/linux/bench/%: user/bench/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(LINUX_CFLAGS) -o $@ $<

-include $(USER_LIB_OBJS:.o=.d) $(UB)/obj/user/lib/crt0.d $(USER_PROG_OBJS:.o=.d) \
	$(LINUX_TEST:=.d) $(LINUX_BENCH:=.d)
