//! The workloads through duckdb-ffi's safe layer, written as a user of the crate would.

use super::{APPEND_ROWS, RENDER_QUERY, SCAN_QUERY, ScanSums};
use duckdb_ffi::safe::types::{LogicalType, TypeId};
use duckdb_ffi::safe::{
    ChunkWriter, Connection, Database, Error, ErrorKind, PreparedStatement, QueryResult, Result,
};

/// The first row's column 0 as `i64` (through the row API).
fn first_i64(mut result: QueryResult<'_>) -> Result<i64> {
    let mut rows = result.rows();
    match rows.next()? {
        Some(row) => row.get::<i64>(0),
        None => Err(Error::new(
            ErrorKind::OutOfRange,
            "the query returned no rows",
        )),
    }
}

/// Workload (a), one round trip: `SELECT 42` (an INTEGER) read as a 64-bit integer.
///
/// `Connection::query` (`duckdb_query`, as the C program) rather than `query_row`, which
/// prepares the statement first.
pub fn query_select42(conn: &Connection) -> Result<i64> {
    first_i64(conn.query("SELECT 42")?)
}

/// Prepares the statement of workload (b).
pub fn prepare(conn: &Connection) -> Result<PreparedStatement<'_>> {
    conn.prepare("SELECT ?::BIGINT + 1")
}

/// Workload (b), one execution: bind `i`, execute, read the BIGINT.
pub fn execute(stmt: &mut PreparedStatement<'_>, i: i64) -> Result<i64> {
    stmt.query_row([i], |row| row.get(0))
}

/// Workload (c) through chunks: typed slices, the validity mask and the strings' byte
/// lengths (read from each `duckdb_string_t`, as the C program does: no `&str` is built).
pub fn scan_chunks(conn: &Connection) -> Result<ScanSums> {
    sum_chunks(&mut conn.query(SCAN_QUERY)?)
}

/// Reads every chunk of `result`. Not inlined, so that callgrind can count it alone
/// (`--toggle-collect='*sum_chunks*'`): the query before it runs partly on DuckDB's worker
/// threads, this part only on the caller's.
#[inline(never)]
fn sum_chunks(result: &mut QueryResult<'_>) -> Result<ScanSums> {
    let mut sums = ScanSums::default();
    for chunk in result.chunks() {
        let chunk = chunk?;
        let (vi, vd, vs) = (chunk.vector(0)?, chunk.vector(1)?, chunk.vector(2)?);
        // A loop per column. Callgrind, fetch included, per row: 107 instructions this way,
        // 128 for one zipped loop over the three columns, 144 for one indexed loop with
        // `byte_len(row)` (1M-row probe); the C program's one loop: 104.5 (10M rows).
        let ints = vi.as_slice::<i64>()?;
        let validity = vi.validity();
        for (row, value) in ints.iter().enumerate() {
            if validity.is_valid(row) {
                sums.ints += value;
            }
        }
        sums.doubles += vd.as_slice::<f64>()?.iter().sum::<f64>();
        for len in vs.strings()?.byte_lens() {
            sums.lengths += len.unwrap_or(0) as i64;
        }
        sums.rows += chunk.len() as i64;
    }
    Ok(sums)
}

/// Workload (c) through rows: `Row::get` per cell.
pub fn scan_rows(conn: &Connection) -> Result<ScanSums> {
    let mut sums = ScanSums::default();
    let mut result = conn.query(SCAN_QUERY)?;
    let mut rows = result.rows();
    while let Some(row) = rows.next()? {
        sums.ints += row.get::<Option<i64>>(0)?.unwrap_or(0);
        sums.doubles += row.get::<f64>(1)?;
        sums.lengths += row.get::<&str>(2)?.len() as i64;
        sums.rows += 1;
    }
    Ok(sums)
}

/// Workload (d), row by row: appends [`APPEND_ROWS`] rows of `texts` to table `a`.
pub fn append_rows(conn: &Connection, texts: &[String]) -> Result<()> {
    let mut app = conn.appender("a")?;
    for (i, text) in (0..APPEND_ROWS).zip(texts) {
        app.append_row((i, i as f64 * 0.5, text.as_str()))?;
    }
    app.close()
}

/// Workload (d), chunk-wise: fills one reusable chunk of the vector size at a time.
pub fn append_chunks(conn: &Connection, texts: &[String]) -> Result<()> {
    let types = [
        LogicalType::new(TypeId::BigInt)?,
        LogicalType::new(TypeId::Double)?,
        LogicalType::new(TypeId::Varchar)?,
    ];
    let mut writer = ChunkWriter::new(&types)?;
    let capacity = writer.capacity();
    let mut app = conn.appender("a")?;
    for (start, texts) in (0..APPEND_ROWS)
        .step_by(capacity)
        .zip(texts.chunks(capacity))
    {
        writer.reset();
        for (slot, i) in writer
            .column_mut::<i64>(0)?
            .iter_mut()
            .zip(start..)
            .take(texts.len())
        {
            *slot = i;
        }
        for (slot, i) in writer
            .column_mut::<f64>(1)?
            .iter_mut()
            .zip(start..)
            .take(texts.len())
        {
            *slot = i as f64 * 0.5;
        }
        writer.set_strs(2, 0, texts)?;
        writer.set_len(texts.len())?;
        app.append_chunk(writer.chunk())?;
    }
    app.close()
}

/// Workload (e), one cycle: open, connect, disconnect, close.
pub fn open_close() -> Result<()> {
    let db = Database::open_in_memory()?;
    let conn = db.connect()?;
    conn.close();
    db.close();
    Ok(())
}

/// Workload (g): every cell of the render table written as text straight from the chunk
/// (`Vector::display_cells`) into one reused `String`; returns the total text length of the
/// non-NULL cells (the C program sums the lengths of the engine's `CAST(.. AS VARCHAR)`).
pub fn render(conn: &Connection) -> Result<i64> {
    let mut result = conn.query(RENDER_QUERY)?;
    let mut text = String::with_capacity(256);
    let mut total = 0;
    while let Some(chunk) = result.next_chunk()? {
        for c in 0..chunk.column_count() {
            let cells = chunk.vector(c)?.display_cells()?;
            for row in 0..cells.len() {
                text.clear();
                if cells.write_to(row, &mut text)? {
                    total += text.len() as i64;
                }
            }
        }
    }
    Ok(total)
}
