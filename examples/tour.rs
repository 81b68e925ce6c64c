//! A tour of the safe layer: open, create, append, query, read columns zero-copy and rows
//! conveniently, see an error, and end with the ledger proving every handle was destroyed.
//!
//! ```text
//! cargo run --release --example tour
//! ```

use duckdb_ffi::safe::functions::ScalarFunction;
use duckdb_ffi::safe::types::{Datum, LogicalType, Null, Timestamp, TypeId};
use duckdb_ffi::safe::{Database, EngineError, Error, ErrorKind, ledger, library_version};

fn main() -> Result<(), Error> {
    // Everything that holds a C handle lives in this block, so it is all gone at its end.
    {
        // 1. Open an in-memory database and connect.
        let db = Database::open_in_memory()?;
        let conn = db.connect()?;
        println!(
            "DuckDB {} (pinned {})",
            library_version(),
            duckdb_ffi::PINNED_DUCKDB_VERSION
        );

        // 2. Create a table and fill it: a few rows by hand, many through the appender.
        conn.execute_batch(
            "CREATE TABLE readings(sensor INTEGER, taken TIMESTAMP, celsius DOUBLE, note VARCHAR, tags VARCHAR[]);
             INSERT INTO readings VALUES
               (1, TIMESTAMP '2024-01-01 00:00:00', 21.5, 'first reading', ['calibrated']),
               (2, TIMESTAMP '2024-01-01 00:00:00', NULL, NULL, []);",
        )?;
        let mut appender = conn.appender("readings")?;
        for i in 0..10_000i32 {
            let note = if i % 1000 == 0 {
                Some(format!("checkpoint {i}"))
            } else {
                None
            };
            appender.append(&(i % 10 + 1))?;
            appender.append(&Timestamp {
                micros: 1_704_067_200_000_000 + i64::from(i) * 60_000_000,
            })?;
            appender.append(&(15.0 + f64::from(i % 200) / 10.0))?;
            appender.append(&note)?;
            appender.append(&Null)?;
            appender.end_row()?;
        }
        appender.close()?;
        println!(
            "rows in table: {}",
            conn.query_row("SELECT count(*) FROM readings", (), |r| r.get::<i64>(0))?
        );

        // 3. Zero-copy columns: each chunk's vectors are slices into DuckDB's memory.
        let mut result =
            conn.query("SELECT sensor, celsius, note FROM readings ORDER BY taken, sensor")?;
        let (mut chunks, mut sum, mut valid, mut notes) = (0, 0.0, 0usize, 0usize);
        for chunk in result.chunks() {
            let chunk = chunk?;
            chunks += 1;
            let celsius = chunk.vector(1)?;
            let values = celsius.as_slice::<f64>()?; // &[f64] borrowed from the chunk
            let validity = celsius.validity(); // the NULL bitmask, borrowed too
            for (row, value) in values.iter().enumerate() {
                if validity.is_valid(row) {
                    sum += value;
                    valid += 1;
                }
            }
            // Strings are &str pointing into the chunk (short ones live inside the vector).
            notes += chunk
                .vector(2)?
                .strings()?
                .iter()
                .filter(|s| matches!(s, Ok(Some(_))))
                .count();
        }
        println!(
            "{chunks} chunks, mean temperature {:.2} over {valid} readings, {notes} notes",
            sum / valid as f64
        );
        drop(result); // a result holds its C memory until dropped

        // 4. Rows, rusqlite style: typed getters, Option for NULL, columns by name.
        let mut result = conn.query("SELECT sensor, taken, celsius, note, tags FROM readings ORDER BY taken, sensor LIMIT 3")?;
        let mut rows = result.rows();
        while let Some(row) = rows.next()? {
            let sensor: i32 = row.get("sensor")?;
            let taken: Timestamp = row.get(1)?;
            let celsius: Option<f64> = row.get("celsius")?;
            let note: Option<String> = row.get("note")?;
            let tags: Datum = row.get("tags")?; // any type, nested included
            println!("  sensor {sensor} at {taken}: {celsius:?} °C, note {note:?}, tags {tags}");
        }
        drop(rows);
        drop(result);

        // Prepared statement with parameters, first row only.
        let hottest: (i32, f64) = conn.query_row(
            "SELECT sensor, max(celsius) FROM readings WHERE sensor >= ? GROUP BY sensor ORDER BY 2 DESC, 1 LIMIT 1",
            [5],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        println!(
            "hottest sensor (id >= 5): {} at {} °C",
            hottest.0, hottest.1
        );

        // A scalar function written in Rust, called from SQL.
        let celsius = LogicalType::new(TypeId::Double)?;
        let to_fahrenheit = ScalarFunction::new("fahrenheit", |input, out| {
            let c = input.vector(0)?.as_slice::<f64>()?;
            for (f, c) in out.as_uninit_slice::<f64>()?.iter_mut().zip(c) {
                f.write(c * 9.0 / 5.0 + 32.0);
            }
            Ok(())
        })
        .param(&celsius)
        .returns(&celsius);
        conn.register(to_fahrenheit)?;
        let warmest: f64 =
            conn.query_row("SELECT max(fahrenheit(celsius)) FROM readings", (), |row| {
                row.get(0)
            })?;
        println!("warmest reading: {warmest:.1} °F (a Rust UDF)");

        // Arrow out and back in, through the Arrow C data interface (no Arrow library).
        let stream = conn
            .query("SELECT sensor, celsius FROM readings")?
            .into_arrow()?;
        conn.execute("CREATE TABLE readings_copy(sensor INTEGER, celsius DOUBLE)")?;
        let copied = conn.append_arrow("readings_copy", stream)?;
        println!("copied {copied} readings through Arrow");

        // 5. Errors are values with a kind, never a panic.
        let err = conn.query("SELECT * FROM no_such_table").unwrap_err();
        assert_eq!(err.engine_error(), Some(EngineError::Catalog));
        println!(
            "expected error ({:?}): {}",
            err.kind(),
            err.message().lines().next().unwrap_or("")
        );
        let mut result = conn.query("SELECT 'text' AS t")?;
        let chunk = result.next_chunk()?.expect("one row");
        let err = chunk.vector(0)?.as_slice::<i64>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TypeMismatch);
        println!("expected error: {err}");

        println!("\nwhile open:\n{}", ledger::snapshot());
        // Leaving the block drops chunk, result, connection and database, in that order.
    }

    // 6. The ledger proves every C handle was destroyed.
    let after = ledger::snapshot();
    println!("after:\n{after}");
    assert_eq!(after.live_total(), 0, "every handle must be destroyed");
    println!("live handles: 0");
    Ok(())
}
