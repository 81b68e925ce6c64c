/* Workload (g): rendering 10M mixed values as text, the engine's way. One run =
 * duckdb_query "SELECT CAST(a AS VARCHAR), ..." over the render table (BIGINT, DOUBLE,
 * TIMESTAMP, DECIMAL(18,3), VARCHAR[]), then every chunk: the byte length of every non-NULL
 * string (the strings are the rendered text; reading each length is what fetching them costs
 * in C). The Rust side renders the same cells itself from `SELECT a, b, c, d, e`; both report
 * the total text length, which must agree. render_10m runs the engine with its default number
 * of threads, render_10m_threads1 with `SET threads = 1` (rendering in Rust is one thread). */
#include "bench.h"

#define RENDER_QUERY                                                                          \
    "SELECT CAST(a AS VARCHAR), CAST(b AS VARCHAR), CAST(c AS VARCHAR), CAST(d AS VARCHAR), " \
    "CAST(e AS VARCHAR) FROM m"

/* One timed run: the total byte length of the non-NULL strings. */
static int64_t render_cast(duckdb_connection conn) {
    duckdb_result result;
    memset(&result, 0, sizeof result);
    if (duckdb_query(conn, RENDER_QUERY, &result) != DuckDBSuccess) {
        bench_die("render", duckdb_result_error(&result));
    }
    int64_t total = 0;
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
        if (!chunk) {
            break;
        }
        idx_t n = duckdb_data_chunk_get_size(chunk);
        idx_t columns = duckdb_data_chunk_get_column_count(chunk);
        for (idx_t c = 0; c < columns; c++) {
            duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
            const duckdb_string_t *strings = (const duckdb_string_t *)duckdb_vector_get_data(v);
            const uint64_t *valid = duckdb_vector_get_validity(v);
            for (idx_t r = 0; r < n; r++) {
                if (!valid || (valid[r / 64] >> (r % 64)) & 1) {
                    total += strings[r].value.inlined.length;
                }
            }
        }
        duckdb_destroy_data_chunk(&chunk);
    }
    duckdb_destroy_result(&result);
    return total;
}

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 3);
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    bench_exec(conn, BENCH_RENDER_CREATE);
    const char *workloads[2] = {"render_10m", "render_10m_threads1"};
    for (int w = 0; w < 2; w++) {
        if (w == 1) {
            bench_exec(conn, "SET threads = 1");
        }
        for (int run = 0; run < runs; run++) {
            double start = bench_now();
            int64_t total = render_cast(conn);
            double seconds = bench_now() - start;
            char check[64];
            snprintf(check, sizeof check, "bytes=%lld", (long long)total);
            bench_report(workloads[w], seconds, check);
        }
    }
    bench_close(&db, &conn);
    return 0;
}
