//! `QueryResult`: columns, metadata, and chunk iteration.

use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::read::{ColumnNames, DataChunk};
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;

use std::cell::OnceCell;
use std::ffi::CStr;
use std::marker::PhantomData;

/// The result of a query (the owner of a `duckdb_result`), read chunk by chunk.
///
/// It borrows its [`Connection`](crate::safe::Connection): a result cannot outlive the connection that made it.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut result = conn.query("SELECT range AS n FROM range(5000)")?;
/// assert_eq!(result.column_name(0)?, "n");
/// let mut rows = 0;
/// for chunk in result.chunks() {
///     rows += chunk?.len();
/// }
/// assert_eq!(rows, 5000);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct QueryResult<'conn> {
    handle: Owned<kind::Result>,
    /// Column names for by-name lookups in rows, read on first use.
    names: OnceCell<Vec<String>>,
    /// The connection the result borrows.
    _conn: PhantomData<&'conn ()>,
}

// SAFETY: a result has no internal locking and is only used through `&mut self`/`&self` of
// one owner (src/c_api.md, "Threads": Send, not Sync; `Owned` keeps it !Sync).
unsafe impl Send for QueryResult<'_> {}

impl<'conn> QueryResult<'conn> {
    /// Runs `fill`, a C call that writes a `duckdb_result` through the pointer it is given
    /// (zeroed first, as the C API requires), and wraps the outcome: the result on success,
    /// else its error (the result is destroyed on both paths).
    ///
    /// # Safety
    /// `fill` must leave the `duckdb_result` zeroed or holding a result that is ours to destroy,
    /// which every result-filling call of the C API does, on failure too ("result" row).
    pub(crate) unsafe fn from_call(
        fill: impl FnOnce(*mut ffi::duckdb_result) -> ffi::duckdb_state,
    ) -> Result<QueryResult<'conn>> {
        // SAFETY: a zeroed duckdb_result is the required initial state ("General rules").
        let mut raw: ffi::duckdb_result = unsafe { std::mem::zeroed() };
        let state = fill(&mut raw);
        let result = QueryResult {
            // SAFETY: the caller's contract: `raw` is zeroed or a result we must destroy.
            handle: unsafe { Owned::from_raw(raw) },
            names: OnceCell::new(),
            _conn: PhantomData,
        };
        if state == ffi::duckdb_state_DuckDBSuccess {
            return Ok(result);
        }
        Err(result
            .error()
            .unwrap_or_else(|| Error::misuse("the query failed without a message")))
    }

    /// The error the result carries, if any.
    fn error(&self) -> Option<Error> {
        // SAFETY: live result; the message is borrowed from it and copied by from_c.
        unsafe {
            let message = ffi::duckdb_result_error(self.handle.as_ptr());
            if message.is_null() {
                return None;
            }
            let code = ffi::duckdb_result_error_type(self.handle.as_ptr());
            Some(Error::from_c(Some(code), message, "the query"))
        }
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        // SAFETY: live result.
        unsafe { ffi::duckdb_column_count(self.handle.as_ptr()) as usize }
    }

    fn check_column(&self, column: usize) -> Result<()> {
        Error::check_index("column", column, self.column_count())
    }

    /// The name of a column.
    pub fn column_name(&self, column: usize) -> Result<&str> {
        self.check_column(column)?;
        // SAFETY: column checked; the name lives as long as the result (borrowed string).
        let name = unsafe { ffi::duckdb_column_name(self.handle.as_ptr(), column as ffi::idx_t) };
        if name.is_null() {
            return Err(Error::out_of_range("column", column, self.column_count()));
        }
        // SAFETY: non-null C string owned by the result, which `&self` keeps alive.
        Ok(unsafe { CStr::from_ptr(name) }.to_str()?)
    }

    /// All column names, in order.
    pub fn column_names(&self) -> Result<Vec<&str>> {
        (0..self.column_count())
            .map(|c| self.column_name(c))
            .collect()
    }

    /// The type id of a column.
    pub fn column_type_id(&self, column: usize) -> Result<TypeId> {
        self.check_column(column)?;
        // SAFETY: live result, column checked.
        Ok(TypeId::from_raw(unsafe {
            ffi::duckdb_column_type(self.handle.as_ptr(), column as ffi::idx_t)
        }))
    }

    /// The full logical type of a column (with its parameters and children).
    pub fn column_type(&self, column: usize) -> Result<LogicalType> {
        self.check_column(column)?;
        // SAFETY: live result, column checked; the returned type is owned ("Getters" list).
        Ok(unsafe {
            LogicalType::from_raw(ffi::duckdb_column_logical_type(
                self.handle.as_ptr(),
                column as ffi::idx_t,
            ))
        })
    }

    /// Rows an INSERT, UPDATE or DELETE changed; 0 for other statements.
    pub fn rows_changed(&self) -> u64 {
        // SAFETY: live result.
        unsafe { ffi::duckdb_rows_changed(self.handle.as_ptr()) }
    }

    /// The kind of statement that produced this result.
    pub fn statement_type(&self) -> StatementType {
        // SAFETY: live result.
        StatementType::from_raw(unsafe { ffi::duckdb_result_statement_type(self.handle.get()) })
    }

    /// Fetches the next chunk of rows; `None` at the end.
    ///
    /// Chunks are owned: they stay valid after the result is dropped.
    pub fn next_chunk(&mut self) -> Result<Option<DataChunk>> {
        // SAFETY: live result; the returned chunk is owned ("data_chunk" row).
        let raw = unsafe { ffi::duckdb_fetch_chunk(self.handle.get()) };
        if raw.is_null() {
            // NULL means the end or an error (src/c_api.md, "Traps").
            return match self.error() {
                Some(e) => Err(e),
                None => Ok(None),
            };
        }
        // SAFETY: a fresh chunk we own.
        Ok(Some(unsafe { DataChunk::from_raw(raw) }))
    }

    /// Iterates over the remaining chunks.
    pub fn chunks(&mut self) -> Chunks<'_, 'conn> {
        Chunks {
            result: self,
            done: false,
        }
    }

    /// The raw result, still owned by `self`.
    pub fn as_raw(&self) -> *mut ffi::duckdb_result {
        self.handle.as_ptr()
    }
}

/// Iterator over a result's chunks, from [`QueryResult::chunks`].
#[derive(Debug)]
pub struct Chunks<'r, 'conn> {
    result: &'r mut QueryResult<'conn>,
    done: bool,
}

impl Iterator for Chunks<'_, '_> {
    type Item = Result<DataChunk>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.result.next_chunk().transpose();
        self.done = !matches!(next, Some(Ok(_)));
        next
    }
}

macro_rules! statement_types {
    ($($variant:ident = $c:ident),* $(,)?) => {
        /// The kind of statement a result came from (`duckdb_statement_type`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum StatementType {
            $( #[doc = concat!("`", stringify!($c), "`")] $variant, )*
            /// A code this crate does not know (a newer engine).
            Other(u32),
        }

        impl StatementType {
            /// Maps a raw `duckdb_statement_type`.
            pub fn from_raw(raw: ffi::duckdb_statement_type) -> StatementType {
                $( if raw == ffi::$c { return StatementType::$variant; } )*
                StatementType::Other(raw as u32)
            }
        }
    };
}

statement_types! {
    Invalid = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INVALID,
    Select = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT,
    Insert = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INSERT,
    Update = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_UPDATE,
    Explain = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXPLAIN,
    Delete = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DELETE,
    Prepare = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_PREPARE,
    Create = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE,
    Execute = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXECUTE,
    Alter = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ALTER,
    Transaction = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_TRANSACTION,
    Copy = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_COPY,
    Analyze = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ANALYZE,
    VariableSet = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_VARIABLE_SET,
    CreateFunc = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE_FUNC,
    Drop = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DROP,
    Export = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXPORT,
    Pragma = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_PRAGMA,
    Vacuum = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_VACUUM,
    Call = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CALL,
    Set = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SET,
    Load = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_LOAD,
    Relation = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_RELATION,
    Extension = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXTENSION,
    LogicalPlan = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_LOGICAL_PLAN,
    Attach = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ATTACH,
    Detach = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DETACH,
    Multi = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_MULTI,
    CopyDatabase = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_COPY_DATABASE,
    UpdateExtensions = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_UPDATE_EXTENSIONS,
    MergeInto = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_MERGE_INTO,
}

impl ColumnNames for QueryResult<'_> {
    fn cached_names(&self) -> &[String] {
        self.names.get_or_init(|| {
            (0..self.column_count())
                .map(|c| self.column_name(c).unwrap_or("").to_owned())
                .collect()
        })
    }
}
