/* Shared helpers of the C reference benchmarks (bench/c): timing, error checks, output.
 *
 * Every program takes the number of runs as its first argument, runs its workload that many
 * times and prints one line per run:
 *
 *     RESULT <workload> <seconds> <check>
 *
 * <check> is a value computed from the data the run read or wrote; bench/compare checks that
 * the C, Rust and duckdb-rs programs agree on it, so a faster run that skipped work shows up.
 */
#ifndef DUCKDB_FFI_BENCH_H
#define DUCKDB_FFI_BENCH_H

#include "duckdb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_die(const char *what, const char *detail) {
    fprintf(stderr, "error: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static inline int bench_runs(int argc, char **argv, int fallback) {
    if (argc < 2) {
        return fallback;
    }
    char *end = NULL;
    long runs = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || runs < 1 || runs > 100000) {
        bench_die("the first argument must be a run count between 1 and 100000", argv[1]);
    }
    return (int)runs;
}

static inline void bench_report(const char *workload, double seconds, const char *check) {
    printf("RESULT %s %.9f %s\n", workload, seconds, check);
    fflush(stdout);
}

/* Opens an in-memory database and a connection, or exits. */
static inline void bench_open(duckdb_database *db, duckdb_connection *conn) {
    *db = NULL;
    *conn = NULL;
    if (duckdb_open(NULL, db) != DuckDBSuccess) {
        bench_die("duckdb_open failed", NULL);
    }
    if (duckdb_connect(*db, conn) != DuckDBSuccess) {
        bench_die("duckdb_connect failed", NULL);
    }
}

static inline void bench_close(duckdb_database *db, duckdb_connection *conn) {
    duckdb_disconnect(conn);
    duckdb_close(db);
}

/* Runs a statement whose result is not needed, or exits with DuckDB's message. */
static inline void bench_exec(duckdb_connection conn, const char *sql) {
    duckdb_result result;
    memset(&result, 0, sizeof result);
    if (duckdb_query(conn, sql, &result) != DuckDBSuccess) {
        const char *message = duckdb_result_error(&result);
        fprintf(stderr, "error: %s: %s\n", sql, message ? message : "(no message)");
        duckdb_destroy_result(&result);
        exit(1);
    }
    duckdb_destroy_result(&result);
}

/* The first value of a one-row BIGINT result of `sql`, or exits. */
static inline int64_t bench_query_i64(duckdb_connection conn, const char *sql) {
    duckdb_result result;
    memset(&result, 0, sizeof result);
    if (duckdb_query(conn, sql, &result) != DuckDBSuccess) {
        bench_die(sql, duckdb_result_error(&result));
    }
    if (duckdb_column_type(&result, 0) != DUCKDB_TYPE_BIGINT) {
        bench_die("expected a BIGINT column", sql);
    }
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (!chunk || duckdb_data_chunk_get_size(chunk) < 1) {
        bench_die("expected one row", sql);
    }
    int64_t value = ((int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)))[0];
    duckdb_destroy_data_chunk(&chunk);
    duckdb_destroy_result(&result);
    return value;
}

/* The text of row i in the benchmark tables: 'v' || i || repeat('.', i % 16).
 * Lengths run from 2 to 23 bytes, so both inlined (<= 12) and heap strings occur. */
static inline size_t bench_row_text(int64_t i, char *buf, size_t cap) {
    int n = snprintf(buf, cap, "v%lld", (long long)i);
    size_t len = (size_t)n;
    for (int64_t k = 0; k < i % 16 && len + 1 < cap; k++) {
        buf[len++] = '.';
    }
    buf[len] = '\0';
    return len;
}

/* The scan table's definition, shared by all three implementations (see BENCHMARKS.md). */
#define BENCH_SCAN_ROWS 10000000LL
#define BENCH_SCAN_CREATE                                                                        \
    "CREATE TABLE t AS SELECT CASE WHEN range % 100 = 0 THEN NULL ELSE range END::BIGINT AS i, " \
    "range::DOUBLE * 0.5 AS d, 'v' || range::VARCHAR || repeat('.', (range % 16)::INTEGER) AS s "      \
    "FROM range(10000000)"
#define BENCH_APPEND_ROWS 1000000LL

/* The render table (same definition in benches/workloads/mod.rs and examples/bench_render.rs):
 * 2M rows of BIGINT, DOUBLE, TIMESTAMP, DECIMAL(18,3) and VARCHAR[] (a quarter NULL): 10M
 * values, 8.5M of them non-NULL. */
#define BENCH_RENDER_CREATE                                                                      \
    "CREATE TABLE m AS SELECT (i * 7919 - 1000000)::BIGINT AS a, "                               \
    "CASE WHEN i % 5 = 0 THEN i / 7.0 WHEN i % 5 = 1 THEN i * 1e12 ELSE (i * 0.001)::DOUBLE END " \
    "AS b, TIMESTAMP '1990-01-01' + to_microseconds(i * 123456789) AS c, "                       \
    "(i * 3.141)::DECIMAL(18,3) AS d, "                                                          \
    "CASE WHEN i % 4 = 0 THEN NULL ELSE ['x' || i, 'a b', 'it''s'][1:(i % 4)] END AS e "         \
    "FROM range(2000000) t(i)"

#endif
