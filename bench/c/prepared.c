/* Workload (b): prepared execute with one bound parameter. The statement
 * `SELECT ?::BIGINT + 1` is prepared once; one run = 20000 x (bind i, execute, fetch the chunk,
 * read the BIGINT, destroy chunk and result). It executes as a streaming query, the engine path
 * that duckdb-ffi's `query_row` and duckdb-rs's `query_row` take (about 12 % fewer engine
 * instructions than a materialised result for one row), so that the three differ only in the
 * binding. */
#include "bench.h"

/* BENCH_PREPARED_EXECUTIONS overrides the count, for counting instructions under callgrind
 * (the workload name still says x20000; bench/compare never sets it). */
static int64_t executions(void) {
    const char *text = getenv("BENCH_PREPARED_EXECUTIONS");
    long long n = text ? atoll(text) : 20000;
    if (n <= 0) {
        bench_die("BENCH_PREPARED_EXECUTIONS must be a positive integer", text);
    }
    return (int64_t)n;
}

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 10);
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    duckdb_prepared_statement stmt = NULL;
    if (duckdb_prepare(conn, "SELECT ?::BIGINT + 1", &stmt) != DuckDBSuccess) {
        bench_die("prepare", duckdb_prepare_error(stmt));
    }
    int64_t count = executions();
    for (int run = 0; run < runs; run++) {
        int64_t sum = 0;
        double start = bench_now();
        for (int64_t i = 0; i < count; i++) {
            if (duckdb_bind_int64(stmt, 1, i) != DuckDBSuccess) {
                bench_die("bind", NULL);
            }
            duckdb_result result;
            memset(&result, 0, sizeof result);
            if (duckdb_execute_prepared_streaming(stmt, &result) != DuckDBSuccess) {
                bench_die("execute", duckdb_result_error(&result));
            }
            duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
            if (!chunk || duckdb_data_chunk_get_size(chunk) != 1) {
                bench_die("execute returned no row", NULL);
            }
            sum += ((int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)))[0];
            duckdb_destroy_data_chunk(&chunk);
            duckdb_destroy_result(&result);
        }
        double seconds = bench_now() - start;
        char check[64];
        snprintf(check, sizeof check, "sum=%lld", (long long)sum);
        bench_report("prepared_bind_execute_x20000", seconds, check);
    }
    duckdb_destroy_prepare(&stmt);
    bench_close(&db, &conn);
    return 0;
}
