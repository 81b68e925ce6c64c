#!/usr/bin/env bash
# Proves that Miri, running the safe layer's unit tests against the model of the C API
# (tests/miri_model), catches ownership bugs: each test in safe::tests::miri_must_fail
# injects one bug on purpose and must make Miri fail with the expected message.
#
# Usage: tests/miri_must_fail.sh   (needs: rustup +nightly component add miri rust-src)
set -uo pipefail
cd "$(dirname "$0")/.."
export DUCKDB_FFI_CACHE_DIR="${DUCKDB_FFI_CACHE_DIR:-$HOME/.cache/duckdb-ffi}"

# test name (under safe::tests::miri_must_fail, or a path under safe::) | text Miri (or the
# model) must print
cases=(
  "leak_a_result|error: memory leaked"
  "double_destroy_a_chunk|duckdb_destroy_data_chunk: data chunk"
  "read_past_the_chunk_size|going beyond the bounds of its allocation"
  "use_a_vector_after_its_chunk|is not live: it was destroyed already"
  "tests::functions::miri_must_fail::skip_a_destroy_callback|error: memory leaked"
  "tests::arrow::miri_must_fail::forget_to_release_an_array|error: memory leaked"
  "tests::arrow::miri_must_fail::release_an_array_twice|is not live: it was destroyed already"
)

status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for case in "${cases[@]}"; do
  name=${case%%|*}
  expected=${case#*|}
  case $name in
    *::*) path="safe::$name" ;;
    *) path="safe::tests::miri_must_fail::$name" ;;
  esac
  cargo +nightly miri test -q --lib -- --ignored --exact "$path" >"$log" 2>&1
  code=$?
  if [ "$code" -ne 0 ] && grep -qF -- "$expected" "$log"; then
    echo "ok: $name: Miri failed (exit $code) with: $(grep -F -m1 -- "$expected" "$log")"
  else
    echo "FAIL: $name: expected a Miri failure containing '$expected' (exit $code); output:"
    tail -40 "$log"
    status=1
  fi
done
exit $status
