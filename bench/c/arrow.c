/* Workload (g): Arrow out of and into DuckDB through the C data interface.
 *  - arrow_export_10m: a materialised duckdb_query of 10M rows (BIGINT, DOUBLE, VARCHAR),
 *      SELECT range AS i, range::DOUBLE * 0.5 AS d, 'v' || (range % 1000)::VARCHAR AS s
 *      FROM range(10000000)
 *    then per chunk duckdb_fetch_chunk + duckdb_data_chunk_to_arrow (with the result's Arrow
 *    options), the array's length read and the array released.
 *  - arrow_load_5m: 5M rows of the same query (range(5000000)) exported to Arrow arrays
 *    before the clock starts (fresh arrays for every run: loading consumes them), then timed:
 *    CREATE OR REPLACE the target table, open an appender, duckdb_schema_from_arrow once,
 *    per array duckdb_data_chunk_from_arrow + duckdb_append_data_chunk, close the appender.
 * The table is checked after each load, untimed.
 *
 * Environment (for counting instructions under callgrind; bench/compare does not set it):
 *   BENCH_THREADS  DuckDB's `threads` setting (1 keeps the query on the caller's thread, so
 *                  --toggle-collect=export_rows sees all of its work) */
#include "bench.h"

/* The two structs of the Arrow C data interface (duckdb.h only declares them). */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif

#define ARROW_EXPORT_SQL                                                                                \
    "SELECT range AS i, range::DOUBLE * 0.5 AS d, 'v' || (range % 1000)::VARCHAR AS s FROM range(10000000)"
#define ARROW_LOAD_SQL                                                                                  \
    "SELECT range AS i, range::DOUBLE * 0.5 AS d, 'v' || (range % 1000)::VARCHAR AS s FROM range(5000000)"
#define ARROW_LOAD_CREATE "CREATE OR REPLACE TABLE arrow_load(i BIGINT, d DOUBLE, s VARCHAR)"

static void check_error(duckdb_error_data error, const char *what) {
    if (error) {
        bench_die(what, duckdb_error_data_message(error));
    }
}

static void run_query(duckdb_connection conn, const char *sql, duckdb_result *result) {
    memset(result, 0, sizeof *result);
    if (duckdb_query(conn, sql, result) != DuckDBSuccess) {
        bench_die(sql, duckdb_result_error(result));
    }
}

/* Not inlined, so that callgrind can count it alone (--toggle-collect=export_rows). */
static __attribute__((noinline)) int64_t export_rows(duckdb_connection conn) {
    duckdb_result result;
    run_query(conn, ARROW_EXPORT_SQL, &result);
    duckdb_arrow_options options = duckdb_result_get_arrow_options(&result);
    int64_t rows = 0;
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
        if (!chunk) {
            break;
        }
        struct ArrowArray array;
        memset(&array, 0, sizeof array);
        check_error(duckdb_data_chunk_to_arrow(options, chunk, &array), "data_chunk_to_arrow");
        duckdb_destroy_data_chunk(&chunk);
        rows += array.length;
        array.release(&array);
    }
    duckdb_destroy_arrow_options(&options);
    duckdb_destroy_result(&result);
    return rows;
}

/* The load's input: a schema and one array per chunk of ARROW_LOAD_SQL, prepared untimed. */
typedef struct {
    struct ArrowSchema schema;
    struct ArrowArray *arrays;
    size_t count;
} Batches;

static Batches export_batches(duckdb_connection conn) {
    duckdb_result result;
    run_query(conn, ARROW_LOAD_SQL, &result);
    duckdb_arrow_options options = duckdb_result_get_arrow_options(&result);
    Batches out;
    memset(&out, 0, sizeof out);
    idx_t columns = duckdb_column_count(&result);
    duckdb_logical_type types[3];
    const char *names[3];
    if (columns != 3) {
        bench_die("expected three columns", ARROW_LOAD_SQL);
    }
    for (idx_t c = 0; c < columns; c++) {
        types[c] = duckdb_column_logical_type(&result, c);
        names[c] = duckdb_column_name(&result, c);
    }
    check_error(duckdb_to_arrow_schema(options, types, names, columns, &out.schema), "to_arrow_schema");
    for (idx_t c = 0; c < columns; c++) {
        duckdb_destroy_logical_type(&types[c]);
    }
    size_t capacity = 0;
    for (;;) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
        if (!chunk) {
            break;
        }
        if (out.count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            out.arrays = realloc(out.arrays, capacity * sizeof *out.arrays);
            if (!out.arrays) {
                bench_die("out of memory", NULL);
            }
        }
        memset(&out.arrays[out.count], 0, sizeof out.arrays[out.count]);
        check_error(duckdb_data_chunk_to_arrow(options, chunk, &out.arrays[out.count]), "data_chunk_to_arrow");
        out.count++;
        duckdb_destroy_data_chunk(&chunk);
    }
    duckdb_destroy_arrow_options(&options);
    duckdb_destroy_result(&result);
    return out;
}

/* Not inlined, so that callgrind can count it alone (--toggle-collect=load_rows). Takes every
 * array of `in` (DuckDB moves each out) and returns the rows appended. */
static __attribute__((noinline)) int64_t load_rows(duckdb_connection conn, Batches *in) {
    bench_exec(conn, ARROW_LOAD_CREATE);
    duckdb_appender app = NULL;
    if (duckdb_appender_create(conn, NULL, "arrow_load", &app) != DuckDBSuccess) {
        bench_die("appender_create", duckdb_appender_error(app));
    }
    duckdb_arrow_converted_schema converted = NULL;
    check_error(duckdb_schema_from_arrow(conn, &in->schema, &converted), "schema_from_arrow");
    int64_t rows = 0;
    for (size_t k = 0; k < in->count; k++) {
        rows += in->arrays[k].length;
        duckdb_data_chunk chunk = NULL;
        check_error(duckdb_data_chunk_from_arrow(conn, &in->arrays[k], converted, &chunk), "data_chunk_from_arrow");
        if (duckdb_append_data_chunk(app, chunk) != DuckDBSuccess) {
            bench_die("append_data_chunk", duckdb_appender_error(app));
        }
        duckdb_destroy_data_chunk(&chunk);
    }
    duckdb_destroy_arrow_converted_schema(&converted);
    if (duckdb_appender_close(app) != DuckDBSuccess) {
        bench_die("appender_close", duckdb_appender_error(app));
    }
    duckdb_appender_destroy(&app);
    return rows;
}

static void free_batches(Batches *in) {
    for (size_t k = 0; k < in->count; k++) {
        if (in->arrays[k].release) {
            in->arrays[k].release(&in->arrays[k]);
        }
    }
    free(in->arrays);
    in->schema.release(&in->schema);
}

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 5);
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    const char *threads = getenv("BENCH_THREADS");
    if (threads) {
        char *end = NULL;
        long n = strtol(threads, &end, 10);
        if (end == threads || *end != '\0' || n < 1) {
            bench_die("BENCH_THREADS must be a positive integer", threads);
        }
        char set[64];
        snprintf(set, sizeof set, "SET threads = %ld", n);
        bench_exec(conn, set);
    }
    char check[160];
    for (int run = 0; run < runs; run++) {
        double start = bench_now();
        int64_t rows = export_rows(conn);
        double seconds = bench_now() - start;
        if (rows != 10000000) {
            bench_die("arrow_export_10m: wrong row count", NULL);
        }
        snprintf(check, sizeof check, "rows=%lld", (long long)rows);
        bench_report("arrow_export_10m", seconds, check);
    }
    for (int run = 0; run < runs; run++) {
        Batches in = export_batches(conn);
        double start = bench_now();
        int64_t rows = load_rows(conn, &in);
        double seconds = bench_now() - start;
        free_batches(&in);
        if (rows != 5000000) {
            bench_die("arrow_load_5m: wrong row count", NULL);
        }
        int64_t count = bench_query_i64(conn, "SELECT count(*)::BIGINT FROM arrow_load");
        int64_t ints = bench_query_i64(conn, "SELECT sum(i)::BIGINT FROM arrow_load");
        int64_t doubles = bench_query_i64(conn, "SELECT (sum(d) * 2)::BIGINT FROM arrow_load");
        int64_t lengths = bench_query_i64(conn, "SELECT sum(length(s))::BIGINT FROM arrow_load");
        snprintf(check, sizeof check, "rows=%lld,ints=%lld,doubles2=%lld,lengths=%lld", (long long)count,
                 (long long)ints, (long long)doubles, (long long)lengths);
        bench_report("arrow_load_5m", seconds, check);
    }
    bench_close(&db, &conn);
    return 0;
}
