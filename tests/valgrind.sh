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

# shellcheck disable=SC2086 # VALGRIND_FLAGS is a list of flags
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
    --suppressions=tests/valgrind.supp ${VALGRIND_FLAGS:-} "$bin" --test-threads=1
