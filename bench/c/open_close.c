/* Workload (e): open -> connect -> disconnect -> close of an in-memory database.
 * One run = 20 cycles. */
#include "bench.h"

#define CYCLES 20

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 10);
    for (int run = 0; run < runs; run++) {
        int64_t connected = 0;
        double start = bench_now();
        for (int k = 0; k < CYCLES; k++) {
            duckdb_database db;
            duckdb_connection conn;
            bench_open(&db, &conn);
            connected += conn != NULL;
            bench_close(&db, &conn);
        }
        double seconds = bench_now() - start;
        char check[64];
        snprintf(check, sizeof check, "cycles=%lld", (long long)connected);
        bench_report("open_connect_close_x20", seconds, check);
    }
    return 0;
}
