//! A model of the DuckDB C API, written in Rust, that Miri runs instead of the engine.
//!
//! DuckDB is C++ and cannot run under Miri. Under `cfg(miri)` this module defines Rust
//! functions with the C API's names and signatures (`#[unsafe(no_mangle)] extern "C"`), and
//! Miri resolves the crate's `extern "C"` declarations to them. The model follows
//! C API reference (`src/c_api.md`, the pinned sources' behaviour) so that Miri can judge the safe layer:
//!
//! - Every object is a `Box`. Destroy functions free it, null the handle and accept NULL, so a
//!   skipped destroy is a Miri leak and a second destroy or a use after destroy is a Miri
//!   use-after-free.
//! - A registry of live objects (address and kind) is checked on every call first, so misuse
//!   aborts with a message naming the function, the handle and what is wrong with it.
//! - Vectors are borrowed from their chunk (freed with it). Data buffers of result chunks hold
//!   exactly `size` rows, so a read past a chunk's size is out of bounds; slots under NULL rows
//!   are filled with the byte `0xA5` (DuckDB does not define them: a `bool` read there is
//!   invalid, a string read there has no valid pointer).
//! - Strings handed over for `duckdb_free` come from C `malloc`; `duckdb_free` is C `free`, so
//!   freeing anything else (or a borrowed string) is an error Miri reports.
//! - `duckdb_string_t` is laid out as DuckDB does: strings of at most 12 bytes are inlined,
//!   longer ones point to a separate allocation of exactly their length.
//! - Results are written even on error, with the message inside.
//! - Registered functions live in a per-database catalog and the model calls their callbacks as
//!   DuckDB does (`capi/invoke.rs`): a function's extra info is deleted with its last copy (the
//!   catalog's goes when the database does), scalar bind data is copied once and every copy
//!   destroyed, aggregate states sit one byte off alignment and two partial states are combined,
//!   a table scan runs until an empty chunk, and each info object a callback gets lives for that
//!   call only. A callback data never destroyed is a Miri leak.
//!
//! - Arrow schemas and arrays the model makes are heap memory that only their release callback
//!   frees (a missed release is a Miri leak, a second one stops the program);
//!   `duckdb_data_chunk_from_arrow` moves the caller's array out, reads its buffers in place and
//!   releases it when the chunk is destroyed, or at once when the conversion fails
//!   (`capi/arrow.rs`).
//!
//! It is not a SQL engine: it answers a small fixed set of SQL texts (see [`canned`]) and
//! reports any other text as an error that names it.

#[cfg(miri)]
mod capi;

/// The SQL texts the model answers. The same texts give the same answers on the real engine.
pub(crate) mod canned {
    /// One INTEGER column `answer`, one row: 42.
    pub const ANSWER: &str = "SELECT 42 AS answer";
    /// The same column, no rows.
    pub const EMPTY: &str = "SELECT 42 AS answer WHERE false";
    /// BIGINT `n`, 0..5000 (three chunks).
    pub const RANGE: &str = "SELECT range AS n FROM range(5000)";
    /// INTEGER, DOUBLE, VARCHAR (inlined and not), BIGINT, BOOLEAN, with NULL rows.
    pub const MIXED: &str = "SELECT i::INTEGER AS i, d::DOUBLE AS d, s::VARCHAR AS s, b::BIGINT AS b, \
        f::BOOLEAN AS f FROM (VALUES (1, 2.5, 'short', 10000000000, true), (NULL, NULL, NULL, NULL, NULL), \
        (-3, -0.25, 'twelve bytes', -7, false), (2147483647, 1e300, 'thirteen byte', 9223372036854775807, true), \
        (4, 0.0, 'a string that is clearly longer than twelve bytes', 0, NULL)) t(i, d, s, b, f)";
    /// Every other integer width, FLOAT, DATE, DECIMAL(18,3) and BLOB; the middle row NULL.
    pub const SCALARS: &str = "SELECT a::TINYINT AS ti, a::SMALLINT AS si, a::HUGEINT AS hi, a::UTINYINT AS uti, \
        a::USMALLINT AS usi, a::UINTEGER AS ui, a::UBIGINT AS ubi, a::UHUGEINT AS uhi, a::FLOAT AS fl, \
        DATE '2024-01-01' + a::INTEGER AS dt, a::DECIMAL(18, 3) AS de, a::VARCHAR::BLOB AS bl \
        FROM (VALUES (1), (NULL), (100)) t(a)";
    /// MAP, ARRAY, UNION and ENUM columns; the middle row NULL.
    pub const COMPLEX: &str = "SELECT m::MAP(VARCHAR, INTEGER) AS m, arr::INTEGER[2] AS arr, \
        u::UNION(i INTEGER, s VARCHAR) AS u, e::ENUM('red', 'green') AS e FROM (VALUES \
        (MAP {'a': 1}, [1, 2], union_value(i := 1)::UNION(i INTEGER, s VARCHAR), 'green'), (NULL, NULL, NULL, NULL), \
        (MAP {}, [3, NULL], union_value(s := 'text')::UNION(i INTEGER, s VARCHAR), 'red')) t(m, arr, u, e)";
    /// INTEGER[] and STRUCT(k INTEGER, v VARCHAR), with NULLs at both levels.
    pub const NESTED: &str = "SELECT l::INTEGER[] AS l, st::STRUCT(k INTEGER, v VARCHAR) AS st FROM (VALUES \
        ([1, 2, NULL], {'k': 7, 'v': 'seven'}), (NULL, NULL), ([], {'k': NULL, 'v': 'a struct string longer than twelve'})) t(l, st)";
    /// A syntax error.
    pub const PARSE_ERROR: &str = "SELEC 42";
    /// A catalog error (fails at prepare).
    pub const MISSING_TABLE: &str = "SELECT * FROM no_such_table";
    /// Creates the table `t`.
    pub const CREATE_T: &str = "CREATE TABLE t(x INTEGER PRIMARY KEY, s VARCHAR)";
    /// Two rows into `t`.
    pub const INSERT_T: &str = "INSERT INTO t VALUES (1, 'one'), (2, 'two')";
    /// A duplicate key in `t` (after INSERT_T): a constraint error.
    pub const INSERT_DUPLICATE: &str = "INSERT INTO t VALUES (1, 'again')";
    /// Reads `t` back.
    pub const READ_T: &str = "SELECT x, s FROM t ORDER BY x";
    /// One BIGINT parameter, plus one.
    pub const PARAM_PLUS_ONE: &str = "SELECT ?::BIGINT + 1 AS n";
    /// The scalar function `ffi_scalar(BIGINT)` (registered by the caller) over RANGE's 5000
    /// rows, as column `n`: the model calls it per chunk of at most 2048 rows.
    pub const SCALAR_OVER_RANGE: &str = "SELECT ffi_scalar(range) AS n FROM range(5000)";
    /// The aggregate function `ffi_aggregate(BIGINT)` over RANGE's 5000 rows, as column `n`:
    /// the model updates two partial states (one per thread) and combines both into a third.
    pub const AGGREGATE_OVER_RANGE: &str = "SELECT ffi_aggregate(range) AS n FROM range(5000)";
    /// Every column of the table function `ffi_table(BIGINT, label := VARCHAR)`.
    pub const TABLE_SCAN: &str = "SELECT * FROM ffi_table(5000, label := 'row')";
    /// A cast from BOOLEAN to DATE (DuckDB has none built in) of true, false and NULL, as
    /// column `d`.
    pub const CAST_BOOLEAN_TO_DATE: &str =
        "SELECT b::DATE AS d FROM (VALUES (true), (false), (NULL)) t(b)";
    /// The same rows through `TRY_CAST`.
    pub const TRY_CAST_BOOLEAN_TO_DATE: &str =
        "SELECT TRY_CAST(b AS DATE) AS d FROM (VALUES (true), (false), (NULL)) t(b)";
    /// A table that does not exist, for a replacement scan to replace (the model knows the
    /// replacement `range(n)`).
    pub const REPLACED_TABLE: &str = "SELECT * FROM ffi_replaced";
    /// The query of a query appender (`Connection::appender_for_query`) with an integer `col1`
    /// and a `col2` under the default name `appended_data`: each appended row into `t`, with
    /// `x = col1 * 10` (so a row that went through the query is told apart from one appended
    /// to `t` directly).
    pub const APPEND_QUERY_T: &str = "INSERT INTO t SELECT col1 * 10, col2 FROM appended_data";
}
