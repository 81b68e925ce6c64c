#!/usr/bin/env bash
# Runs the leak-focused integration test binary (tests/leaks.rs) under valgrind memcheck and
# fails on any definite or indirect leak or memory error.
#
#   bash tests/valgrind.sh            # debug build, 2 iterations per loop (a few minutes)
#   DUCKDB_FFI_LEAK_ITERATIONS=20 bash tests/valgrind.sh
#   VALGRIND_PROFILE=release bash tests/valgrind.sh
#
# Extra valgrind flags can be passed in VALGRIND_FLAGS (for example --num-callers=40).
set -euo pipefail
cd "$(dirname "$0")/.."

export DUCKDB_FFI_CACHE_DIR="${DUCKDB_FFI_CACHE_DIR:-$HOME/.cache/duckdb-ffi}"
# valgrind runs the engine 30-50 times slower: keep the loops short.
export DUCKDB_FFI_LEAK_ITERATIONS="${DUCKDB_FFI_LEAK_ITERATIONS:-2}"

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

cargo_args=(test --test leaks --no-run --message-format=json)
case "${VALGRIND_PROFILE:-debug}" in
    debug) ;;
    release) cargo_args+=(--release) ;;
    *) echo "valgrind.sh: VALGRIND_PROFILE must be debug or release" >&2; exit 2 ;;
esac

# Build the test binary and find its path in cargo's JSON messages.
bin=$(cargo "${cargo_args[@]}" \
    | grep -o '"executable":"[^"]*/leaks-[^"]*"' | tail -n 1 | sed 's/^"executable":"//; s/"$//')
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "valgrind.sh: could not find the tests/leaks.rs binary in cargo's output" >&2
    exit 2
fi
echo "valgrind.sh: $bin (DUCKDB_FFI_LEAK_ITERATIONS=$DUCKDB_FFI_LEAK_ITERATIONS)"

# valgrind runs one thread at a time, so the tests are dealt round-robin to one valgrind
# process per core (VALGRIND_JOBS to choose), each checked on its own.
mapfile -t tests < <("$bin" --list --format terse | sed -n 's/: test$//p')
((${#tests[@]})) || { echo "valgrind.sh: the test binary lists no tests" >&2; exit 2; }
jobs="${VALGRIND_JOBS:-$(nproc)}"
((jobs >= 1)) || jobs=1
((jobs <= ${#tests[@]})) || jobs=${#tests[@]}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
for ((j = 0; j < jobs; j++)); do
    group=()
    for ((i = j; i < ${#tests[@]}; i += jobs)); do group+=("${tests[i]}"); done
    echo "valgrind.sh: process $((j + 1)) of $jobs runs: ${group[*]}"
    # shellcheck disable=SC2086 # VALGRIND_FLAGS is a list of flags
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
        --suppressions=tests/valgrind.supp ${VALGRIND_FLAGS:-} "$bin" --test-threads=1 --exact \
        "${group[@]}" >"$logs/$j.log" 2>&1 &
    pids+=($!)
done
status=0
for ((j = 0; j < jobs; j++)); do
    wait "${pids[j]}" || status=1
    echo "==== valgrind process $((j + 1)) of $jobs"
    cat "$logs/$j.log"
done
exit "$status"
