//! Cast functions between a type (often a user type alias) and another, and type aliases.

use super::guard::{CallbackResult, catch, drop_handed, hand_over, handed};
use super::{Register, Registrar, name_error, registered};
use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{HandleKind, Owned, kind};
use crate::safe::read::Vector;
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;
use crate::safe::write::VectorWriter;

/// The input of one call of a cast: `count` source rows, and how failures are reported.
pub struct CastInput<'a> {
    info: ffi::duckdb_function_info,
    vector: Vector<'a>,
}

impl<'a> CastInput<'a> {
    /// The source rows.
    pub fn vector(&self) -> Vector<'a> {
        self.vector
    }

    /// Whether this is a `TRY_CAST`, where a row that cannot be cast becomes NULL rather than
    /// failing the query.
    pub fn is_try_cast(&self) -> bool {
        // SAFETY: live function info during the cast callback.
        unsafe {
            ffi::duckdb_cast_function_get_cast_mode(self.info)
                == ffi::duckdb_cast_mode_DUCKDB_CAST_TRY
        }
    }

    /// Reports that `row` cannot be cast: in a `TRY_CAST` the row becomes NULL, otherwise the
    /// query fails with `message` (return an error from the callback too, or `Ok` to go on
    /// with the other rows of a `TRY_CAST`).
    pub fn row_error(&self, row: usize, message: &str, out: &mut VectorWriter<'_>) {
        let message = super::guard::c_message(message.to_owned());
        // SAFETY: live function info and output vector; the message is copied.
        unsafe {
            ffi::duckdb_cast_function_set_row_error(
                self.info,
                message.as_ptr(),
                row as ffi::idx_t,
                out.as_raw(),
            )
        };
    }
}

type CastFn = dyn Fn(&CastInput<'_>, &mut VectorWriter<'_>) -> CallbackResult + Send + Sync;

/// A cast from one type to another written in Rust, registered with
/// [`Connection::register`](crate::safe::Connection::register); used by `CAST`, `::` and (with
/// an [implicit cost](Self::implicit_cost)) implicitly.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::functions::{CastFunction, TypeAlias};
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.register(TypeAlias::new("yes_no", LogicalType::new(TypeId::Boolean)?))?;
/// let mut yes_no = LogicalType::new(TypeId::Boolean)?;
/// yes_no.set_alias("yes_no")?;
/// let to_text = CastFunction::new(&yes_no, &LogicalType::new(TypeId::Varchar)?, |input, out| {
///     let values = input.vector().values::<bool>()?;
///     for row in 0..out.len() {
///         if let Some(v) = values.get(row)? {
///             out.set_str(row, if v { "yes" } else { "no" })?;
///         }
///     }
///     Ok(())
/// });
/// conn.register(to_text)?;
/// let text = conn.query_row("SELECT (true::yes_no)::VARCHAR", (), |row| row.get::<String>(0))?;
/// assert_eq!(text, "yes");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
pub struct CastFunction {
    handle: Owned<kind::CastFunction>,
    description: String,
    /// The callbacks, until registration hands them to DuckDB: `duckdb_destroy_cast_function`
    /// does not free a cast's extra info (only a registered cast's user data does), so they
    /// stay ours, and dropped by `Drop`, until then.
    data: *mut std::ffi::c_void,
    /// Whether both types are concrete (DuckDB refuses INVALID and ANY).
    types_ok: bool,
}

impl std::fmt::Debug for CastFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CastFunction")
            .field("cast", &self.description)
            .finish_non_exhaustive()
    }
}

// SAFETY: the C cast object is a plain C++ value owned by this struct alone; the callbacks
// behind `data` are ours alone too, and `Send + Sync`.
unsafe impl Send for CastFunction {}

impl Drop for CastFunction {
    fn drop(&mut self) {
        if !self.data.is_null() {
            // SAFETY: never handed to DuckDB (registration nulls it), made by `hand_over`.
            unsafe { drop_handed::<Callbacks>(self.data) };
        }
    }
}

struct Callbacks {
    description: String,
    cast: Box<CastFn>,
}

impl CastFunction {
    /// A cast from `source` to `target` computed by `cast`, which fills `out.len()` rows.
    pub fn new<F>(source: &LogicalType, target: &LogicalType, cast: F) -> CastFunction
    where
        F: Fn(&CastInput<'_>, &mut VectorWriter<'_>) -> CallbackResult + Send + Sync + 'static,
    {
        let description = format!("the cast from {source} to {target}");
        // SAFETY: creates a new cast object, owned by `Owned` from here on.
        let handle = unsafe { Owned::from_raw(ffi::duckdb_create_cast_function()) };
        let raw = handle.get();
        let data = hand_over(
            HandleKind::FunctionInfo,
            Callbacks {
                description: description.clone(),
                cast: Box::new(cast),
            },
        );
        // SAFETY: live cast object and types (copied); `invoke` matches the C signature and
        // reads the extra info (set at registration) as `Callbacks`.
        unsafe {
            ffi::duckdb_cast_function_set_source_type(raw, source.as_raw());
            ffi::duckdb_cast_function_set_target_type(raw, target.as_raw());
            ffi::duckdb_cast_function_set_function(raw, Some(invoke));
        }
        let concrete = |ty: &LogicalType| !matches!(ty.id(), TypeId::Invalid | TypeId::Any);
        let types_ok = concrete(source) && concrete(target);
        CastFunction {
            handle,
            description,
            data,
            types_ok,
        }
    }

    /// Lets DuckDB apply the cast implicitly, at this cost (lower is preferred).
    pub fn implicit_cost(self, cost: i64) -> CastFunction {
        // SAFETY: live cast object.
        unsafe { ffi::duckdb_cast_function_set_implicit_cast_cost(self.handle.get(), cost) };
        self
    }
}

impl Register for CastFunction {
    fn register_on(mut self, conn: Registrar) -> Result<()> {
        if !self.types_ok {
            return Err(Error::misuse(format!(
                "{} cannot be registered: a cast needs concrete types (not INVALID or ANY)",
                self.description
            )));
        }
        let data = std::mem::replace(&mut self.data, std::ptr::null_mut());
        // SAFETY: live connection (the caller's) and cast. From here DuckDB owns `data`: the
        // registration moves it into the cast's user data, destroyed once with `drop_handed`
        // when the database closes (src/c_api.md, "Callbacks"). With the types checked above,
        // a refusal can only come from DuckDB's own error path after it took the data, so the
        // data counts as handed over either way (at worst a leak, never a double free).
        let state = unsafe {
            ffi::duckdb_cast_function_set_extra_info(
                self.handle.get(),
                data,
                Some(drop_handed::<Callbacks>),
            );
            ffi::duckdb_register_cast_function(conn.raw(), self.handle.get())
        };
        registered(state, "cast", &self.description)
    }
}

unsafe extern "C" fn invoke(
    info: ffi::duckdb_function_info,
    count: ffi::idx_t,
    input: ffi::duckdb_vector,
    output: ffi::duckdb_vector,
) -> bool {
    // SAFETY: the extra info set in `CastFunction::new`, alive while the cast is.
    let callbacks = unsafe { handed::<Callbacks>(ffi::duckdb_cast_function_get_extra_info(info)) };
    let outcome = catch(
        || callbacks.description.clone(),
        || {
            // SAFETY: DuckDB lends the source and target vectors, `count` rows each, for the call.
            let (vector, mut out) = unsafe {
                (
                    Vector::from_raw(input, count as usize),
                    VectorWriter::from_raw(output, count as usize),
                )
            };
            (callbacks.cast)(&CastInput { info, vector }, &mut out)
        },
    );
    match outcome {
        Ok(()) => true,
        Err(message) => {
            // SAFETY: live function info; the message is copied.
            unsafe { ffi::duckdb_cast_function_set_error(info, message.as_ptr()) };
            false
        }
    }
}

/// A name for a type (`CREATE TYPE name AS type`), registered with
/// [`Connection::register`](crate::safe::Connection::register). Casts from and to it are
/// [`CastFunction`]s whose type has the alias ([`LogicalType::set_alias`]).
#[derive(Debug)]
pub struct TypeAlias {
    name: String,
    ty: LogicalType,
}

impl TypeAlias {
    /// The name `name` for `ty`.
    pub fn new(name: &str, ty: LogicalType) -> TypeAlias {
        TypeAlias {
            name: name.to_owned(),
            ty,
        }
    }
}

impl Register for TypeAlias {
    fn register_on(mut self, conn: Registrar) -> Result<()> {
        name_error("type alias", &self.name)?;
        self.ty.set_alias(&self.name)?;
        // SAFETY: live connection and type; DuckDB copies the type; no create-type info.
        let state = unsafe {
            ffi::duckdb_register_logical_type(conn.raw(), self.ty.as_raw(), std::ptr::null_mut())
        };
        registered(state, "type alias", &self.name)
    }
}
