/* Workload (c): scan of the 10M-row (BIGINT, DOUBLE, VARCHAR) table through the chunk API.
 * One run = duckdb_query "SELECT i, d, s FROM t", then every chunk: sum of the non-NULL ints
 * (validity mask checked), sum of the doubles, sum of the string lengths. The table is built
 * once per process, untimed. C has no row API (the duckdb_value_* accessors are deprecated), so
 * the row-API variant exists only on the Rust sides. */
#include "bench.h"

typedef struct {
    int64_t ints, lengths, rows;
    double doubles;
} ScanSums;

/* Reads every chunk of `result`. Not inlined, so that callgrind can count it alone
 * (--toggle-collect=sum_chunks): the query before it runs partly on DuckDB's worker threads,
 * this part only on the caller's. */
static __attribute__((noinline)) ScanSums sum_chunks(duckdb_result result) {
    ScanSums sums = {0, 0, 0, 0.0};
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
        if (!chunk) {
            break;
        }
        idx_t n = duckdb_data_chunk_get_size(chunk);
        duckdb_vector vi = duckdb_data_chunk_get_vector(chunk, 0);
        duckdb_vector vd = duckdb_data_chunk_get_vector(chunk, 1);
        duckdb_vector vs = duckdb_data_chunk_get_vector(chunk, 2);
        const int64_t *ints = (const int64_t *)duckdb_vector_get_data(vi);
        const uint64_t *valid = duckdb_vector_get_validity(vi);
        const double *doubles = (const double *)duckdb_vector_get_data(vd);
        const duckdb_string_t *strings = (const duckdb_string_t *)duckdb_vector_get_data(vs);
        for (idx_t r = 0; r < n; r++) {
            if (!valid || (valid[r / 64] >> (r % 64)) & 1) {
                sums.ints += ints[r];
            }
            sums.doubles += doubles[r];
            /* The length sits at the same offset for inlined and pointer strings. */
            sums.lengths += strings[r].value.inlined.length;
        }
        sums.rows += (int64_t)n;
        duckdb_destroy_data_chunk(&chunk);
    }
    return sums;
}

/* One timed run. */
static ScanSums scan_chunks(duckdb_connection conn) {
    duckdb_result result;
    memset(&result, 0, sizeof result);
    if (duckdb_query(conn, "SELECT i, d, s FROM t", &result) != DuckDBSuccess) {
        bench_die("scan", duckdb_result_error(&result));
    }
    ScanSums sums = sum_chunks(result);
    if (duckdb_result_error(&result)) {
        bench_die("scan", duckdb_result_error(&result));
    }
    duckdb_destroy_result(&result);
    return sums;
}

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 5);
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    bench_exec(conn, BENCH_SCAN_CREATE);
    for (int run = 0; run < runs; run++) {
        double start = bench_now();
        ScanSums sums = scan_chunks(conn);
        double seconds = bench_now() - start;
        if (sums.rows != BENCH_SCAN_ROWS) {
            bench_die("scan returned the wrong number of rows", NULL);
        }
        char check[128];
        snprintf(check, sizeof check, "ints=%lld,doubles=%.1f,lengths=%lld", (long long)sums.ints,
                 sums.doubles, (long long)sums.lengths);
        bench_report("scan_10m_chunks", seconds, check);
    }
    bench_close(&db, &conn);
    return 0;
}
