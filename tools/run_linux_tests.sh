#!/bin/sh
# run_linux_tests.sh - run the user tests built for Linux (make user-linux)
# and print one PASS/FAIL line per test, then "N passed, N failed".
#
#   sh tools/run_linux_tests.sh [DIR] [--bench]
#
# DIR is the $(B)/linux directory (default build/linux). A test passes when
# it exits 0 within the time limit (TEST_TIMEOUT seconds, default 120); the
# output of a failing test is shown. --bench also runs every benchmark in
# DIR/bench and prints its BENCH lines. Exit status: 0 if all passed.
dir=build/linux
bench=0
for a in "$@"; do
	case "$a" in
	--bench) bench=1 ;;
	*) dir=$a ;;
	esac
done
timeout_s=${TEST_TIMEOUT:-120}
if [ ! -d "$dir/test" ]; then
	echo "run_linux_tests: no $dir/test (run: make user-linux B=...)" >&2
	exit 2
fi
ulimit -c 0 2>/dev/null        # the kill tests crash children on purpose: no core files
have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
log=$(mktemp "${TMPDIR:-/tmp}/run_linux_tests.XXXXXX")
trap 'rm -f "$log"' EXIT INT TERM
pass=0
fail=0
for t in "$dir"/test/*; do
	case "$t" in *.d) continue ;; esac
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	if [ $have_timeout = 1 ]; then
		timeout "$timeout_s" "$t" >"$log" 2>&1 </dev/null
	else
		"$t" >"$log" 2>&1 </dev/null
	fi
	rc=$?
	if [ $rc = 0 ]; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		[ $rc = 124 ] && why="timed out after ${timeout_s}s" || why="exit status $rc"
		echo "FAIL $name ($why)"
		sed 's/^/    /' "$log"
		fail=$((fail + 1))
	fi
done
if [ $bench = 1 ]; then
	for b in "$dir"/bench/*; do
		case "$b" in *.d) continue ;; esac
		[ -f "$b" ] && [ -x "$b" ] || continue
		echo "== bench $(basename "$b")"
		"$b" </dev/null || { echo "FAIL bench $(basename "$b")"; fail=$((fail + 1)); }
	done
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
