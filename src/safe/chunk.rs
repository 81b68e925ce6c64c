//! `DataChunk` and `Vector`: zero-copy, type-checked access to columns.
//!
//! A [`Vector`] borrows its [`DataChunk`]; every slice, `&str` and child vector read from it
//! borrows the chunk too, so none can outlive the memory it points into. Each accessor checks
//! the column's logical type once and then hands out plain memory: a slice for fixed-width
//! types, the validity bitmask as words, strings as `&str` into the chunk.
//!
//! ```
//! use duckdb_ffi::safe::Database;
//! let conn = Database::open_in_memory()?.connect()?;
//! let mut result = conn.query(
//!     "SELECT i::INTEGER AS n, CASE WHEN i % 2 = 0 THEN 'even' END AS s FROM range(4) t(i)",
//! )?;
//! let chunk = result.next_chunk()?.expect("one chunk");
//! let n = chunk.vector(0)?;
//! assert_eq!(n.as_slice::<i32>()?, &[0, 1, 2, 3]);
//! let s = chunk.vector(1)?.strings()?;
//! let texts: Vec<Option<&str>> = s.iter().collect::<Result<_, _>>()?;
//! assert_eq!(texts, [Some("even"), None, Some("even"), None]);
//! // Asking for the wrong type is an error that names both types.
//! let err = n.as_slice::<f64>().unwrap_err();
//! assert!(err.message().contains("INTEGER") && err.message().contains("f64"));
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```

use super::datum::{
    BitRef, Date, Datum, Interval, Plan, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs,
    TimestampS, TimestampTz, TimestampTzNs,
};
use super::error::{Error, ErrorKind, Result};
use super::handle::{Owned, kind};
use super::types::{LogicalType, TypeId};
use crate as ffi;
use std::marker::PhantomData;
use std::ops::Range;

/// A chunk of rows (the owner of a `duckdb_data_chunk`): up to 2048 rows of every column.
///
/// Columns are borrowed from it as [`Vector`]s.
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 1").unwrap();
/// let chunk = result.next_chunk().unwrap().unwrap();
/// let column = chunk.vector(0).unwrap();
/// drop(chunk); // error: the vector still borrows the chunk
/// column.len();
/// ```
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 1").unwrap();
/// let chunk = result.next_chunk().unwrap().unwrap();
/// let ints: &[i32] = chunk.vector(0).unwrap().as_slice().unwrap();
/// drop(chunk); // error: the slice points into the chunk
/// println!("{}", ints[0]);
/// ```
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 'text'").unwrap();
/// let chunk = result.next_chunk().unwrap().unwrap();
/// let text: &str = chunk.vector(0).unwrap().strings().unwrap().get(0).unwrap().unwrap();
/// drop(chunk); // error: the &str points into the chunk
/// println!("{text}");
/// ```
///
/// A chunk can move to another thread but not be shared between threads:
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<duckdb_ffi::safe::DataChunk>();
/// ```
#[derive(Debug)]
pub struct DataChunk {
    handle: Owned<kind::DataChunk>,
}

// SAFETY: a chunk has no internal locking; one owner uses it (capi-ownership.md, "Threads":
// Send, not Sync; `Owned` keeps it !Sync).
unsafe impl Send for DataChunk {}

impl DataChunk {
    /// Takes ownership of a chunk.
    ///
    /// # Safety
    /// `raw` must be a chunk the caller owns (from `duckdb_fetch_chunk` or
    /// `duckdb_create_data_chunk`) and that nobody else destroys.
    pub unsafe fn from_raw(raw: ffi::duckdb_data_chunk) -> DataChunk {
        // SAFETY: forwarded from the caller.
        let handle = unsafe { Owned::from_raw(raw) };
        DataChunk { handle }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        // SAFETY: live chunk.
        unsafe { ffi::duckdb_data_chunk_get_size(self.handle.get()) as usize }
    }

    /// Whether the chunk has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        // SAFETY: live chunk.
        unsafe { ffi::duckdb_data_chunk_get_column_count(self.handle.get()) as usize }
    }

    /// The column at `index`, borrowed from the chunk.
    pub fn vector(&self, index: usize) -> Result<Vector<'_>> {
        let count = self.column_count();
        if index >= count {
            return Err(Error::out_of_range("column", index, count));
        }
        // SAFETY: index checked; the vector is borrowed from the chunk ("Getters": borrowed),
        // and `Vector<'_>` borrows `self` so it cannot outlive it.
        let raw =
            unsafe { ffi::duckdb_data_chunk_get_vector(self.handle.get(), index as ffi::idx_t) };
        if raw.is_null() {
            return Err(Error::out_of_range("column", index, count));
        }
        // SAFETY: `raw` belongs to this chunk, whose row count is `len()`.
        Ok(unsafe { Vector::from_raw(raw, self.len()) })
    }

    /// The raw chunk, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_data_chunk {
        self.handle.get()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust type whose memory layout equals a DuckDB column storage type, so a column can be
/// read as `&[Self]` ([`Vector::as_slice`]) or value by value ([`Vector::values`]).
///
/// Implemented (sealed) for: `i8` TINYINT; `i16`, `i32`, `i64`, `i128` SMALLINT, INTEGER,
/// BIGINT, HUGEINT and the DECIMALs stored at that width; `u8`, `u16`, `u32` UTINYINT,
/// USMALLINT, UINTEGER and the ENUM indexes stored at that width; `u64` UBIGINT; `u128`
/// UHUGEINT; `f32` FLOAT; `f64` DOUBLE; `bool` BOOLEAN; and the storage types of
/// [`datum`](super::Date): [`Date`], [`Time`], [`TimeNs`], [`TimeTz`], [`Timestamp`],
/// [`TimestampS`], [`TimestampMs`], [`TimestampNs`], [`TimestampTz`], [`TimestampTzNs`],
/// [`Interval`].
pub trait Primitive: Copy + sealed::Sealed + 'static {
    /// The Rust name, for error messages.
    const NAME: &'static str;

    /// Whether a column of this logical type stores `Self`.
    #[doc(hidden)]
    fn stored_in(v: &Vector<'_>) -> bool;

    /// Reads one value from possibly unaligned memory.
    ///
    /// # Safety
    /// `ptr` points to `size_of::<Self>()` readable bytes holding a value of this storage type.
    #[doc(hidden)]
    unsafe fn read(ptr: *const u8) -> Self {
        // SAFETY: forwarded; every implementor except `bool` accepts any bit pattern, and
        // `bool` overrides this.
        unsafe { ptr.cast::<Self>().read_unaligned() }
    }

    /// Whether the memory may be handed out as `&[Self]`: layout matches (endianness) and every
    /// byte pattern present is a valid `Self`.
    #[doc(hidden)]
    fn slice_ok(_bytes: &[u8]) -> bool {
        true
    }
}

macro_rules! primitive {
    ($t:ty, $name:literal, |$ty:ident| $stored:expr) => {
        impl sealed::Sealed for $t {}
        impl Primitive for $t {
            const NAME: &'static str = $name;
            fn stored_in($ty: &Vector<'_>) -> bool {
                $stored
            }
        }
    };
    ($t:ty, $name:literal, $($id:ident)|+) => {
        primitive!($t, $name, |ty| matches!(ty.type_id(), $(TypeId::$id)|+));
    };
}

/// Whether `v` is a DECIMAL stored as `storage` (the logical type is only fetched for a
/// DECIMAL column).
fn decimal_stored_as(v: &Vector<'_>, storage: TypeId) -> bool {
    v.type_id() == TypeId::Decimal && v.logical_type().decimal_internal_type().ok() == Some(storage)
}

/// Whether `v` is an ENUM whose indexes are stored as `storage`.
fn enum_stored_as(v: &Vector<'_>, storage: TypeId) -> bool {
    v.type_id() == TypeId::Enum && v.logical_type().enum_internal_type().ok() == Some(storage)
}

primitive!(i8, "i8", TinyInt);
primitive!(i16, "i16", |ty| ty.type_id() == TypeId::SmallInt
    || decimal_stored_as(ty, TypeId::SmallInt));
primitive!(i32, "i32", |ty| ty.type_id() == TypeId::Integer
    || decimal_stored_as(ty, TypeId::Integer));
primitive!(i64, "i64", |ty| ty.type_id() == TypeId::BigInt
    || decimal_stored_as(ty, TypeId::BigInt));
primitive!(u8, "u8", |ty| ty.type_id() == TypeId::UTinyInt
    || enum_stored_as(ty, TypeId::UTinyInt));
primitive!(u16, "u16", |ty| ty.type_id() == TypeId::USmallInt
    || enum_stored_as(ty, TypeId::USmallInt));
primitive!(u32, "u32", |ty| ty.type_id() == TypeId::UInteger
    || enum_stored_as(ty, TypeId::UInteger));
primitive!(u64, "u64", UBigInt);
primitive!(f32, "f32", Float);
primitive!(f64, "f64", Double);
primitive!(Date, "Date", Date);
primitive!(Time, "Time", Time);
primitive!(TimeNs, "TimeNs", TimeNs);
primitive!(TimeTz, "TimeTz", TimeTz);
primitive!(Timestamp, "Timestamp", Timestamp);
primitive!(TimestampS, "TimestampS", TimestampS);
primitive!(TimestampMs, "TimestampMs", TimestampMs);
primitive!(TimestampNs, "TimestampNs", TimestampNs);
primitive!(TimestampTz, "TimestampTz", TimestampTz);
primitive!(TimestampTzNs, "TimestampTzNs", TimestampTzNs);
primitive!(Interval, "Interval", Interval);

impl sealed::Sealed for bool {}
/// BOOLEAN is one byte per row. A `&[bool]` is only handed out after checking every byte is
/// 0 or 1 (a Rust `bool` with any other byte is undefined behaviour); [`Vector::values`] reads
/// any non-zero byte as `true` without that check.
impl Primitive for bool {
    const NAME: &'static str = "bool";
    fn stored_in(ty: &Vector<'_>) -> bool {
        ty.type_id() == TypeId::Boolean
    }
    unsafe fn read(ptr: *const u8) -> bool {
        // SAFETY: forwarded: one readable byte.
        unsafe { *ptr != 0 }
    }
    fn slice_ok(bytes: &[u8]) -> bool {
        bytes.iter().all(|&b| b <= 1)
    }
}

/// HUGEINT / UHUGEINT are stored as `{ lower: u64, upper: i64/u64 }` (8-byte aligned in C);
/// Rust's `i128` wants 16-byte alignment, so slices are only handed out when the data is
/// 16-aligned and the target is little-endian, and reads go through the two halves.
macro_rules! huge {
    ($t:ty, $name:literal, $upper:ty, |$ty:ident| $stored:expr) => {
        impl sealed::Sealed for $t {}
        impl Primitive for $t {
            const NAME: &'static str = $name;
            fn stored_in($ty: &Vector<'_>) -> bool {
                $stored
            }
            unsafe fn read(ptr: *const u8) -> $t {
                // SAFETY: forwarded: 16 readable bytes laid out as duckdb_(u)hugeint.
                let (lower, upper) = unsafe {
                    (
                        ptr.cast::<u64>().read_unaligned(),
                        ptr.add(8).cast::<$upper>().read_unaligned(),
                    )
                };
                ((upper as $t) << 64) | lower as $t
            }
            fn slice_ok(_bytes: &[u8]) -> bool {
                cfg!(target_endian = "little")
            }
        }
    };
}
huge!(i128, "i128", i64, |ty| ty.type_id() == TypeId::HugeInt
    || decimal_stored_as(ty, TypeId::HugeInt));
huge!(u128, "u128", u64, |ty| ty.type_id() == TypeId::UHugeInt);

/// One column of a [`DataChunk`] (or a child of a nested column), borrowed from it: a
/// `duckdb_vector` is never destroyed.
///
/// Accessors check the column's logical type once and return [`ErrorKind::TypeMismatch`],
/// naming both types, when asked for the wrong one; rows past the end are
/// [`ErrorKind::OutOfRange`]. Data under NULL rows is never interpreted: check
/// [`validity`](Self::validity) (the typed accessors return `None` for NULL).
#[derive(Debug, Clone, Copy)]
pub struct Vector<'chunk> {
    raw: ffi::duckdb_vector,
    len: usize,
    /// What every accessor needs, fetched once when the vector is borrowed (the type id costs
    /// an owned logical type: a C++ allocation and two ledger updates).
    parts: VectorParts,
    _chunk: PhantomData<&'chunk DataChunk>,
}

/// The per-vector facts [`Vector`] caches: its data and validity pointers and its type id.
///
/// A vector's type never changes, and its data and validity pointers only change through
/// `duckdb_data_chunk_reset`, `duckdb_vector_ensure_validity_writable` or a list reserve, none
/// of which the safe layer can call while a `Vector<'chunk>` (a shared borrow of the chunk)
/// exists; [`Validity`] and the slices of [`Vector::as_slice`] rely on the same fact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VectorParts {
    raw: ffi::duckdb_vector,
    data: *const u8,
    validity: *const u64,
    id: TypeId,
}

// SAFETY: plain pointers into a chunk, which may move between threads (capi-ownership.md,
// "Threads": chunks and vectors are Send). They are only dereferenced through a `Vector`
// rebuilt by the unsafe `Vector::from_parts`, whose contract requires the chunk to be alive;
// this lets `Rows` (which caches them next to its chunk) stay `Send` like the chunk itself.
unsafe impl Send for VectorParts {}

impl VectorParts {
    /// Reads the facts of a live vector.
    ///
    /// # Safety
    /// `raw` must be a live, non-null vector.
    unsafe fn fetch(raw: ffi::duckdb_vector) -> VectorParts {
        // SAFETY: live vector (caller). The data and validity pointers are borrowed from the
        // chunk ("Getters: borrowed": validity may be NULL = all valid); the column type is
        // owned ("Getters: owned") and destroyed by `LogicalType`'s `Owned` at the end of
        // this statement.
        unsafe {
            VectorParts {
                raw,
                data: ffi::duckdb_vector_get_data(raw).cast_const().cast(),
                validity: ffi::duckdb_vector_get_validity(raw).cast_const(),
                id: LogicalType::from_raw(ffi::duckdb_vector_get_column_type(raw)).id(),
            }
        }
    }
}

impl<'chunk> Vector<'chunk> {
    /// # Safety
    /// `raw` must be non-null, stay valid for `'chunk` and hold at least `len` rows.
    pub(crate) unsafe fn from_raw(raw: ffi::duckdb_vector, len: usize) -> Vector<'chunk> {
        // SAFETY: forwarded: `raw` is live and non-null.
        let parts = unsafe { VectorParts::fetch(raw) };
        Vector {
            raw,
            len,
            parts,
            _chunk: PhantomData,
        }
    }

    /// The facts this vector cached, for a reader (such as [`Rows`](super::Rows)) that keeps
    /// them across rows of the same chunk.
    pub(crate) fn parts(&self) -> VectorParts {
        self.parts
    }

    /// Rebuilds a vector from facts cached by [`parts`](Self::parts).
    ///
    /// # Safety
    /// `parts` must come from a vector of a chunk that stays alive and unmodified for
    /// `'chunk`, and that holds at least `len` rows.
    pub(crate) unsafe fn from_parts(parts: VectorParts, len: usize) -> Vector<'chunk> {
        Vector {
            raw: parts.raw,
            len,
            parts,
            _chunk: PhantomData,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The column's logical type.
    pub fn logical_type(&self) -> LogicalType {
        // SAFETY: live vector; the returned type is owned ("Getters": owned).
        unsafe { LogicalType::from_raw(ffi::duckdb_vector_get_column_type(self.raw)) }
    }

    /// The column's type id (cached when the vector was borrowed: no C call). Every typed
    /// accessor checks it, so asking for the wrong type stays an error:
    ///
    /// ```
    /// use duckdb_ffi::safe::{Database, ErrorKind, TypeId};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let mut result = conn.query("SELECT 1::SMALLINT AS a, 2.5::DECIMAL(4,1) AS d, 'x' AS s")?;
    /// let chunk = result.next_chunk()?.expect("one chunk");
    /// let (a, d, s) = (chunk.vector(0)?, chunk.vector(1)?, chunk.vector(2)?);
    /// assert_eq!(a.type_id(), TypeId::SmallInt);
    /// assert_eq!(a.type_id(), a.logical_type().id());
    /// assert_eq!(a.as_slice::<i16>()?, &[1]);
    /// let err = a.as_slice::<i32>().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    /// assert!(err.message().contains("SMALLINT"), "{}", err.message());
    /// // DECIMAL(4,1) is stored as SMALLINT: readable as i16, not as i32.
    /// assert_eq!(d.values::<i16>()?.get(0)?, Some(25));
    /// assert!(d.values::<i32>().is_err());
    /// assert!(s.as_slice::<i64>().is_err());
    /// assert_eq!(a.strings().unwrap_err().kind(), ErrorKind::TypeMismatch);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    #[inline]
    pub fn type_id(&self) -> TypeId {
        self.parts.id
    }

    /// Whether row `row` is NULL. Out-of-range rows are an error.
    #[inline]
    pub fn is_null(&self, row: usize) -> Result<bool> {
        self.check_row(row)?;
        Ok(!self.is_valid_in_range(row))
    }

    /// Whether row `row` (already checked `< len`) is valid, straight from the cached mask.
    #[inline]
    pub(crate) fn is_valid_in_range(&self, row: usize) -> bool {
        debug_assert!(row < self.len);
        let mask = self.parts.validity;
        // SAFETY: `row < len` (caller); the mask, when present, has one bit per row of the
        // vector's capacity (>= len) and is borrowed from the chunk for 'chunk (see
        // `VectorParts`).
        mask.is_null() || unsafe { *mask.add(row / 64) } >> (row % 64) & 1 == 1
    }

    /// The NULL bitmask, borrowed from the chunk.
    #[inline]
    pub fn validity(&self) -> Validity<'chunk> {
        let mask = self.parts.validity;
        let words = if mask.is_null() {
            None
        } else {
            // SAFETY: the mask (fetched with "Getters": borrowed, may be null = all valid) has
            // one bit per row of the vector's capacity (>= len), so ceil(len / 64) words are
            // readable; the chunk outlives 'chunk.
            Some(unsafe { std::slice::from_raw_parts(mask, self.len.div_ceil(64)) })
        };
        Validity {
            words,
            len: self.len,
        }
    }

    /// The raw vector, borrowed from its chunk.
    pub fn as_raw(&self) -> ffi::duckdb_vector {
        self.raw
    }

    #[inline]
    pub(crate) fn check_row(&self, row: usize) -> Result<()> {
        if row < self.len {
            Ok(())
        } else {
            Err(Error::out_of_range("row", row, self.len))
        }
    }

    /// An error naming the column's type and the requested one.
    pub(crate) fn mismatch(ty: &LogicalType, wanted: &str) -> Error {
        Error::new(
            ErrorKind::TypeMismatch,
            format!("column has type {ty}, cannot be read as {wanted}"),
        )
    }

    /// Checks that the column has one of `expected` types.
    /// Uses the cached type id; the logical type is only fetched to word an error.
    #[inline]
    pub(crate) fn expect_type(&self, wanted: &str, expected: &[TypeId]) -> Result<TypeId> {
        let actual = self.parts.id;
        if expected.contains(&actual) {
            return Ok(actual);
        }
        Err(self.mismatch_here(wanted))
    }

    /// A [`mismatch`](Self::mismatch) error for this column (cold: fetches the logical type).
    #[cold]
    pub(crate) fn mismatch_here(&self, wanted: &str) -> Error {
        Self::mismatch(&self.logical_type(), wanted)
    }

    #[inline]
    fn data(&self) -> *const u8 {
        self.parts.data
    }

    /// The column as a slice of its storage type, without copying.
    ///
    /// Values under NULL rows are unspecified (but valid for the type): combine with
    /// [`validity`](Self::validity). `bool` slices are only returned when every byte is 0 or 1,
    /// and `i128`/`u128` slices only when the data is 16-byte aligned (little-endian targets);
    /// [`values`](Self::values) reads those cases safely instead.
    pub fn as_slice<T: Primitive>(&self) -> Result<&'chunk [T]> {
        if !T::stored_in(self) {
            return Err(self.mismatch_here(T::NAME));
        }
        if self.len == 0 {
            return Ok(&[]);
        }
        let data = self.data();
        if data.is_null() || (data as usize) % std::mem::align_of::<T>() != 0 {
            return Err(Error::misuse(format!(
                "the {} data is not aligned for &[{}]; use Vector::values::<{}>() instead",
                self.logical_type(),
                T::NAME,
                T::NAME
            )));
        }
        // SAFETY: the type check proves the vector stores `len` values of `T`'s layout in a
        // buffer borrowed from the chunk for 'chunk; reading them as bytes is sound.
        let bytes =
            unsafe { std::slice::from_raw_parts(data, self.len * std::mem::size_of::<T>()) };
        if !T::slice_ok(bytes) {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "the {} data holds bytes that are not a valid {} (DuckDB leaves garbage under NULL \
                     rows); use Vector::values or Vector::bool_bytes instead",
                    self.logical_type(),
                    T::NAME
                ),
            ));
        }
        // SAFETY: aligned (checked), `len` values of `T` (type check), every bit pattern valid
        // (`slice_ok`), borrowed for 'chunk.
        Ok(unsafe { std::slice::from_raw_parts(data.cast::<T>(), self.len) })
    }

    /// A BOOLEAN column's bytes, without copying: non-zero is `true`. DuckDB leaves arbitrary
    /// bytes under NULL rows, so this (or [`values::<bool>`](Self::values)) is the way to read
    /// a BOOLEAN column with NULLs; `as_slice::<bool>` refuses such data.
    pub fn bool_bytes(&self) -> Result<&'chunk [u8]> {
        self.expect_type("bool bytes", &[TypeId::Boolean])?;
        if self.len == 0 {
            return Ok(&[]);
        }
        // SAFETY: BOOLEAN stores one byte per row; `len` bytes borrowed for 'chunk.
        Ok(unsafe { std::slice::from_raw_parts(self.data(), self.len) })
    }

    /// The column as a typed reader that works whatever the alignment, NULL-aware.
    pub fn values<T: Primitive>(&self) -> Result<Values<'chunk, T>> {
        if !T::stored_in(self) {
            return Err(self.mismatch_here(T::NAME));
        }
        Ok(Values {
            data: self.data(),
            len: self.len,
            validity: self.validity(),
            _t: PhantomData,
        })
    }

    /// Reads row `row` as `T` without checks.
    ///
    /// # Safety
    /// The column's storage type is `T`'s and `row < len`.
    #[inline]
    pub(crate) unsafe fn read_unchecked<T: Primitive>(&self, row: usize) -> T {
        // SAFETY: forwarded: in bounds of a buffer holding `T`s.
        unsafe { T::read(self.data().add(row * std::mem::size_of::<T>())) }
    }

    /// The bytes of string row `row` (VARCHAR, BLOB, BIT storage), pointing into the chunk.
    ///
    /// # Safety
    /// The column stores `duckdb_string_t`, `row < len`, and the row is valid (under a NULL
    /// row the struct may be garbage).
    #[inline]
    pub(crate) unsafe fn string_unchecked(&self, row: usize) -> &'chunk [u8] {
        // SAFETY: forwarded. A duckdb_string_t is 16 bytes: a u32 length, then either the
        // inlined bytes (length <= 12) at offset 4, or a 4-byte prefix and a pointer at offset
        // 8 ("Strings": duckdb_string_t). We read in place, never from a copy, so the inlined
        // bytes stay inside the chunk's memory.
        unsafe {
            let p = self.data().add(row * 16);
            let len = p.cast::<u32>().read_unaligned() as usize;
            let bytes = if len <= 12 {
                p.add(4)
            } else {
                p.add(8).cast::<*const u8>().read_unaligned()
            };
            std::slice::from_raw_parts(bytes, len)
        }
    }

    /// The byte length of string row `row` (VARCHAR, BLOB, BIT storage), without touching
    /// the bytes.
    ///
    /// # Safety
    /// The column stores `duckdb_string_t` and `row < len`. Under a NULL row the length is
    /// unspecified but reading it is sound (it is a plain `u32` inside the vector's data).
    #[inline]
    pub(crate) unsafe fn string_len_unchecked(&self, row: usize) -> usize {
        // SAFETY: forwarded: the first 4 bytes of the row's 16-byte duckdb_string_t are its
        // length, for inlined and pointer strings alike ("Strings": duckdb_string_t).
        unsafe { self.data().add(row * 16).cast::<u32>().read_unaligned() as usize }
    }

    /// A VARCHAR column's strings, borrowed from the chunk (UTF-8 checked per string).
    ///
    /// To sum or compare lengths, [`Strings::byte_lens`] reads each `duckdb_string_t`'s length
    /// without building (or checking) a `&str`:
    ///
    /// ```
    /// use duckdb_ffi::safe::{Database, ErrorKind};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// // Inlined (<= 12 bytes) and pointer strings, two-byte characters and NULLs, over several
    /// // chunks; SQL's strlen (bytes) is the oracle.
    /// let mut result = conn.query(
    ///     "SELECT CASE WHEN i % 7 = 3 THEN NULL ELSE repeat(CASE WHEN i % 2 = 0 THEN 'x' \
    ///      ELSE 'é' END, (i % 20)::INTEGER) END AS s, strlen(s) AS n FROM range(5000) t(i)",
    /// )?;
    /// let (mut rows, mut nulls) = (0, 0);
    /// for chunk in result.chunks() {
    ///     let chunk = chunk?;
    ///     let strings = chunk.vector(0)?.strings()?;
    ///     let expected = chunk.vector(1)?.values::<i64>()?;
    ///     for (row, len) in strings.byte_lens().enumerate() {
    ///         let want = expected.get(row)?.map(|n| n as usize);
    ///         assert_eq!(len, want);
    ///         assert_eq!(strings.byte_len(row)?, want);
    ///         assert_eq!(strings.get(row)?.map(str::len), want);
    ///         nulls += usize::from(len.is_none());
    ///     }
    ///     let past_end = strings.byte_len(chunk.len()).unwrap_err();
    ///     assert_eq!(past_end.kind(), ErrorKind::OutOfRange);
    ///     rows += chunk.len();
    /// }
    /// assert_eq!((rows, nulls), (5000, (0..5000).filter(|i| i % 7 == 3).count()));
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn strings(&self) -> Result<Strings<'chunk>> {
        self.expect_type("&str", &[TypeId::Varchar])?;
        Ok(Strings {
            vector: *self,
            validity: self.validity(),
        })
    }

    /// A BLOB (or VARCHAR) column's bytes, borrowed from the chunk.
    pub fn blobs(&self) -> Result<Blobs<'chunk>> {
        self.expect_type("&[u8]", &[TypeId::Blob, TypeId::Varchar])?;
        Ok(Blobs {
            vector: *self,
            validity: self.validity(),
        })
    }

    /// A BIT column's values, borrowed from the chunk.
    pub fn bits(&self) -> Result<Bits<'chunk>> {
        self.expect_type("bits", &[TypeId::Bit])?;
        Ok(Bits {
            vector: *self,
            validity: self.validity(),
        })
    }

    /// A LIST column: per-row ranges into one child vector.
    pub fn list(&self) -> Result<ListVector<'chunk>> {
        self.expect_type("a list", &[TypeId::List, TypeId::Map])?;
        self.list_unchecked()
    }

    fn list_unchecked(&self) -> Result<ListVector<'chunk>> {
        // SAFETY: LIST/MAP vector; the child and size are borrowed from it ("Getters").
        let (child, size) = unsafe {
            (
                ffi::duckdb_list_vector_get_child(self.raw),
                ffi::duckdb_list_vector_get_size(self.raw) as usize,
            )
        };
        if child.is_null() {
            return Err(Error::misuse("list vector has no child"));
        }
        let entries: &'chunk [ffi::duckdb_list_entry] = if self.len == 0 {
            &[]
        } else {
            // SAFETY: a LIST vector's data is `len` list entries {offset, length} (two u64,
            // 8-aligned as allocated by DuckDB), borrowed for 'chunk.
            unsafe { std::slice::from_raw_parts(self.data().cast(), self.len) }
        };
        // SAFETY: the child lives as long as the parent and holds `size` rows.
        let child = unsafe { Vector::from_raw(child, size) };
        Ok(ListVector {
            entries,
            child,
            validity: self.validity(),
        })
    }

    /// A MAP column: a list of `STRUCT(key, value)` entries.
    pub fn map(&self) -> Result<MapVector<'chunk>> {
        self.expect_type("a map", &[TypeId::Map])?;
        Ok(MapVector {
            list: self.list_unchecked()?,
        })
    }

    /// An ARRAY column: fixed-size rows in one child vector.
    pub fn array(&self) -> Result<ArrayVector<'chunk>> {
        let ty = self.logical_type();
        if ty.id() != TypeId::Array {
            return Err(Self::mismatch(&ty, "an array"));
        }
        let size = ty.array_size()?;
        // SAFETY: ARRAY vector; the child is borrowed from it ("Getters").
        let child = unsafe { ffi::duckdb_array_vector_get_child(self.raw) };
        if child.is_null() {
            return Err(Error::misuse("array vector has no child"));
        }
        let child_len = self
            .len
            .checked_mul(size)
            .ok_or_else(|| Error::misuse("array vector too large"))?;
        // SAFETY: the child holds `size` elements per parent row.
        let child = unsafe { Vector::from_raw(child, child_len) };
        Ok(ArrayVector {
            size,
            child,
            validity: self.validity(),
        })
    }

    /// Number of fields of a STRUCT column (members + 1 for a UNION: the tag comes first).
    pub fn struct_child_count(&self) -> Result<usize> {
        let ty = self.logical_type();
        match ty.id() {
            TypeId::Struct => ty.struct_child_count(),
            TypeId::Union => Ok(ty.union_member_count()? + 1),
            _ => Err(Self::mismatch(&ty, "a struct")),
        }
    }

    /// Field `index` of a STRUCT (or UNION) column, with the parent's rows. The index is
    /// checked here: `duckdb_struct_vector_get_child` does not check it.
    pub fn struct_child(&self, index: usize) -> Result<Vector<'chunk>> {
        let count = self.struct_child_count()?;
        if index >= count {
            return Err(Error::out_of_range("struct field", index, count));
        }
        // SAFETY: STRUCT/UNION vector, index < field count; the child is borrowed.
        let child = unsafe { ffi::duckdb_struct_vector_get_child(self.raw, index as ffi::idx_t) };
        if child.is_null() {
            return Err(Error::misuse("struct vector has no child"));
        }
        // SAFETY: struct children have the parent's rows and live as long as it.
        Ok(unsafe { Vector::from_raw(child, self.len) })
    }

    /// The active member index of UNION row `row` (unspecified when the row is NULL: check
    /// [`validity`](Self::validity) first).
    pub fn union_tag(&self, row: usize) -> Result<u8> {
        self.expect_type("a union", &[TypeId::Union])?;
        self.check_row(row)?;
        let tags = self.struct_child(0)?;
        // SAFETY: a UNION's first struct child is the UTINYINT tag; row < len.
        Ok(unsafe { tags.read_unchecked::<u8>(row) })
    }

    /// The vector of UNION member `member` (0-based, tag excluded).
    pub fn union_member(&self, member: usize) -> Result<Vector<'chunk>> {
        self.expect_type("a union", &[TypeId::Union])?;
        self.struct_child(
            member
                .checked_add(1)
                .ok_or_else(|| Error::out_of_range("union member", member, 0))?,
        )
    }

    /// Row `row` as an owned [`Datum`], whatever the column's type (nested types included).
    pub fn datum(&self, row: usize) -> Result<Datum> {
        self.check_row(row)?;
        Plan::new(&self.logical_type())?.read(self, row)
    }

    /// Every row as a [`Datum`] (the type is inspected once).
    pub fn datums(&self) -> Result<Vec<Datum>> {
        let plan = Plan::new(&self.logical_type())?;
        (0..self.len).map(|row| plan.read(self, row)).collect()
    }
}

/// A column's NULL bitmask, borrowed from its chunk: bit `row % 64` of word `row / 64` is set
/// when the row is valid. DuckDB leaves the mask out (here: `words()` is `None`) when every row
/// is valid.
#[derive(Debug, Clone, Copy)]
pub struct Validity<'chunk> {
    words: Option<&'chunk [u64]>,
    len: usize,
}

impl<'chunk> Validity<'chunk> {
    /// Whether `row` holds a value (is not NULL). Rows past the end are reported as not valid.
    #[inline]
    pub fn is_valid(&self, row: usize) -> bool {
        if row >= self.len {
            return false;
        }
        match self.words {
            None => true,
            // SAFETY: `words` has `len.div_ceil(64)` words (built only by `Vector::validity`)
            // and `row < len` (checked above), so `row / 64` is in bounds.
            Some(words) => (unsafe { *words.get_unchecked(row / 64) }) >> (row % 64) & 1 == 1,
        }
    }

    /// Whether every row is valid.
    pub fn all_valid(&self) -> bool {
        self.null_count() == 0
    }

    /// Number of NULL rows.
    pub fn null_count(&self) -> usize {
        match self.words {
            None => 0,
            Some(words) => {
                let full = self.len / 64;
                let mut valid: usize = words[..full].iter().map(|w| w.count_ones() as usize).sum();
                if self.len % 64 != 0 {
                    valid += (words[full] & ((1u64 << (self.len % 64)) - 1)).count_ones() as usize;
                }
                self.len - valid
            }
        }
    }

    /// The mask words (`ceil(len / 64)` of them), or `None` when all rows are valid. Bits past
    /// `len` in the last word are unspecified.
    pub fn words(&self) -> Option<&'chunk [u64]> {
        self.words
    }

    /// Number of rows the mask covers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mask covers no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A fixed-width column read value by value (see [`Vector::values`]); works for any
/// alignment and returns `None` for NULL rows.
#[derive(Debug, Clone, Copy)]
pub struct Values<'chunk, T> {
    data: *const u8,
    len: usize,
    validity: Validity<'chunk>,
    _t: PhantomData<&'chunk [T]>,
}

impl<'chunk, T: Primitive> Values<'chunk, T> {
    /// Row `row`: `None` when NULL; out of range is an error.
    pub fn get(&self, row: usize) -> Result<Option<T>> {
        if row >= self.len {
            return Err(Error::out_of_range("row", row, self.len));
        }
        Ok(self.get_in_range(row))
    }

    #[inline]
    fn get_in_range(&self, row: usize) -> Option<T> {
        if !self.validity.is_valid(row) {
            return None;
        }
        // SAFETY: the type was checked by `Vector::values`, row < len.
        Some(unsafe { T::read(self.data.add(row * std::mem::size_of::<T>())) })
    }

    /// Every row in order, `None` for NULL.
    pub fn iter(&self) -> impl Iterator<Item = Option<T>> + '_ {
        (0..self.len).map(|row| self.get_in_range(row))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

macro_rules! string_column {
    ($(#[$doc:meta])* $name:ident, $item:ty, |$bytes:ident| $convert:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'chunk> {
            vector: Vector<'chunk>,
            validity: Validity<'chunk>,
        }

        impl<'chunk> $name<'chunk> {
            /// Row `row`, borrowed from the chunk: `None` when NULL; out of range is an error.
            pub fn get(&self, row: usize) -> Result<Option<$item>> {
                self.vector.check_row(row)?;
                self.get_in_range(row)
            }

            #[inline]
            fn get_in_range(&self, row: usize) -> Result<Option<$item>> {
                if !self.validity.is_valid(row) {
                    return Ok(None);
                }
                // SAFETY: the column stores duckdb_string_t (type checked at creation), the
                // row is in range and valid.
                let $bytes = unsafe { self.vector.string_unchecked(row) };
                Ok(Some($convert))
            }

            /// Every row in order.
            pub fn iter(&self) -> impl Iterator<Item = Result<Option<$item>>> + '_ {
                (0..self.vector.len).map(|row| self.get_in_range(row))
            }

            /// The length in bytes of row `row`'s stored value, read from the
            /// `duckdb_string_t` without touching (or checking) the bytes: `None` when NULL;
            /// out of range is an error.
            pub fn byte_len(&self, row: usize) -> Result<Option<usize>> {
                self.vector.check_row(row)?;
                Ok(self.byte_len_in_range(row))
            }

            #[inline]
            fn byte_len_in_range(&self, row: usize) -> Option<usize> {
                if !self.validity.is_valid(row) {
                    return None;
                }
                // SAFETY: the column stores duckdb_string_t (type checked at creation) and
                // the row is in range.
                Some(unsafe { self.vector.string_len_unchecked(row) })
            }

            /// Every row's length in bytes ([`byte_len`](Self::byte_len)) in order, `None`
            /// for NULL.
            pub fn byte_lens(&self) -> impl Iterator<Item = Option<usize>> + '_ {
                (0..self.vector.len).map(|row| self.byte_len_in_range(row))
            }

            /// Number of rows.
            pub fn len(&self) -> usize {
                self.vector.len
            }

            /// Whether there are no rows.
            pub fn is_empty(&self) -> bool {
                self.vector.len == 0
            }
        }
    };
}

string_column!(
    /// A VARCHAR column's strings ([`Vector::strings`]): `&str` into the chunk, checked as
    /// UTF-8 when read ([`ErrorKind::InvalidUtf8`] otherwise).
    Strings, &'chunk str, |bytes| utf8(bytes)?
);

/// Checks `bytes` as UTF-8. ASCII (the common case) is recognised word-at-a-time by
/// `<[u8]>::is_ascii`, which is cheaper than the general validator for short strings; any
/// other input goes through `std::str::from_utf8`.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str> {
    if bytes.is_ascii() {
        // SAFETY: every byte is < 0x80, and ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        Ok(std::str::from_utf8(bytes)?)
    }
}
string_column!(
    /// A BLOB column's values ([`Vector::blobs`]): `&[u8]` into the chunk.
    Blobs, &'chunk [u8], |bytes| bytes
);
string_column!(
    /// A BIT column's values ([`Vector::bits`]), borrowed from the chunk.
    Bits, BitRef<'chunk>, |bytes| BitRef::new(bytes)?
);

/// A LIST column ([`Vector::list`]): each valid row is a range of rows of [`child`](Self::child).
#[derive(Debug, Clone, Copy)]
pub struct ListVector<'chunk> {
    entries: &'chunk [ffi::duckdb_list_entry],
    child: Vector<'chunk>,
    validity: Validity<'chunk>,
}

impl<'chunk> ListVector<'chunk> {
    /// The rows of the child vector that make up row `row`; `None` when the row is NULL.
    /// An entry pointing outside the child is an error, never an out-of-bounds read.
    pub fn range(&self, row: usize) -> Result<Option<Range<usize>>> {
        if row >= self.entries.len() {
            return Err(Error::out_of_range("row", row, self.entries.len()));
        }
        if !self.validity.is_valid(row) {
            return Ok(None);
        }
        let e = self.entries[row];
        let start = e.offset as usize;
        match start.checked_add(e.length as usize) {
            Some(end) if end <= self.child.len => Ok(Some(start..end)),
            _ => Err(Error::out_of_range(
                "list child row",
                start.saturating_add(e.length as usize),
                self.child.len,
            )),
        }
    }

    /// The child vector holding every row's elements.
    pub fn child(&self) -> Vector<'chunk> {
        self.child
    }

    /// Number of rows (lists).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A MAP column ([`Vector::map`]): a list whose child is `STRUCT(key, value)`.
#[derive(Debug, Clone, Copy)]
pub struct MapVector<'chunk> {
    list: ListVector<'chunk>,
}

impl<'chunk> MapVector<'chunk> {
    /// The entry rows of row `row` in [`keys`](Self::keys) / [`values`](Self::values);
    /// `None` when the row is NULL.
    pub fn range(&self, row: usize) -> Result<Option<Range<usize>>> {
        self.list.range(row)
    }

    /// All keys (a vector over every row's entries).
    pub fn keys(&self) -> Result<Vector<'chunk>> {
        self.list.child.struct_child(0)
    }

    /// All values (a vector over every row's entries).
    pub fn values(&self) -> Result<Vector<'chunk>> {
        self.list.child.struct_child(1)
    }

    /// Number of rows (maps).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// An ARRAY column ([`Vector::array`]): row `r` is child rows `r * size .. (r + 1) * size`.
#[derive(Debug, Clone, Copy)]
pub struct ArrayVector<'chunk> {
    size: usize,
    child: Vector<'chunk>,
    validity: Validity<'chunk>,
}

impl<'chunk> ArrayVector<'chunk> {
    /// The fixed number of elements per row.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The child rows of row `row`; `None` when the row is NULL.
    pub fn range(&self, row: usize) -> Result<Option<Range<usize>>> {
        let rows = self.validity.len;
        if row >= rows {
            return Err(Error::out_of_range("row", row, rows));
        }
        Ok(self
            .validity
            .is_valid(row)
            .then(|| row * self.size..(row + 1) * self.size))
    }

    /// The child vector holding every row's elements.
    pub fn child(&self) -> Vector<'chunk> {
        self.child
    }
}

#[cfg(test)]
mod tests {
    use super::utf8;
    use crate::safe::ErrorKind;

    #[test]
    fn utf8_accepts_ascii_and_multibyte_and_rejects_invalid_bytes() {
        assert_eq!(
            utf8(b"plain ascii text, longer than one word")
                .unwrap()
                .len(),
            38
        );
        assert_eq!(
            utf8("h\u{e9}llo \u{1F986}".as_bytes()).unwrap(),
            "h\u{e9}llo \u{1F986}"
        );
        for bad in [&b"\xff"[..], b"abc\xc3", b"0123456789abcdef\x80"] {
            assert_eq!(
                utf8(bad).unwrap_err().kind(),
                ErrorKind::InvalidUtf8,
                "{bad:?}"
            );
        }
    }
}
