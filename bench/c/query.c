/* Workload (a): tiny query round trip. One run = 1000 x (duckdb_query "SELECT 42", fetch the
 * chunk, read the value as a 64-bit integer, destroy chunk and result). */
#include "bench.h"

#define ROUND_TRIPS 1000

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 20);
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    for (int run = 0; run < runs; run++) {
        int64_t sum = 0;
        double start = bench_now();
        for (int k = 0; k < ROUND_TRIPS; k++) {
            duckdb_result result;
            memset(&result, 0, sizeof result);
            if (duckdb_query(conn, "SELECT 42", &result) != DuckDBSuccess) {
                bench_die("SELECT 42", duckdb_result_error(&result));
            }
            duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
            if (!chunk || duckdb_data_chunk_get_size(chunk) != 1) {
                bench_die("SELECT 42 returned no row", NULL);
            }
            duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, 0);
            /* SELECT 42 is an INTEGER column: widen to 64 bits as the Rust sides do. */
            sum += (int64_t)((int32_t *)duckdb_vector_get_data(vector))[0];
            duckdb_destroy_data_chunk(&chunk);
            duckdb_destroy_result(&result);
        }
        double seconds = bench_now() - start;
        char check[64];
        snprintf(check, sizeof check, "sum=%lld", (long long)sum);
        bench_report("query_select42_x1000", seconds, check);
    }
    bench_close(&db, &conn);
    return 0;
}
