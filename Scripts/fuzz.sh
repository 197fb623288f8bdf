#!/usr/bin/env bash
# Builds the libFuzzer package in Fuzz/ and runs every fuzz target for SECONDS each (default 60), one after another.
# Prints each target's executions and executions per second; exits non-zero when any target found a crash, a
# timeout (an input slower than 10 s), a leak or an out-of-memory (its reproducer is then in Fuzz/artifacts/).
#
#   bash Scripts/fuzz.sh            # 60 s per target
#   bash Scripts/fuzz.sh 600        # longer
#   bash Scripts/fuzz.sh 30 JSONFuzz TokenizerFuzz   # some targets only
#
# Corpora: Fuzz/corpus/<Target>/ (git-ignored; what the fuzzer learns, kept between runs) plus the committed seeds in
# Fuzz/Seeds/<Target>/ and, for the safetensors and JSON targets, the test fixtures read in place (no copying, so two
# fixtures with one name cannot overwrite each other).
set -uo pipefail
cd "$(dirname "$0")/../Fuzz"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(SafeTensorsFuzz JSONFuzz TokenizerFuzz TokenizerFilesFuzz CorpusFuzz ModelConfigFuzz)
fi

# Optimised (-O keeps Swift's bounds and overflow checks and our preconditions; the harnesses use no `assert`): 3-4x
# the executions per second of a debug build. -enable-testing: the harnesses reach internal parsers (@testable).
build=(swift build -c release -Xswiftc -enable-testing --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
mkdir -p artifacts
# The linker's "Cannot export local symbol '__asan_…'" warnings are noise; the log keeps them.
if ! "${build[@]}" >artifacts/build.log 2>&1; then
    grep -v "Cannot export local symbol" artifacts/build.log >&2
    echo "fuzz.sh: build failed (Fuzz/artifacts/build.log)" >&2
    exit 2
fi
bin=$("${build[@]}" --show-bin-path)

# Seeds, dictionary and maximum input length of each target.
seeds_of() {
    case $1 in
        SafeTensorsFuzz) echo "../Tests/AttentionSafeTensorsTests/Fixtures/good ../Tests/AttentionSafeTensorsTests/Fixtures/bad" ;;
        JSONFuzz) echo "Seeds/JSONFuzz ../Tests/AttentionTextTests/Fixtures ../Tests/AttentionModelsTests/Fixtures" ;;
        *) echo "Seeds/$1" ;;
    esac
}
options_of() {
    case $1 in
        SafeTensorsFuzz) echo "-dict=safetensors.dict -max_len=4096" ;;
        TokenizerFuzz) echo "-max_len=1024" ;;
        CorpusFuzz) echo "-max_len=2048" ;;
        *) echo "-dict=json.dict -max_len=4096" ;;
    esac
}

failed=()
printf '%-20s %12s %10s %8s  %s\n' target executions exec/s seconds result | tee artifacts/summary.txt
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="artifacts/$t.log"
    start=$(date +%s)
    # The Swift backtracer would spend minutes symbolicating a crash; libFuzzer's own report is enough.
    # shellcheck disable=SC2046
    SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$PWD/lsan.supp:print_suppressions=0" "$bin/$t" "corpus/$t" $(seeds_of "$t") $(options_of "$t") \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t-" >"$log" 2>&1
    rc=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    result=ok
    if [ "$rc" -ne 0 ]; then
        result="FAILED (exit $rc): $(grep -m1 -E 'ERROR: |SUMMARY: |==[0-9]+==|Fatal error|property violated' "$log" || echo 'see log')"
        failed+=("$t")
    fi
    printf '%-20s %12s %10s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$elapsed" "$result" | tee -a artifacts/summary.txt
done
echo "logs and reproducers: Fuzz/artifacts/ (summary.txt)"
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz.sh: failures in ${failed[*]}" >&2
    exit 1
fi
