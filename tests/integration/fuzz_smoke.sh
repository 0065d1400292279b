# A few seconds of libFuzzer (ASan+UBSan) on every reader of data rwshim does not control:
# the shared index, the upper's version/index/lock files, the event stream, --from traces and
# knowledge-base files (tests/fuzz/fuzz_*.c). This is the CI smoke; long runs are `make fuzz
# FUZZ_SECONDS=N`. Each target starts from its seeds, which include inputs that crashed
# before their fix (e.g. an index whose header another process rewrote), so a regression of
# those fails here. Not an unprivileged-user test: the targets call the readers directly.
. "$(dirname "$0")/../lib.sh"
need_cmd clang make
# The targets carry clang's own ASan runtime: gcc's libasan, preloaded by lib.sh for the
# sanitized suite, must not be loaded into them.
unset LD_PRELOAD
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$T/probe.c"
clang -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" 2>/dev/null || skip "clang has no libFuzzer/ASan runtime here"
out=$(make -s -C "$RWSHIM_SRC" fuzz FUZZ_SECONDS="${FUZZ_SMOKE_SECONDS:-3}" 2>&1) || fail "a fuzz target crashed: $(tail -n 40 <<<"$out")"
for t in "$RWSHIM_SRC"/tests/fuzz/fuzz_*.c; do
  n=$(basename "$t" .c)
  assert_contains "$out" "$n: " "no result for $n"
done
grep ' runs, no crash' <<<"$out" | sed 's/^/# /'
echo ok
