//! Workload (f) of BENCHMARKS.md: functions written in Rust with the safe layer and called by
//! DuckDB (the C reference is bench/c/callbacks.c, the duckdb-rs one bench/peers/duckdb-rs).
//!
//! Each is written the way a user of the safe layer would write a fast function: whole slices
//! of the input (`Vector::as_slice`) and of the output (`VectorWriter::as_uninit_slice`), and
//! the validity mask only where NULLs can reach the code.

use duckdb_ffi::safe::functions::{
    Aggregate, AggregateFunction, AggregateStates, CallbackResult, FunctionInput, OutputChunk,
    ScalarFunction, TableBind, TableFunction, TableInit, TableScan,
};
use duckdb_ffi::safe::types::{LogicalType, TypeId};
use duckdb_ffi::safe::{Connection, Result, VectorWriter};
use std::sync::atomic::{AtomicI64, Ordering};

/// Rows the scalar function's query handles (`callbacks_scalar_100m`): 100M, so that one run
/// lasts a few hundred milliseconds (at 10M it took about 30 ms, too short to rank the three
/// implementations by wall time on a shared machine).
pub const SCALAR_ROWS: i64 = 100_000_000;

/// Rows the table function produces (`callbacks_table_10m`; 10M already take about 0.5 s).
pub const TABLE_ROWS: i64 = 10_000_000;

/// Rows the aggregate's query handles (`callbacks_aggregate_100m`; 100M for the same reason as
/// [`SCALAR_ROWS`]).
pub const AGGREGATE_ROWS: i64 = 100_000_000;

/// Writes row `i`'s text, `'v' || i || repeat('.', i % 16)`, into `buf` and returns its length,
/// with the same digit loop as bench/c/callbacks.c (so formatting costs the same on every side).
#[inline]
pub fn row_text(i: i64, buf: &mut [u8; 48]) -> usize {
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut v = i as u64;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf[0] = b'v';
    for k in 0..n {
        buf[1 + k] = digits[n - 1 - k];
    }
    // Always 16 dots (a fixed-size copy), of which the length keeps i % 16.
    buf[1 + n..1 + n + 16].copy_from_slice(&[b'.'; 16]);
    1 + n + i.rem_euclid(16) as usize
}

/// The scalar function `twice_plus_one(BIGINT) -> BIGINT`: `x * 2 + 1`.
pub fn scalar() -> Result<ScalarFunction> {
    let bigint = LogicalType::new(TypeId::BigInt)?;
    Ok(ScalarFunction::new("twice_plus_one", |input, out| {
        let x = input.vector(0)?.as_slice::<i64>()?;
        // NULL rows hold garbage and DuckDB discards their results: wrapping arithmetic.
        for (o, &x) in out.as_uninit_slice::<i64>()?.iter_mut().zip(x) {
            o.write(x.wrapping_mul(2).wrapping_add(1));
        }
        Ok(())
    })
    .param(&bigint)
    .returns(&bigint))
}

/// The table function `callback_rows(n BIGINT) -> (i BIGINT, s VARCHAR)`.
pub struct CallbackRows;

impl TableScan for CallbackRows {
    /// The number of rows to produce.
    type Bind = i64;
    /// The next row to produce.
    type Init = AtomicI64;
    type Local = ();

    fn bind(&self, bind: &mut TableBind<'_>) -> CallbackResult<i64> {
        bind.add_result_column("i", &LogicalType::new(TypeId::BigInt)?)?;
        bind.add_result_column("s", &LogicalType::new(TypeId::Varchar)?)?;
        Ok(bind.parameter(0)?.get_i64()?)
    }

    fn init(&self, _: &i64, _: &mut TableInit<'_>) -> CallbackResult<AtomicI64> {
        Ok(AtomicI64::new(0))
    }

    fn local_init(&self, _: &i64, _: &mut TableInit<'_>) -> CallbackResult<()> {
        Ok(())
    }

    fn scan(
        &self,
        rows: &i64,
        next: &AtomicI64,
        _: &mut (),
        out: &mut OutputChunk<'_>,
    ) -> CallbackResult {
        // One thread scans (the default), so a plain load and store suffice.
        let first = next.load(Ordering::Relaxed);
        let n = (rows - first).clamp(0, out.capacity() as i64) as usize;
        {
            let mut ints = out.column(0)?;
            for (slot, i) in ints.as_uninit_slice::<i64>()?[..n].iter_mut().zip(first..) {
                slot.write(i);
            }
        }
        let mut strings = out.column(1)?;
        let mut buf = [0u8; 48];
        for (row, i) in (first..first + n as i64).enumerate() {
            let len = row_text(i, &mut buf);
            // SAFETY: `row_text` writes ASCII only.
            let text = unsafe { std::str::from_utf8_unchecked(&buf[..len]) };
            strings.set_str(row, text)?;
        }
        next.store(first + n as i64, Ordering::Relaxed);
        out.set_len(n)?;
        Ok(())
    }
}

/// The table function, registered as `callback_rows`.
pub fn table() -> Result<TableFunction> {
    Ok(TableFunction::new("callback_rows", CallbackRows).param(&LogicalType::new(TypeId::BigInt)?))
}

/// The aggregate `sum_udf(BIGINT) -> BIGINT`, its state an `i64`.
pub struct SumUdf;

impl Aggregate for SumUdf {
    type State = i64;

    fn update(
        &self,
        input: &FunctionInput<'_>,
        states: &mut AggregateStates<'_, i64>,
    ) -> CallbackResult {
        let column = input.vector(0)?;
        let x = column.as_slice::<i64>()?;
        let validity = column.validity();
        states.for_each_valid(x, &validity, |sum, x| *sum += x)?;
        Ok(())
    }

    fn combine(&self, source: &mut i64, target: &mut i64) -> CallbackResult {
        *target += *source;
        Ok(())
    }

    fn finalize(&self, state: &mut i64, out: &mut VectorWriter<'_>, row: usize) -> CallbackResult {
        out.as_uninit_slice::<i64>()?[row].write(*state);
        Ok(())
    }
}

/// The aggregate, registered as `sum_udf`.
pub fn aggregate() -> Result<AggregateFunction> {
    let bigint = LogicalType::new(TypeId::BigInt)?;
    Ok(AggregateFunction::new("sum_udf", SumUdf)
        .param(&bigint)
        .returns(&bigint))
}

/// Registers the three functions on `conn`.
pub fn register(conn: &Connection) -> Result<()> {
    conn.register(scalar()?)?;
    conn.register(table()?)?;
    conn.register(aggregate()?)
}

/// The three queries, each over its own number of rows: (scalar, table, aggregate).
pub fn queries(scalar_rows: i64, table_rows: i64, aggregate_rows: i64) -> [String; 3] {
    [
        format!("SELECT sum(twice_plus_one(range))::BIGINT FROM range({scalar_rows})"),
        format!(
            "SELECT count(*), sum(i)::BIGINT, sum(length(s))::BIGINT FROM callback_rows({table_rows})"
        ),
        format!("SELECT sum_udf(range) FROM range({aggregate_rows})"),
    ]
}

/// The scalar query's sum over `rows` rows: the sum of `2x + 1` over `0..rows`.
pub fn expected_scalar(rows: i64) -> i64 {
    rows * rows
}

/// The table query's sums over `rows` rows: (sum of i, sum of the texts' lengths).
pub fn expected_table(rows: i64) -> (i64, i64) {
    let mut buf = [0u8; 48];
    let lengths = (0..rows).map(|i| row_text(i, &mut buf) as i64).sum();
    (rows * (rows - 1) / 2, lengths)
}

/// The aggregate query's sum over `rows` rows: the sum of `0..rows`.
pub fn expected_aggregate(rows: i64) -> i64 {
    rows * (rows - 1) / 2
}
