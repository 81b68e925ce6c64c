/* Workload (f): functions written against the C API and called by DuckDB, three kinds.
 *  - callbacks_scalar_100m: a scalar function x * 2 + 1 (BIGINT -> BIGINT) over 100M rows:
 *      SELECT sum(twice_plus_one(range))::BIGINT FROM range(100000000)
 *  - callbacks_table_10m: a table function producing 10M rows (i BIGINT, s VARCHAR), row i
 *    being (i, 'v' || i || repeat('.', i % 16)), read by
 *      SELECT count(*), sum(i)::BIGINT, sum(length(s))::BIGINT FROM callback_rows(10000000)
 *  - callbacks_aggregate_100m: a sum aggregate over 100M BIGINT rows, its state a plain
 *    int64_t:
 *      SELECT sum_udf(range) FROM range(100000000)
 * The scalar and aggregate queries run over 100M rows, the table function over 10M, so that
 * each run lasts a few hundred milliseconds (wall time cannot rank runs of a few ms here).
 * The functions are registered once per process, untimed. Each is written as a careful C
 * programmer would: direct loops over the vectors' data, the validity mask checked where
 * NULLs can occur. The table function writes its strings with
 * duckdb_unsafe_vector_assign_string_element_len, as the Rust side does: they are ASCII, so
 * DuckDB's UTF-8 check would be wasted work on both sides.
 *
 * Environment (for counting instructions under callgrind; bench/compare sets neither):
 *   BENCH_CALLBACK_ROWS  rows for each of the three queries instead of 100M / 10M / 100M
 *   BENCH_SCALAR_ROWS, BENCH_TABLE_ROWS, BENCH_AGGREGATE_ROWS  rows for one query (before
 *                        BENCH_CALLBACK_ROWS), e.g. BENCH_TABLE_ROWS=1 to count the others
 *   BENCH_THREADS        DuckDB's `threads` setting (1 keeps every pipeline on the caller's
 *                        thread, so --toggle-collect on run_scalar etc. sees all the work) */
#include "bench.h"

#define BENCH_SCALAR_ROWS 100000000LL
#define BENCH_TABLE_ROWS 10000000LL
#define BENCH_AGGREGATE_ROWS 100000000LL

/* Row i's text, 'v' || i || repeat('.', i % 16), without printf: the same digit loop as the
 * Rust programs, so that formatting costs the same on every side. `buf` holds >= 40 bytes. */
static inline size_t callback_row_text(int64_t i, char *buf) {
    char digits[20];
    size_t n = 0;
    uint64_t v = (uint64_t)i;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf[0] = 'v';
    for (size_t k = 0; k < n; k++) {
        buf[1 + k] = digits[n - 1 - k];
    }
    /* Always 16 dots (a fixed-size copy), of which the length keeps i % 16. */
    memcpy(buf + 1 + n, "................", 16);
    return 1 + n + (size_t)(i % 16);
}

static int64_t env_i64(const char *name, int64_t fallback) {
    const char *text = getenv(name);
    if (!text) {
        return fallback;
    }
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || value < 1) {
        bench_die("must be a positive integer", name);
    }
    return value;
}

/* ---- scalar: twice_plus_one(BIGINT) -> BIGINT ---- */

static void twice_plus_one(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
    (void)info;
    idx_t n = duckdb_data_chunk_get_size(input);
    const int64_t *x = (const int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 0));
    int64_t *out = (int64_t *)duckdb_vector_get_data(output);
    /* NULL rows hold garbage, and DuckDB's default NULL handling discards their results: the
     * arithmetic is unsigned so that garbage cannot overflow into undefined behaviour. */
    for (idx_t r = 0; r < n; r++) {
        out[r] = (int64_t)((uint64_t)x[r] * 2 + 1);
    }
}

static void register_scalar(duckdb_connection conn) {
    duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_scalar_function_set_name(f, "twice_plus_one");
    duckdb_scalar_function_add_parameter(f, bigint);
    duckdb_scalar_function_set_return_type(f, bigint);
    duckdb_scalar_function_set_function(f, twice_plus_one);
    if (duckdb_register_scalar_function(conn, f) != DuckDBSuccess) {
        bench_die("register twice_plus_one", NULL);
    }
    duckdb_destroy_scalar_function(&f);
    duckdb_destroy_logical_type(&bigint);
}

/* ---- table: callback_rows(n BIGINT) -> (i BIGINT, s VARCHAR) ---- */

typedef struct {
    int64_t rows;
} RowsBind;

typedef struct {
    int64_t next;
} RowsInit;

static void rows_bind(duckdb_bind_info info) {
    duckdb_value n = duckdb_bind_get_parameter(info, 0);
    RowsBind *bind = malloc(sizeof *bind);
    if (!bind) {
        duckdb_bind_set_error(info, "out of memory");
        duckdb_destroy_value(&n);
        return;
    }
    bind->rows = duckdb_get_int64(n);
    duckdb_destroy_value(&n);
    duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_bind_add_result_column(info, "i", bigint);
    duckdb_bind_add_result_column(info, "s", varchar);
    duckdb_destroy_logical_type(&bigint);
    duckdb_destroy_logical_type(&varchar);
    duckdb_bind_set_bind_data(info, bind, free);
}

static void rows_init(duckdb_init_info info) {
    RowsInit *init = malloc(sizeof *init);
    if (!init) {
        duckdb_init_set_error(info, "out of memory");
        return;
    }
    init->next = 0;
    duckdb_init_set_init_data(info, init, free);
}

static void rows_scan(duckdb_function_info info, duckdb_data_chunk output) {
    const RowsBind *bind = (const RowsBind *)duckdb_function_get_bind_data(info);
    RowsInit *init = (RowsInit *)duckdb_function_get_init_data(info);
    int64_t first = init->next;
    int64_t left = bind->rows - first;
    idx_t n = left < (int64_t)duckdb_vector_size() ? (idx_t)left : duckdb_vector_size();
    int64_t *ints = (int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(output, 0));
    duckdb_vector strings = duckdb_data_chunk_get_vector(output, 1);
    char buf[48];
    for (idx_t r = 0; r < n; r++) {
        int64_t i = first + (int64_t)r;
        ints[r] = i;
        size_t len = callback_row_text(i, buf);
        duckdb_unsafe_vector_assign_string_element_len(strings, r, buf, len);
    }
    init->next = first + (int64_t)n;
    duckdb_data_chunk_set_size(output, n);
}

static void register_table(duckdb_connection conn) {
    duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_table_function f = duckdb_create_table_function();
    duckdb_table_function_set_name(f, "callback_rows");
    duckdb_table_function_add_parameter(f, bigint);
    duckdb_table_function_set_bind(f, rows_bind);
    duckdb_table_function_set_init(f, rows_init);
    duckdb_table_function_set_function(f, rows_scan);
    if (duckdb_register_table_function(conn, f) != DuckDBSuccess) {
        bench_die("register callback_rows", NULL);
    }
    duckdb_destroy_table_function(&f);
    duckdb_destroy_logical_type(&bigint);
}

/* ---- aggregate: sum_udf(BIGINT) -> BIGINT, the state one int64_t ---- */

static idx_t sum_state_size(duckdb_function_info info) {
    (void)info;
    return sizeof(int64_t);
}

static void sum_init(duckdb_function_info info, duckdb_aggregate_state state) {
    (void)info;
    *(int64_t *)state = 0;
}

static void sum_update(duckdb_function_info info, duckdb_data_chunk input, duckdb_aggregate_state *states) {
    (void)info;
    idx_t n = duckdb_data_chunk_get_size(input);
    duckdb_vector v = duckdb_data_chunk_get_vector(input, 0);
    const int64_t *x = (const int64_t *)duckdb_vector_get_data(v);
    const uint64_t *valid = duckdb_vector_get_validity(v);
    if (!valid) {
        for (idx_t r = 0; r < n; r++) {
            *(int64_t *)states[r] += x[r];
        }
    } else {
        for (idx_t r = 0; r < n; r++) {
            if ((valid[r / 64] >> (r % 64)) & 1) {
                *(int64_t *)states[r] += x[r];
            }
        }
    }
}

static void sum_combine(duckdb_function_info info, duckdb_aggregate_state *source, duckdb_aggregate_state *target,
                        idx_t count) {
    (void)info;
    for (idx_t i = 0; i < count; i++) {
        *(int64_t *)target[i] += *(int64_t *)source[i];
    }
}

static void sum_finalize(duckdb_function_info info, duckdb_aggregate_state *source, duckdb_vector result, idx_t count,
                         idx_t offset) {
    (void)info;
    int64_t *out = (int64_t *)duckdb_vector_get_data(result);
    for (idx_t i = 0; i < count; i++) {
        out[offset + i] = *(int64_t *)source[i];
    }
}

static void register_aggregate(duckdb_connection conn) {
    duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_aggregate_function f = duckdb_create_aggregate_function();
    duckdb_aggregate_function_set_name(f, "sum_udf");
    duckdb_aggregate_function_add_parameter(f, bigint);
    duckdb_aggregate_function_set_return_type(f, bigint);
    duckdb_aggregate_function_set_functions(f, sum_state_size, sum_init, sum_update, sum_combine, sum_finalize);
    if (duckdb_register_aggregate_function(conn, f) != DuckDBSuccess) {
        bench_die("register sum_udf", NULL);
    }
    duckdb_destroy_aggregate_function(&f);
    duckdb_destroy_logical_type(&bigint);
}

/* ---- the timed queries ---- */

/* Runs `sql` and reads `columns` BIGINT values of its one row into `out`, or exits. */
static void query_i64s(duckdb_connection conn, const char *sql, int64_t *out, idx_t columns) {
    duckdb_result result;
    memset(&result, 0, sizeof result);
    if (duckdb_query(conn, sql, &result) != DuckDBSuccess) {
        bench_die(sql, duckdb_result_error(&result));
    }
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (!chunk || duckdb_data_chunk_get_size(chunk) != 1 || duckdb_data_chunk_get_column_count(chunk) != columns) {
        bench_die("expected one row", sql);
    }
    for (idx_t c = 0; c < columns; c++) {
        if (duckdb_column_type(&result, c) != DUCKDB_TYPE_BIGINT) {
            bench_die("expected BIGINT columns", sql);
        }
        duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
        const uint64_t *valid = duckdb_vector_get_validity(v);
        if (valid && !(valid[0] & 1)) {
            bench_die("unexpected NULL", sql);
        }
        out[c] = ((const int64_t *)duckdb_vector_get_data(v))[0];
    }
    duckdb_destroy_data_chunk(&chunk);
    duckdb_destroy_result(&result);
}

/* Not inlined, so that callgrind can count each alone (--toggle-collect=run_scalar). Each
 * stores its own name, so that the compiler cannot fold the identical ones into one. */
static const char *volatile running;

static __attribute__((noinline)) int64_t run_scalar(duckdb_connection conn, const char *sql) {
    running = "scalar";
    int64_t sum;
    query_i64s(conn, sql, &sum, 1);
    return sum;
}

static __attribute__((noinline)) void run_table(duckdb_connection conn, const char *sql, int64_t out[3]) {
    running = "table";
    query_i64s(conn, sql, out, 3);
}

static __attribute__((noinline)) int64_t run_aggregate(duckdb_connection conn, const char *sql) {
    running = "aggregate";
    int64_t sum;
    query_i64s(conn, sql, &sum, 1);
    return sum;
}

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 5);
    int64_t scalar_rows = env_i64("BENCH_SCALAR_ROWS", env_i64("BENCH_CALLBACK_ROWS", BENCH_SCALAR_ROWS));
    int64_t table_rows = env_i64("BENCH_TABLE_ROWS", env_i64("BENCH_CALLBACK_ROWS", BENCH_TABLE_ROWS));
    int64_t aggregate_rows = env_i64("BENCH_AGGREGATE_ROWS", env_i64("BENCH_CALLBACK_ROWS", BENCH_AGGREGATE_ROWS));
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    if (getenv("BENCH_THREADS")) {
        char set[64];
        snprintf(set, sizeof set, "SET threads = %lld", (long long)env_i64("BENCH_THREADS", 1));
        bench_exec(conn, set);
    }
    register_scalar(conn);
    register_table(conn);
    register_aggregate(conn);

    /* What every run must return, computed here the slow way. */
    int64_t want_scalar = scalar_rows * scalar_rows; /* sum of 2x + 1 over 0..rows-1 */
    int64_t want_ints = table_rows * (table_rows - 1) / 2;
    int64_t want_aggregate = aggregate_rows * (aggregate_rows - 1) / 2;
    int64_t want_lengths = 0;
    char buf[48];
    for (int64_t i = 0; i < table_rows; i++) {
        want_lengths += (int64_t)callback_row_text(i, buf);
    }

    char scalar_sql[128], table_sql[128], aggregate_sql[128];
    snprintf(scalar_sql, sizeof scalar_sql, "SELECT sum(twice_plus_one(range))::BIGINT FROM range(%lld)",
             (long long)scalar_rows);
    snprintf(table_sql, sizeof table_sql,
             "SELECT count(*), sum(i)::BIGINT, sum(length(s))::BIGINT FROM callback_rows(%lld)",
             (long long)table_rows);
    snprintf(aggregate_sql, sizeof aggregate_sql, "SELECT sum_udf(range) FROM range(%lld)",
             (long long)aggregate_rows);

    char check[128];
    for (int run = 0; run < runs; run++) {
        double start = bench_now();
        int64_t sum = run_scalar(conn, scalar_sql);
        double seconds = bench_now() - start;
        if (sum != want_scalar) {
            bench_die("twice_plus_one: wrong sum", NULL);
        }
        snprintf(check, sizeof check, "sum=%lld", (long long)sum);
        bench_report("callbacks_scalar_100m", seconds, check);
    }
    for (int run = 0; run < runs; run++) {
        int64_t got[3];
        double start = bench_now();
        run_table(conn, table_sql, got);
        double seconds = bench_now() - start;
        if (got[0] != table_rows || got[1] != want_ints || got[2] != want_lengths) {
            bench_die("callback_rows: wrong count or sums", NULL);
        }
        snprintf(check, sizeof check, "rows=%lld,ints=%lld,lengths=%lld", (long long)got[0], (long long)got[1],
                 (long long)got[2]);
        bench_report("callbacks_table_10m", seconds, check);
    }
    for (int run = 0; run < runs; run++) {
        double start = bench_now();
        int64_t sum = run_aggregate(conn, aggregate_sql);
        double seconds = bench_now() - start;
        if (sum != want_aggregate) {
            bench_die("sum_udf: wrong sum", NULL);
        }
        snprintf(check, sizeof check, "sum=%lld", (long long)sum);
        bench_report("callbacks_aggregate_100m", seconds, check);
    }
    bench_close(&db, &conn);
    return 0;
}
