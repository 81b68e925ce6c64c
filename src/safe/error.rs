//! The one error type of the safe layer.

use crate as ffi;
use std::ffi::{CStr, c_char};
use std::fmt;
use std::sync::Arc;

/// What went wrong: an error DuckDB reported (with its `duckdb_error_type`), or a Rust-side
/// misuse the safe layer caught before calling C.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// DuckDB reported an error of this type.
    Engine(EngineError),
    /// A string handed to C contained a NUL byte.
    InteriorNul,
    /// Text from DuckDB (or a `&[u8]` handed in as text) was not UTF-8.
    InvalidUtf8,
    /// A value was read or bound as a type it does not have.
    TypeMismatch,
    /// A column, row, parameter or child index outside what exists.
    OutOfRange,
    /// The API was used in a way DuckDB forbids (for example a closed connection).
    Misuse,
    /// An Arrow producer (a foreign stream's callback) reported an error, or Arrow data
    /// could not be taken as it is.
    Arrow,
}

macro_rules! engine_errors {
    ($($variant:ident = $c:ident, $name:literal),* $(,)?) => {
        /// DuckDB's error classes (`duckdb_error_type`), one variant each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EngineError {
            $(
                #[doc = concat!("`", stringify!($c), "`")]
                $variant,
            )*
            /// A code this crate does not know (a newer engine).
            Other(u32),
        }

        impl EngineError {
            /// Maps a raw `duckdb_error_type`.
            pub fn from_raw(code: ffi::duckdb_error_type) -> EngineError {
                $( if code == ffi::$c { return EngineError::$variant; } )*
                EngineError::Other(code as u32)
            }

            /// DuckDB's name for the class, as it starts messages (`"Catalog"` in
            /// `"Catalog Error: ..."`).
            pub fn name(self) -> &'static str {
                match self {
                    $( EngineError::$variant => $name, )*
                    EngineError::Other(_) => "Unknown",
                }
            }

            /// Classifies a message by the class name DuckDB puts in front of it, for the calls
            /// that return only a message (`duckdb_open_ext`, `duckdb_prepare_error`).
            pub fn from_message(message: &str) -> Option<EngineError> {
                [$( EngineError::$variant ),*]
                    .into_iter()
                    .filter(|e| {
                        message.strip_prefix(e.name()).is_some_and(|rest| rest.starts_with(" Error"))
                    })
                    .max_by_key(|e| e.name().len())
            }

            /// The raw `duckdb_error_type`.
            pub fn to_raw(self) -> ffi::duckdb_error_type {
                match self {
                    $( EngineError::$variant => ffi::$c, )*
                    EngineError::Other(code) => code as ffi::duckdb_error_type,
                }
            }
        }
    };
}

engine_errors! {
    Invalid = duckdb_error_type_DUCKDB_ERROR_INVALID, "Invalid",
    OutOfRange = duckdb_error_type_DUCKDB_ERROR_OUT_OF_RANGE, "Out of Range",
    Conversion = duckdb_error_type_DUCKDB_ERROR_CONVERSION, "Conversion",
    UnknownType = duckdb_error_type_DUCKDB_ERROR_UNKNOWN_TYPE, "Unknown Type",
    Decimal = duckdb_error_type_DUCKDB_ERROR_DECIMAL, "Decimal",
    MismatchType = duckdb_error_type_DUCKDB_ERROR_MISMATCH_TYPE, "Mismatch Type",
    DivideByZero = duckdb_error_type_DUCKDB_ERROR_DIVIDE_BY_ZERO, "Divide by Zero",
    ObjectSize = duckdb_error_type_DUCKDB_ERROR_OBJECT_SIZE, "Object Size",
    InvalidType = duckdb_error_type_DUCKDB_ERROR_INVALID_TYPE, "Invalid type",
    Serialization = duckdb_error_type_DUCKDB_ERROR_SERIALIZATION, "Serialization",
    Transaction = duckdb_error_type_DUCKDB_ERROR_TRANSACTION, "TransactionContext",
    NotImplemented = duckdb_error_type_DUCKDB_ERROR_NOT_IMPLEMENTED, "Not implemented",
    Expression = duckdb_error_type_DUCKDB_ERROR_EXPRESSION, "Expression",
    Catalog = duckdb_error_type_DUCKDB_ERROR_CATALOG, "Catalog",
    Parser = duckdb_error_type_DUCKDB_ERROR_PARSER, "Parser",
    Planner = duckdb_error_type_DUCKDB_ERROR_PLANNER, "Planner",
    Scheduler = duckdb_error_type_DUCKDB_ERROR_SCHEDULER, "Scheduler",
    Executor = duckdb_error_type_DUCKDB_ERROR_EXECUTOR, "Executor",
    Constraint = duckdb_error_type_DUCKDB_ERROR_CONSTRAINT, "Constraint",
    Index = duckdb_error_type_DUCKDB_ERROR_INDEX, "Index",
    Stat = duckdb_error_type_DUCKDB_ERROR_STAT, "Stat",
    Connection = duckdb_error_type_DUCKDB_ERROR_CONNECTION, "Connection",
    Syntax = duckdb_error_type_DUCKDB_ERROR_SYNTAX, "Syntax",
    Settings = duckdb_error_type_DUCKDB_ERROR_SETTINGS, "Settings",
    Binder = duckdb_error_type_DUCKDB_ERROR_BINDER, "Binder",
    Network = duckdb_error_type_DUCKDB_ERROR_NETWORK, "Network",
    Optimizer = duckdb_error_type_DUCKDB_ERROR_OPTIMIZER, "Optimizer",
    NullPointer = duckdb_error_type_DUCKDB_ERROR_NULL_POINTER, "NullPointer",
    Io = duckdb_error_type_DUCKDB_ERROR_IO, "IO",
    Interrupt = duckdb_error_type_DUCKDB_ERROR_INTERRUPT, "INTERRUPT",
    Fatal = duckdb_error_type_DUCKDB_ERROR_FATAL, "FATAL",
    Internal = duckdb_error_type_DUCKDB_ERROR_INTERNAL, "INTERNAL",
    InvalidInput = duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT, "Invalid Input",
    OutOfMemory = duckdb_error_type_DUCKDB_ERROR_OUT_OF_MEMORY, "Out of Memory",
    Permission = duckdb_error_type_DUCKDB_ERROR_PERMISSION, "Permission",
    ParameterNotResolved = duckdb_error_type_DUCKDB_ERROR_PARAMETER_NOT_RESOLVED, "Parameter Not Resolved",
    ParameterNotAllowed = duckdb_error_type_DUCKDB_ERROR_PARAMETER_NOT_ALLOWED, "Parameter Not Allowed",
    Dependency = duckdb_error_type_DUCKDB_ERROR_DEPENDENCY, "Dependency",
    Http = duckdb_error_type_DUCKDB_ERROR_HTTP, "HTTP",
    MissingExtension = duckdb_error_type_DUCKDB_ERROR_MISSING_EXTENSION, "Missing Extension",
    Autoload = duckdb_error_type_DUCKDB_ERROR_AUTOLOAD, "Extension Autoloading",
    Sequence = duckdb_error_type_DUCKDB_ERROR_SEQUENCE, "Sequence",
    InvalidConfiguration = duckdb_error_type_DUCKDB_INVALID_CONFIGURATION, "Invalid Configuration",
    DataCorruption = duckdb_error_type_DUCKDB_ERROR_DATA_CORRUPTION, "Data Corruption",
    ResourceInUse = duckdb_error_type_DUCKDB_ERROR_RESOURCE_IN_USE, "Resource In Use",
}

/// An error from the safe layer: its [`ErrorKind`], a message for humans, and optionally the
/// error that caused it ([`source`](std::error::Error::source)).
///
/// A conversion written outside this crate (a [`FromSql`](crate::safe::types::FromSql) of your
/// own, say) keeps its cause with [`with_source`](Error::with_source):
///
/// ```
/// use duckdb_ffi::safe::{Error, ErrorKind};
/// use std::error::Error as _;
///
/// let parsed = "x1".parse::<u32>().map_err(|e| {
///     Error::new(ErrorKind::TypeMismatch, "not a port number").with_source(e)
/// });
/// let err = parsed.unwrap_err();
/// assert_eq!(err.source().unwrap().to_string(), "invalid digit found in string");
/// ```
///
/// Errors compare equal when their kinds and messages are equal; the source is not compared.
/// A clone shares the source.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.kind == other.kind && self.message == other.message
    }
}

impl Eq for Error {}

/// `Result` with the safe layer's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same error, caused by `source` (returned by [`source`](std::error::Error::source)).
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// An error DuckDB reported.
    pub fn engine(code: ffi::duckdb_error_type, message: impl Into<String>) -> Error {
        let message = feature_hint(message.into());
        Error::new(ErrorKind::Engine(EngineError::from_raw(code)), message)
    }

    /// Builds an engine error from a C message that may be null (DuckDB then said nothing).
    /// Without a `code`, the class is read from the message.
    ///
    /// # Safety
    /// `message` is null or a valid NUL-terminated string.
    pub(crate) unsafe fn from_c(
        code: Option<ffi::duckdb_error_type>,
        message: *const c_char,
        context: &str,
    ) -> Error {
        let text = if message.is_null() {
            format!("{context} failed without a message")
        } else {
            // SAFETY: the caller guarantees a valid C string; it is copied before returning.
            unsafe { CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        };
        match code {
            Some(code) => Error::engine(code, text),
            None => Error::from_message(text),
        }
    }

    /// An engine error known only by its message, classified by the message's prefix
    /// ([`EngineError::from_message`]); `Invalid` when the prefix is not recognised.
    ///
    /// One exception: a database file locked by another process is `ResourceInUse`. DuckDB
    /// reports it as an IO error ("Could not set lock on file", `src/common/local_file_system.cpp`
    /// in the pinned sources), which would not tell it from a missing folder or a file that is
    /// not a database.
    pub fn from_message(message: impl Into<String>) -> Error {
        let message = feature_hint(message.into());
        let class = match EngineError::from_message(&message) {
            Some(EngineError::Io) if message.contains("Could not set lock on file") => {
                EngineError::ResourceInUse
            }
            class => class.unwrap_or(EngineError::Invalid),
        };
        Error::new(ErrorKind::Engine(class), message)
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// DuckDB's error class, when DuckDB reported the error.
    pub fn engine_error(&self) -> Option<EngineError> {
        match self.kind {
            ErrorKind::Engine(e) => Some(e),
            _ => None,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn misuse(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Misuse, message)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn out_of_range(what: &str, index: usize, len: usize) -> Error {
        Error::new(
            ErrorKind::OutOfRange,
            format!("{what} {index} is out of range (there are {len})"),
        )
    }

    /// `Ok` when `index < len`, else the [`out_of_range`](Self::out_of_range) error.
    pub(crate) fn check_index(what: &str, index: usize, len: usize) -> Result<()> {
        if index < len {
            Ok(())
        } else {
            Err(Error::out_of_range(what, index, len))
        }
    }
}

/// DuckDB's error for a function, type or `LOAD` of an extension that this crate's engine
/// compiles but does not register (its cargo feature is off) advises installing it, which
/// would fetch a build made for another engine. Its advice is replaced by the feature's name.
fn feature_hint(message: String) -> String {
    // Set by the build script when it compiles the engine: the extensions left unregistered.
    match option_env!("DUCKDB_FFI_UNREGISTERED_EXTENSIONS") {
        Some(unregistered) => hint_for(message, unregistered),
        None => message,
    }
}

/// [`feature_hint`] for the comma-separated `unregistered` extensions.
fn hint_for(message: String, unregistered: &str) -> String {
    let Some(name) = unregistered.split(',').find(|name| {
        !name.is_empty()
            && (message.contains(&format!("exists in the {name} extension"))
                || message.contains(&format!("/{name}.duckdb_extension")))
    }) else {
        return message;
    };
    let first = message.split("\n\n").next().unwrap_or_default();
    format!(
        "{first}\n\nThe {name} extension is compiled into duckdb-ffi's engine but registered only \
         with the cargo feature `{name}` (on by default): enable that feature rather than \
         installing the extension."
    )
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Engine(_) => f.write_str(&self.message),
            kind => write!(f, "{kind:?}: {}", self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<std::ffi::NulError> for Error {
    fn from(e: std::ffi::NulError) -> Error {
        Error::new(
            ErrorKind::InteriorNul,
            format!(
                "string contains a NUL byte at position {}",
                e.nul_position()
            ),
        )
        .with_source(e)
    }
}

impl From<std::str::Utf8Error> for Error {
    fn from(e: std::str::Utf8Error) -> Error {
        Error::new(ErrorKind::InvalidUtf8, e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::{Error, ErrorKind, hint_for};
    use std::error::Error as _;

    #[test]
    fn a_source_survives_clones_and_is_left_out_of_equality() {
        let plain = Error::new(ErrorKind::TypeMismatch, "not a number");
        assert!(plain.source().is_none());
        let cause = "12a".parse::<i32>().unwrap_err();
        let caused = plain.clone().with_source(cause.clone());
        assert_eq!(caused.source().unwrap().to_string(), cause.to_string());
        let copy = caused.clone();
        assert_eq!(copy.source().unwrap().to_string(), cause.to_string());
        assert_eq!(caused, plain);
        assert_eq!(caused.to_string(), plain.to_string());
        let bytes = vec![0xffu8];
        let utf8 = Error::from(std::str::from_utf8(&bytes).unwrap_err());
        assert_eq!(utf8.kind(), ErrorKind::InvalidUtf8);
        assert!(utf8.source().is_some());
    }

    #[test]
    fn install_advice_for_an_unregistered_extension_names_the_feature() {
        let catalog = "Catalog Error: Table Function with name read_parquet is not in the \
                       catalog, but it exists in the parquet extension.\n\nPlease try \
                       installing and loading the parquet extension:\nINSTALL parquet;";
        let hinted = hint_for(catalog.to_string(), "json,parquet");
        assert!(hinted.starts_with("Catalog Error: Table Function with name read_parquet"));
        assert!(hinted.contains("cargo feature `parquet`"), "{hinted}");
        assert!(!hinted.contains("INSTALL"), "{hinted}");

        let load = "IO Error: Extension \"/home/u/.duckdb/extensions/v2.0.0/linux_amd64/\
                    json.duckdb_extension\" not found.";
        assert!(hint_for(load.to_string(), "json").contains("cargo feature `json`"));

        // Registered extensions, other extensions and other errors are left as they are.
        assert_eq!(hint_for(catalog.to_string(), "json"), catalog);
        assert_eq!(hint_for(catalog.to_string(), ""), catalog);
        let icu = "Catalog Error: ... but it exists in the icu extension.";
        assert_eq!(hint_for(icu.to_string(), "json,parquet"), icu);
    }
}
