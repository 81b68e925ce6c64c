//! Scalar functions: a Rust closure called once per chunk of rows, filling the result vector.

use super::guard::{CallbackResult, catch, drop_handed, hand_over, handed, quiet};
use super::{Register, Registrar, name_error, registered};
use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{HandleKind, Owned, kind};
use crate::safe::read::{Vector, chunk_vector};
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;
use crate::safe::write::VectorWriter;
use std::any::Any;
use std::ffi::{CString, c_void};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The input of one call of a scalar function (or of an aggregate's update): a chunk of rows,
/// one column per argument, lent by DuckDB for the call.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInput<'a> {
    chunk: ffi::duckdb_data_chunk,
    len: usize,
    bind_data: Option<&'a (dyn Any + Send + Sync)>,
    /// The columns' type ids when the function declared them all (empty: ask DuckDB).
    types: &'a [TypeId],
    _chunk: PhantomData<&'a ()>,
}

impl<'a> FunctionInput<'a> {
    /// # Safety
    /// `chunk` must be live and unchanged for `'a`.
    /// `types`: the columns' type ids if known for sure (the declared parameters), else empty.
    pub(crate) unsafe fn new(
        chunk: ffi::duckdb_data_chunk,
        bind_data: Option<&'a (dyn Any + Send + Sync)>,
        types: &'a [TypeId],
    ) -> FunctionInput<'a> {
        // SAFETY: live chunk (caller).
        let len = unsafe { ffi::duckdb_data_chunk_get_size(chunk) } as usize;
        FunctionInput {
            chunk,
            len,
            bind_data,
            types,
            _chunk: PhantomData,
        }
    }

    /// Rows in this call.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the call has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of arguments (columns).
    pub fn column_count(&self) -> usize {
        // SAFETY: live chunk for 'a.
        unsafe { ffi::duckdb_data_chunk_get_column_count(self.chunk) as usize }
    }

    /// Argument `index`, as a vector of `len()` rows (DuckDB flattens the input first).
    pub fn vector(&self, index: usize) -> Result<Vector<'a>> {
        // SAFETY: the chunk is lent for 'a; `types` are the declared parameter types, which
        // DuckDB casts every argument to.
        unsafe { chunk_vector(self.chunk, index, self.types.get(index).copied()) }
    }

    /// What the function's [`bind`](ScalarFunction::bind) callback returned, if it is a `T`.
    pub fn bind_data<T: Any>(&self) -> Option<&'a T> {
        self.bind_data?.downcast_ref()
    }
}

/// What a scalar function's bind callback sees: the arguments of one call site in a query.
pub struct ScalarBind<'a> {
    info: ffi::duckdb_bind_info,
    _info: PhantomData<&'a ()>,
}

impl ScalarBind<'_> {
    /// Number of arguments at this call site.
    pub fn argument_count(&self) -> usize {
        // SAFETY: the bind info is live during the bind callback.
        unsafe { ffi::duckdb_scalar_function_bind_get_argument_count(self.info) as usize }
    }

    /// The type of argument `index`.
    pub fn argument_type(&self, index: usize) -> Result<LogicalType> {
        let count = self.argument_count();
        if index >= count {
            return Err(Error::out_of_range("argument", index, count));
        }
        // SAFETY: live bind info, index < count; the expression is owned by us and destroyed
        // below; its return type is owned by the `LogicalType`.
        unsafe {
            let mut expr =
                ffi::duckdb_scalar_function_bind_get_argument(self.info, index as ffi::idx_t);
            if expr.is_null() {
                return Err(Error::misuse(format!("argument {index} has no expression")));
            }
            let ty = LogicalType::from_raw(ffi::duckdb_expression_return_type(expr));
            ffi::duckdb_destroy_expression(&mut expr);
            Ok(ty)
        }
    }
}

type BindFn = dyn Fn(&ScalarBind<'_>) -> CallbackResult<SharedBindData> + Send + Sync;
type SharedBindData = Arc<dyn Any + Send + Sync>;

/// The Rust side of a scalar function, handed to DuckDB as its extra info.
struct Callbacks<F> {
    name: String,
    settings: Settings,
    function: F,
}

/// What the builder methods set after the callbacks were handed over; written only before
/// registration, read by the callbacks afterwards.
struct Settings {
    /// Set at most once (`ScalarFunction::bind`).
    bind: OnceLock<Box<BindFn>>,
    /// `ScalarFunction::special_null_handling`: the closure sets the result's validity itself.
    special_nulls: AtomicBool,
    /// The declared parameter types, when they fix every argument's type (no varargs, no
    /// ANY), and the return type: set when the function is registered, so a call needs not
    /// ask DuckDB for each vector's type.
    types: OnceLock<(Box<[TypeId]>, TypeId)>,
}

/// A scalar function written in Rust, registered with
/// [`Connection::register`](crate::safe::Connection::register).
///
/// The closure gets the arguments of up to 2048 rows ([`FunctionInput`]) and fills the
/// result ([`VectorWriter`]); an error it returns, or a panic, fails the query with its
/// message. DuckDB may call it from several threads at once, hence `Send + Sync`.
///
/// By default a row with a NULL argument gives NULL: the closure still runs for the whole
/// chunk (values under NULL rows are unspecified), and the safe layer then marks every row
/// with a NULL argument NULL in the result, as DuckDB expects of a function with default NULL
/// handling. With [`special_null_handling`](Self::special_null_handling) the closure decides
/// each row's validity itself.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::functions::ScalarFunction;
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
/// let conn = Database::open_in_memory()?.connect()?;
/// let bigint = LogicalType::new(TypeId::BigInt)?;
/// let twice = ScalarFunction::new("twice_plus_one", |input, out| {
///     let x = input.vector(0)?.as_slice::<i64>()?;
///     for (o, x) in out.as_uninit_slice::<i64>()?.iter_mut().zip(x) {
///         o.write(x.wrapping_mul(2).wrapping_add(1));
///     }
///     Ok(())
/// })
/// .param(&bigint)
/// .returns(&bigint);
/// conn.register(twice)?;
/// let sum = conn.query_row("SELECT sum(twice_plus_one(range)) FROM range(10)", (), |row| {
///     row.get::<i128>(0)
/// })?;
/// assert_eq!(sum, 100);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// The closure must be `Send + Sync`:
///
/// ```compile_fail,E0277
/// use duckdb_ffi::safe::functions::ScalarFunction;
/// let counter = std::rc::Rc::new(());
/// ScalarFunction::new("f", move |_, _| { let _ = &counter; Ok(()) });
/// ```
pub struct ScalarFunction {
    handle: Owned<kind::ScalarFunction>,
    name: String,
    /// The declared parameter types; `None` once varargs or ANY make them incomplete.
    params: Option<Vec<TypeId>>,
    return_type: Option<TypeId>,
    /// The settings inside the callbacks DuckDB holds: alive as long as `handle`.
    settings: *const Settings,
}

impl std::fmt::Debug for ScalarFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScalarFunction")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

// SAFETY: the C function object is a plain C++ value owned by this struct alone (no thread
// affinity); the bind slot is a `OnceLock` (Sync) inside callbacks that are `Send + Sync`.
unsafe impl Send for ScalarFunction {}

impl ScalarFunction {
    /// A function named `name` that runs `function` on each chunk of rows. Declare its
    /// parameters and return type with [`param`](Self::param) and [`returns`](Self::returns).
    pub fn new<F>(name: &str, function: F) -> ScalarFunction
    where
        F: Fn(&FunctionInput<'_>, &mut VectorWriter<'_>) -> CallbackResult + Send + Sync + 'static,
    {
        // SAFETY: creates a new function object, owned by `Owned` from here on.
        let handle = unsafe { Owned::from_raw(ffi::duckdb_create_scalar_function()) };
        if let Ok(c_name) = CString::new(name) {
            // SAFETY: live function; the name is copied. (A name with NUL is reported at
            // registration.)
            unsafe { ffi::duckdb_scalar_function_set_name(handle.get(), c_name.as_ptr()) };
        }
        let data = hand_over(
            HandleKind::FunctionInfo,
            Callbacks {
                name: name.to_owned(),
                settings: Settings {
                    bind: OnceLock::new(),
                    special_nulls: AtomicBool::new(false),
                    types: OnceLock::new(),
                },
                function,
            },
        );
        // SAFETY: `data` came from `hand_over::<Callbacks<F>>` a line above and nobody else
        // has it yet.
        let settings = unsafe { &handed::<Callbacks<F>>(data).settings } as *const _;
        // SAFETY: live function. DuckDB owns `data` from here and destroys it once, with
        // `drop_handed`, when the last copy of the function is dropped (src/c_api.md,
        // "Callbacks"); the callbacks match the C signatures and read `data` as
        // `Callbacks<F>`.
        unsafe {
            let raw = handle.get();
            ffi::duckdb_scalar_function_set_extra_info(
                raw,
                data,
                Some(drop_handed::<Callbacks<F>>),
            );
            ffi::duckdb_scalar_function_set_function(raw, Some(invoke::<F>));
            ffi::duckdb_scalar_function_set_bind(raw, Some(bind_trampoline::<F>));
        }
        ScalarFunction {
            handle,
            name: name.to_owned(),
            params: Some(Vec::new()),
            return_type: None,
            settings,
        }
    }

    /// Adds a parameter of type `ty`.
    pub fn param(mut self, ty: &LogicalType) -> ScalarFunction {
        // SAFETY: live function and type; the type is copied.
        unsafe { ffi::duckdb_scalar_function_add_parameter(self.handle.get(), ty.as_raw()) };
        match ty.id() {
            TypeId::Any | TypeId::Invalid => self.params = None,
            id => self.params.iter_mut().for_each(|p| p.push(id)),
        }
        self
    }

    /// Adds a parameter per type.
    pub fn params<'t>(self, types: impl IntoIterator<Item = &'t LogicalType>) -> ScalarFunction {
        types.into_iter().fold(self, ScalarFunction::param)
    }

    /// Accepts any number of further arguments of type `ty` (`TypeId::Any` for any type)
    /// after the declared parameters.
    pub fn varargs(mut self, ty: &LogicalType) -> ScalarFunction {
        // SAFETY: live function and type; the type is copied.
        unsafe { ffi::duckdb_scalar_function_set_varargs(self.handle.get(), ty.as_raw()) };
        self.params = None;
        self
    }

    /// Sets the return type (required).
    pub fn returns(mut self, ty: &LogicalType) -> ScalarFunction {
        // SAFETY: live function and type; the type is copied.
        unsafe { ffi::duckdb_scalar_function_set_return_type(self.handle.get(), ty.as_raw()) };
        self.return_type = Some(ty.id());
        self
    }

    /// Marks the function volatile: DuckDB calls it for every row and never folds a call with
    /// constant arguments into a constant (like `random()`).
    pub fn volatile(self) -> ScalarFunction {
        // SAFETY: live function.
        unsafe { ffi::duckdb_scalar_function_set_volatile(self.handle.get()) };
        self
    }

    /// Lets the closure see NULL arguments and decide the result's validity itself, instead of
    /// DuckDB's default (any NULL argument gives NULL).
    pub fn special_null_handling(self) -> ScalarFunction {
        // SAFETY: live function.
        unsafe { ffi::duckdb_scalar_function_set_special_handling(self.handle.get()) };
        self.settings().special_nulls.store(true, Ordering::Relaxed);
        self
    }

    fn settings(&self) -> &Settings {
        // SAFETY: the settings live inside the callbacks the function object owns, alive
        // while `self.handle` is; they are only written before registration.
        unsafe { &*self.settings }
    }

    /// Runs `bind` once per call site when a query is planned; its result is available to
    /// every call of that site as [`FunctionInput::bind_data`]. An error fails the query's
    /// planning with its message. Only the first bind callback set is kept.
    pub fn bind<B, D>(self, bind: B) -> ScalarFunction
    where
        B: Fn(&ScalarBind<'_>) -> CallbackResult<D> + Send + Sync + 'static,
        D: Send + Sync + 'static,
    {
        let erased: Box<BindFn> =
            Box::new(move |info| bind(info).map(|d| Arc::new(d) as SharedBindData));
        let _ = self.settings().bind.set(erased);
        self
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw function, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_scalar_function {
        self.handle.get()
    }

    fn check(&self) -> Result<()> {
        name_error("scalar function", &self.name)?;
        let Some(return_type) = self.return_type else {
            return Err(Error::misuse(format!(
                "scalar function `{}` has no return type (call `returns`)",
                self.name
            )));
        };
        if let Some(params) = &self.params {
            // Set once: the function is consumed by the registration that follows.
            let _ = self
                .settings()
                .types
                .set((params.clone().into_boxed_slice(), return_type));
        }
        Ok(())
    }
}

impl Register for ScalarFunction {
    fn register_on(self, conn: Registrar) -> Result<()> {
        self.check()?;
        // SAFETY: live connection (the caller's) and function; DuckDB copies the function.
        let state = unsafe { ffi::duckdb_register_scalar_function(conn.raw(), self.handle.get()) };
        registered(state, "scalar function", &self.name)
    }
}

/// Overloads of one scalar function name: each member has its own parameters (and may have its
/// own return type); DuckDB picks the one that fits a call's arguments.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::functions::{ScalarFunction, ScalarFunctionSet};
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
/// let conn = Database::open_in_memory()?.connect()?;
/// let (int, text) = (LogicalType::new(TypeId::BigInt)?, LogicalType::new(TypeId::Varchar)?);
/// let for_ints = ScalarFunction::new("kind_of", |input, out| {
///     (0..input.len()).try_for_each(|r| out.set_str(r, "number"))?;
///     Ok(())
/// }).param(&int).returns(&text);
/// let for_text = ScalarFunction::new("kind_of", |input, out| {
///     (0..input.len()).try_for_each(|r| out.set_str(r, "text"))?;
///     Ok(())
/// }).param(&text).returns(&text);
/// conn.register(ScalarFunctionSet::new("kind_of").overload(for_ints)?.overload(for_text)?)?;
/// let kinds = conn.query_row("SELECT kind_of(1), kind_of('a')", (), |row| {
///     Ok((row.get::<String>(0)?, row.get::<String>(1)?))
/// })?;
/// assert_eq!(kinds, ("number".to_string(), "text".to_string()));
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct ScalarFunctionSet {
    handle: Owned<kind::ScalarFunctionSet>,
    name: String,
}

// SAFETY: a plain C++ value owned by this struct alone; the functions it copied hold
// `Send + Sync` callbacks.
unsafe impl Send for ScalarFunctionSet {}

impl ScalarFunctionSet {
    /// An empty set for the name `name`.
    pub fn new(name: &str) -> ScalarFunctionSet {
        let c_name = CString::new(name).unwrap_or_default();
        // SAFETY: creates a new set (null for an empty name, which `Owned` accepts and
        // registration reports), owned by `Owned` from here on.
        let handle =
            unsafe { Owned::from_raw(ffi::duckdb_create_scalar_function_set(c_name.as_ptr())) };
        ScalarFunctionSet {
            handle,
            name: name.to_owned(),
        }
    }

    /// Adds an overload; it must have the set's name.
    pub fn overload(self, function: ScalarFunction) -> Result<ScalarFunctionSet> {
        function.check()?;
        if function.name != self.name {
            return Err(Error::misuse(format!(
                "scalar function `{}` cannot join the set `{}`: the names differ",
                function.name, self.name
            )));
        }
        name_error("scalar function set", &self.name)?;
        // SAFETY: live set and function; the set copies the function (sharing its callbacks).
        let state = unsafe {
            ffi::duckdb_add_scalar_function_to_set(self.handle.get(), function.handle.get())
        };
        registered(state, "scalar function overload", &self.name)?;
        Ok(self)
    }
}

impl Register for ScalarFunctionSet {
    fn register_on(self, conn: Registrar) -> Result<()> {
        name_error("scalar function set", &self.name)?;
        // SAFETY: live connection (the caller's) and set; DuckDB copies the functions.
        let state =
            unsafe { ffi::duckdb_register_scalar_function_set(conn.raw(), self.handle.get()) };
        registered(state, "scalar function set", &self.name)
    }
}

/// `duckdb_scalar_function_t` for `Callbacks<F>`.
unsafe extern "C" fn invoke<F>(
    info: ffi::duckdb_function_info,
    input: ffi::duckdb_data_chunk,
    output: ffi::duckdb_vector,
) where
    F: Fn(&FunctionInput<'_>, &mut VectorWriter<'_>) -> CallbackResult + Send + Sync + 'static,
{
    // SAFETY: DuckDB passes the extra info set in `ScalarFunction::new` (a `Callbacks<F>`,
    // alive while the function is) and the bind data set by `bind_trampoline` (or null); both
    // are shared, never mutated, during calls.
    let (callbacks, bind_data) = unsafe {
        let callbacks = handed::<Callbacks<F>>(ffi::duckdb_scalar_function_get_extra_info(info));
        let data = ffi::duckdb_scalar_function_get_bind_data(info);
        let bind_data = (!data.is_null()).then(|| &**handed::<SharedBindData>(data));
        (callbacks, bind_data)
    };
    let outcome = catch(
        || format!("scalar function `{}`", callbacks.name),
        || {
            // SAFETY: DuckDB lends the (flattened) input chunk and the result vector, sized for
            // the input's rows, for the duration of this call; the declared types are the
            // arguments' and the result's (DuckDB casts arguments to the parameter types).
            let (input, mut out) = unsafe {
                match callbacks.settings.types.get() {
                    Some((params, ret)) => {
                        let input = FunctionInput::new(input, bind_data, params);
                        let out = VectorWriter::from_raw_typed(output, input.len(), *ret);
                        (input, out)
                    }
                    None => {
                        let input = FunctionInput::new(input, bind_data, &[]);
                        let out = VectorWriter::from_raw(output, input.len());
                        (input, out)
                    }
                }
            };
            (callbacks.function)(&input, &mut out)?;
            if !callbacks.settings.special_nulls.load(Ordering::Relaxed) {
                // SAFETY: the same lent input chunk and result vector, sized for its rows.
                unsafe { propagate_nulls(&input, output) };
            }
            Ok(())
        },
    );
    if let Err(message) = outcome {
        // SAFETY: live function info; the message is copied.
        unsafe { ffi::duckdb_scalar_function_set_error(info, message.as_ptr()) };
    }
}

/// `duckdb_scalar_function_bind_t` for `Callbacks<F>`: runs the user's bind callback, if any,
/// and hands its result to DuckDB as copyable bind data.
unsafe extern "C" fn bind_trampoline<F>(info: ffi::duckdb_bind_info) {
    // SAFETY: the extra info set in `ScalarFunction::new`, a `Callbacks<F>`.
    let callbacks =
        unsafe { handed::<Callbacks<F>>(ffi::duckdb_scalar_function_bind_get_extra_info(info)) };
    let Some(bind) = callbacks.settings.bind.get() else {
        return;
    };
    let outcome = catch(
        || format!("the bind of scalar function `{}`", callbacks.name),
        || {
            bind(&ScalarBind {
                info,
                _info: PhantomData,
            })
        },
    );
    match outcome {
        // SAFETY: live bind info. DuckDB owns the data from here, copies it with
        // `copy_bind_data` and destroys every copy once with `drop_handed`.
        Ok(data) => unsafe {
            ffi::duckdb_scalar_function_set_bind_data(
                info,
                hand_over(HandleKind::BindData, data),
                Some(drop_handed::<SharedBindData>),
            );
            ffi::duckdb_scalar_function_set_bind_data_copy(info, Some(copy_bind_data));
        },
        // SAFETY: live bind info; the message is copied.
        Err(message) => unsafe {
            ffi::duckdb_scalar_function_bind_set_error(info, message.as_ptr())
        },
    }
}

/// `duckdb_copy_callback_t` for scalar bind data: a new counted pointer to the same shared
/// data (DuckDB copies bind data when it copies an expression).
unsafe extern "C" fn copy_bind_data(data: *mut c_void) -> *mut c_void {
    if data.is_null() {
        return data;
    }
    quiet("a bind data copy callback", || {
        // SAFETY: DuckDB passes bind data made by `bind_trampoline` (a `SharedBindData`).
        let shared = unsafe { handed::<SharedBindData>(data) }.clone();
        hand_over(HandleKind::BindData, shared)
    })
    .unwrap_or(std::ptr::null_mut())
}

/// DuckDB's default NULL handling: every row with a NULL argument is NULL in the result.
///
/// # Safety
/// `output` is the result vector lent with `input`, with room for `input.len()` rows.
unsafe fn propagate_nulls(input: &FunctionInput<'_>, output: ffi::duckdb_vector) {
    let words = input.len().div_ceil(64);
    let mut out_mask: *mut u64 = std::ptr::null_mut();
    for column in 0..input.column_count() {
        // SAFETY: the lent input chunk, column < count; its mask (null when all rows are
        // valid) has a bit per row.
        let mask = unsafe {
            ffi::duckdb_vector_get_validity(ffi::duckdb_data_chunk_get_vector(
                input.chunk,
                column as ffi::idx_t,
            ))
        };
        if mask.is_null() {
            continue;
        }
        if out_mask.is_null() {
            // SAFETY: live result vector (caller); after ensure_validity_writable its mask is
            // non-null with a bit per row.
            out_mask = unsafe {
                ffi::duckdb_vector_ensure_validity_writable(output);
                ffi::duckdb_vector_get_validity(output)
            };
        }
        for w in 0..words {
            // SAFETY: both masks have a bit for each of the input's rows.
            unsafe { *out_mask.add(w) &= *mask.add(w) };
        }
    }
}
