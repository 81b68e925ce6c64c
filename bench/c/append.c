/* Workload (d): appending 1M rows (BIGINT, DOUBLE, VARCHAR) to an empty table, two ways.
 *  - append_1m_rows: duckdb_appender row by row (append_int64, append_double,
 *    append_varchar_length, end_row), then close.
 *  - append_1m_chunks: one data chunk of 2048 rows refilled and handed to
 *    duckdb_append_data_chunk, then close.
 * Row i is (i, i * 0.5, 'v' || i || repeat('.', i % 16)). The strings are formatted before
 * the clock starts; the table is recreated (untimed) before every run and checked after it. */
#include "bench.h"

typedef struct {
    char **text;
    size_t *len;
} Texts;

static Texts make_texts(void) {
    Texts t = {malloc(sizeof(char *) * BENCH_APPEND_ROWS), malloc(sizeof(size_t) * BENCH_APPEND_ROWS)};
    if (!t.text || !t.len) {
        bench_die("out of memory", NULL);
    }
    char buf[64];
    for (int64_t i = 0; i < BENCH_APPEND_ROWS; i++) {
        t.len[i] = bench_row_text(i, buf, sizeof buf);
        t.text[i] = malloc(t.len[i] + 1);
        if (!t.text[i]) {
            bench_die("out of memory", NULL);
        }
        memcpy(t.text[i], buf, t.len[i] + 1);
    }
    return t;
}

static duckdb_appender open_appender(duckdb_connection conn) {
    duckdb_appender app = NULL;
    if (duckdb_appender_create(conn, NULL, "a", &app) != DuckDBSuccess) {
        bench_die("appender_create", duckdb_appender_error(app));
    }
    return app;
}

static void close_appender(duckdb_appender *app) {
    if (duckdb_appender_close(*app) != DuckDBSuccess) {
        bench_die("appender_close", duckdb_appender_error(*app));
    }
    duckdb_appender_destroy(app);
}

/* The two timed loops are not inlined, so that callgrind can count each alone
 * (--toggle-collect=append_rows). */
static __attribute__((noinline)) void append_rows(duckdb_connection conn, const Texts *t) {
    duckdb_appender app = open_appender(conn);
    for (int64_t i = 0; i < BENCH_APPEND_ROWS; i++) {
        if (duckdb_append_int64(app, i) || duckdb_append_double(app, (double)i * 0.5) ||
            duckdb_append_varchar_length(app, t->text[i], t->len[i]) || duckdb_appender_end_row(app)) {
            bench_die("append", duckdb_appender_error(app));
        }
    }
    close_appender(&app);
}

static __attribute__((noinline)) void append_chunks(duckdb_connection conn, const Texts *t) {
    duckdb_logical_type types[3] = {duckdb_create_logical_type(DUCKDB_TYPE_BIGINT),
                                    duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE),
                                    duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR)};
    duckdb_data_chunk chunk = duckdb_create_data_chunk(types, 3);
    idx_t capacity = duckdb_vector_size();
    duckdb_appender app = open_appender(conn);
    for (int64_t base = 0; base < BENCH_APPEND_ROWS; base += (int64_t)capacity) {
        idx_t n = (idx_t)(BENCH_APPEND_ROWS - base) < capacity ? (idx_t)(BENCH_APPEND_ROWS - base) : capacity;
        duckdb_data_chunk_reset(chunk);
        /* Data pointers are re-read after every reset, which invalidates them. */
        duckdb_vector vi = duckdb_data_chunk_get_vector(chunk, 0);
        duckdb_vector vd = duckdb_data_chunk_get_vector(chunk, 1);
        duckdb_vector vs = duckdb_data_chunk_get_vector(chunk, 2);
        int64_t *ints = (int64_t *)duckdb_vector_get_data(vi);
        double *doubles = (double *)duckdb_vector_get_data(vd);
        for (idx_t r = 0; r < n; r++) {
            int64_t i = base + (int64_t)r;
            ints[r] = i;
            doubles[r] = (double)i * 0.5;
            duckdb_vector_assign_string_element_len(vs, r, t->text[i], t->len[i]);
        }
        duckdb_data_chunk_set_size(chunk, n);
        if (duckdb_append_data_chunk(app, chunk) != DuckDBSuccess) {
            bench_die("append_data_chunk", duckdb_appender_error(app));
        }
    }
    close_appender(&app);
    duckdb_destroy_data_chunk(&chunk);
    for (int k = 0; k < 3; k++) {
        duckdb_destroy_logical_type(&types[k]);
    }
}

static void check(duckdb_connection conn, char *out, size_t cap) {
    int64_t rows = bench_query_i64(conn, "SELECT count(*)::BIGINT FROM a");
    int64_t ints = bench_query_i64(conn, "SELECT sum(i)::BIGINT FROM a");
    int64_t doubles = bench_query_i64(conn, "SELECT (sum(d) * 2)::BIGINT FROM a");
    int64_t lengths = bench_query_i64(conn, "SELECT sum(length(s))::BIGINT FROM a");
    snprintf(out, cap, "rows=%lld,ints=%lld,doubles2=%lld,lengths=%lld", (long long)rows, (long long)ints,
             (long long)doubles, (long long)lengths);
}

/* `runs` timed runs of `append` into a freshly recreated table, each checked after the clock. */
static void time_runs(duckdb_connection conn, const Texts *texts, int runs, const char *workload,
                      void (*append)(duckdb_connection, const Texts *)) {
    char result[160];
    for (int run = 0; run < runs; run++) {
        bench_exec(conn, "CREATE OR REPLACE TABLE a(i BIGINT, d DOUBLE, s VARCHAR)");
        double start = bench_now();
        append(conn, texts);
        double seconds = bench_now() - start;
        check(conn, result, sizeof result);
        bench_report(workload, seconds, result);
    }
}

int main(int argc, char **argv) {
    int runs = bench_runs(argc, argv, 5);
    Texts texts = make_texts();
    duckdb_database db;
    duckdb_connection conn;
    bench_open(&db, &conn);
    time_runs(conn, &texts, runs, "append_1m_rows", append_rows);
    time_runs(conn, &texts, runs, "append_1m_chunks", append_chunks);
    bench_close(&db, &conn);
    for (int64_t i = 0; i < BENCH_APPEND_ROWS; i++) {
        free(texts.text[i]);
    }
    free(texts.text);
    free(texts.len);
    return 0;
}
