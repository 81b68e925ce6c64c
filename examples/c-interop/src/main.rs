//! Registers the C extension with DuckDB through duckdb-ffi's binding of
//! `duckdb_register_static_extension`, then opens a database with duckdb-ffi's safe layer and
//! calls the function the C code registered. Exits non-zero if anything is off.

use duckdb_ffi::safe::Database;

unsafe extern "C" {
    /// The C half's describe function (c/static_extension.c).
    fn c_interop_describe(descriptor: *mut duckdb_ffi::duckdb_extension_descriptor) -> i32;
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: `c_interop_describe` has the signature `duckdb_extension_describe_t` names and
    // only fills the descriptor DuckDB hands it.
    let status = unsafe { duckdb_ffi::duckdb_register_static_extension(Some(c_interop_describe)) };
    assert_eq!(status, 0, "DuckDB refused the registration");

    // Every database opened after the registration loads the extension.
    let conn = Database::open_in_memory()?.connect()?;
    let answer = conn.query_row("SELECT c_plus_one(41)", (), |row| row.get::<i64>(0))?;
    assert_eq!(answer, 42);
    let null = conn.query_row("SELECT c_plus_one(NULL)", (), |row| {
        row.get::<Option<i64>>(0)
    })?;
    assert_eq!(null, None);
    let sum = conn.query_row(
        "SELECT sum(c_plus_one(range)) FROM range(3000)",
        (),
        |row| row.get::<i64>(0),
    )?;
    assert_eq!(sum, (1..=3000).sum::<i64>());
    let mode = conn.query_row(
        "SELECT install_mode FROM duckdb_extensions() WHERE extension_name = 'c_interop'",
        (),
        |row| row.get::<String>(0),
    )?;
    assert_eq!(mode, "STATICALLY_LINKED");
    println!("c-interop: c_plus_one(41) = {answer}, loaded {mode}");
    Ok(())
}
