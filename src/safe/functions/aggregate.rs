//! Aggregate functions whose state is a Rust value.

use super::guard::{CallbackResult, catch, drop_handed, hand_over, handed, quiet};
use super::scalar::FunctionInput;
use super::{Register, Registrar, name_error, registered};
use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Counted, HandleKind, Owned, kind};
use crate::safe::logical_type::LogicalType;
use crate::safe::write::VectorWriter;
use std::ffi::CString;
use std::marker::PhantomData;

/// The callbacks of an aggregate function: how rows update a [`State`](Self::State), how the
/// partial states of DuckDB's threads combine, and how a state becomes the result.
///
/// DuckDB creates a state per group (and per thread) with `Default::default()`, calls
/// [`update`](Self::update) with chunks of rows, [`combine`](Self::combine)s partial states and
/// calls [`finalize`](Self::finalize) once per group; it drops every state exactly once.
pub trait Aggregate: Send + Sync + 'static {
    /// One group's running state.
    type State: Default + Send + 'static;

    /// Adds the rows of `input` (one column per parameter) to their groups' states:
    /// `states.get_mut(row)` is the state of `row`'s group.
    fn update(
        &self,
        input: &FunctionInput<'_>,
        states: &mut AggregateStates<'_, Self::State>,
    ) -> CallbackResult;

    /// Merges `source` into `target`.
    fn combine(&self, source: &mut Self::State, target: &mut Self::State) -> CallbackResult;

    /// Writes the result of `state` into row `row` of `out`.
    fn finalize(
        &self,
        state: &mut Self::State,
        out: &mut VectorWriter<'_>,
        row: usize,
    ) -> CallbackResult;
}

/// The states of the rows of one [`Aggregate::update`] call (several rows may share a group's
/// state), lent one at a time.
pub struct AggregateStates<'a, S> {
    states: *mut ffi::duckdb_aggregate_state,
    len: usize,
    _states: PhantomData<&'a mut S>,
}

impl<S> AggregateStates<'_, S> {
    /// The state of `row`'s group.
    #[inline]
    pub fn get_mut(&mut self, row: usize) -> Result<&mut S> {
        if row >= self.len {
            return Err(Error::out_of_range("row", row, self.len));
        }
        // SAFETY: DuckDB passes one state per input row; `row < len`.
        let state = unsafe { *self.states.add(row) };
        // SAFETY: a state initialised by `init_state::<S>`, lent exclusively by `&mut self`.
        unsafe { state_mut(state) }
    }

    /// Rows in this call.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the call has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// An aggregate function written in Rust, registered with
/// [`Connection::register`](crate::safe::Connection::register).
///
/// ```
/// use duckdb_ffi::safe::{Aggregate, AggregateFunction, AggregateStates, CallbackResult};
/// use duckdb_ffi::safe::{Database, FunctionInput, LogicalType, TypeId, VectorWriter};
///
/// /// The sum of a BIGINT column, as BIGINT.
/// struct Total;
///
/// impl Aggregate for Total {
///     type State = i64;
///     fn update(&self, input: &FunctionInput<'_>, states: &mut AggregateStates<'_, i64>) -> CallbackResult {
///         let x = input.vector(0)?.values::<i64>()?;
///         for row in 0..input.len() {
///             if let Some(x) = x.get(row)? {
///                 *states.get_mut(row)? += x;
///             }
///         }
///         Ok(())
///     }
///     fn combine(&self, source: &mut i64, target: &mut i64) -> CallbackResult {
///         *target += *source;
///         Ok(())
///     }
///     fn finalize(&self, state: &mut i64, out: &mut VectorWriter<'_>, row: usize) -> CallbackResult {
///         out.as_uninit_slice::<i64>()?[row].write(*state);
///         Ok(())
///     }
/// }
///
/// let conn = Database::open_in_memory()?.connect()?;
/// let bigint = LogicalType::new(TypeId::BigInt)?;
/// conn.register(AggregateFunction::new("total", Total).param(&bigint).returns(&bigint))?;
/// let sum = conn.query_row("SELECT total(range) FROM range(100)", (), |row| row.get::<i64>(0))?;
/// assert_eq!(sum, 4950);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// States move between DuckDB's threads, so they must be `Send`:
///
/// ```compile_fail,E0277
/// use duckdb_ffi::safe::{Aggregate, AggregateStates, CallbackResult, FunctionInput, VectorWriter};
/// struct Shared;
/// impl Aggregate for Shared {
///     type State = std::rc::Rc<i64>; // not Send
///     fn update(&self, _: &FunctionInput<'_>, _: &mut AggregateStates<'_, Self::State>) -> CallbackResult { Ok(()) }
///     fn combine(&self, _: &mut Self::State, _: &mut Self::State) -> CallbackResult { Ok(()) }
///     fn finalize(&self, _: &mut Self::State, _: &mut VectorWriter<'_>, _: usize) -> CallbackResult { Ok(()) }
/// }
/// ```
pub struct AggregateFunction {
    handle: Owned<kind::AggregateFunction>,
    name: String,
    has_return_type: bool,
}

impl std::fmt::Debug for AggregateFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AggregateFunction")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

// SAFETY: the C function object is a plain C++ value owned by this struct alone; the
// aggregate it holds is `Send + Sync`.
unsafe impl Send for AggregateFunction {}

/// The Rust side of an aggregate function, handed to DuckDB as its extra info.
struct Callbacks<A> {
    name: String,
    aggregate: A,
}

impl AggregateFunction {
    /// A function named `name` computed by `aggregate`. Declare its parameters and return
    /// type with [`param`](Self::param) and [`returns`](Self::returns).
    pub fn new<A: Aggregate>(name: &str, aggregate: A) -> AggregateFunction {
        // SAFETY: creates a new function object, owned by `Owned` from here on.
        let handle = unsafe { Owned::from_raw(ffi::duckdb_create_aggregate_function()) };
        let raw = handle.get();
        if let Ok(c_name) = CString::new(name) {
            // SAFETY: live function; the name is copied.
            unsafe { ffi::duckdb_aggregate_function_set_name(raw, c_name.as_ptr()) };
        }
        let data = hand_over(
            HandleKind::FunctionInfo,
            Callbacks {
                name: name.to_owned(),
                aggregate,
            },
        );
        // SAFETY: live function. DuckDB owns `data` from here and destroys it once with
        // `drop_handed` when the last copy of the function goes (src/c_api.md, "Callbacks");
        // the callbacks match the C signatures and read the extra info as `Callbacks<A>`.
        unsafe {
            ffi::duckdb_aggregate_function_set_extra_info(
                raw,
                data,
                Some(drop_handed::<Callbacks<A>>),
            );
            ffi::duckdb_aggregate_function_set_functions(
                raw,
                Some(state_size),
                Some(init_state::<A::State>),
                Some(update::<A>),
                Some(combine::<A>),
                Some(finalize::<A>),
            );
            ffi::duckdb_aggregate_function_set_destructor(raw, Some(destroy_states::<A::State>));
        }
        AggregateFunction {
            handle,
            name: name.to_owned(),
            has_return_type: false,
        }
    }

    /// Adds a parameter of type `ty`.
    pub fn param(self, ty: &LogicalType) -> AggregateFunction {
        // SAFETY: live function and type; the type is copied.
        unsafe { ffi::duckdb_aggregate_function_add_parameter(self.handle.get(), ty.as_raw()) };
        self
    }

    /// Sets the return type (required).
    pub fn returns(mut self, ty: &LogicalType) -> AggregateFunction {
        // SAFETY: live function and type; the type is copied.
        unsafe { ffi::duckdb_aggregate_function_set_return_type(self.handle.get(), ty.as_raw()) };
        self.has_return_type = true;
        self
    }

    /// Declares that the aggregate gives NULL arguments a meaning of its own (like
    /// `count(*)`). [`Aggregate::update`] sees NULL rows either way (check validity); by
    /// default DuckDB assumes they are ignored and that a group which saw no non-NULL value
    /// finalizes to NULL, and plans accordingly.
    pub fn special_null_handling(self) -> AggregateFunction {
        // SAFETY: live function.
        unsafe { ffi::duckdb_aggregate_function_set_special_handling(self.handle.get()) };
        self
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Register for AggregateFunction {
    fn register_on(self, conn: Registrar) -> Result<()> {
        name_error("aggregate function", &self.name)?;
        if !self.has_return_type {
            return Err(Error::misuse(format!(
                "aggregate function `{}` has no return type (call `returns`)",
                self.name
            )));
        }
        // SAFETY: live connection (the caller's) and function; DuckDB copies the function.
        let state =
            unsafe { ffi::duckdb_register_aggregate_function(conn.raw(), self.handle.get()) };
        registered(state, "aggregate function", &self.name)
    }
}

/// The state DuckDB stores per group: a pointer to the boxed Rust state (null if creating it
/// panicked). DuckDB's state memory has no alignment promise, so it is read and written
/// unaligned.
type StatePtr<S> = *mut Counted<S>;

/// # Safety
/// `state` points to a state slot written by `init_state::<S>`, not destroyed, and no other
/// reference to its value is alive for `'a`.
#[inline]
unsafe fn state_mut<'a, S>(state: ffi::duckdb_aggregate_state) -> Result<&'a mut S> {
    // SAFETY: the caller's contract: the slot holds a `StatePtr<S>`.
    let ptr = unsafe { state.cast::<StatePtr<S>>().read_unaligned() };
    if ptr.is_null() {
        return Err(Error::misuse(
            "this aggregate state could not be created (its Default panicked)",
        ));
    }
    // SAFETY: a live box made by `init_state`, exclusively lent (caller).
    Ok(unsafe { &mut **ptr })
}

unsafe extern "C" fn state_size(_info: ffi::duckdb_function_info) -> ffi::idx_t {
    std::mem::size_of::<*mut ()>() as ffi::idx_t
}

/// `duckdb_aggregate_init_t`: boxes a fresh state into DuckDB's state slot.
unsafe extern "C" fn init_state<S: Default + Send + 'static>(
    _info: ffi::duckdb_function_info,
    state: ffi::duckdb_aggregate_state,
) {
    let ptr: StatePtr<S> = quiet("an aggregate state's Default", || {
        Box::into_raw(Box::new(Counted::new(
            HandleKind::AggregateState,
            S::default(),
        )))
    })
    .unwrap_or(std::ptr::null_mut());
    // SAFETY: DuckDB passes a slot of `state_size()` bytes for this state.
    unsafe { state.cast::<StatePtr<S>>().write_unaligned(ptr) };
}

/// `duckdb_aggregate_destroy_t`: drops each state once and empties its slot.
unsafe extern "C" fn destroy_states<S: Send + 'static>(
    states: *mut ffi::duckdb_aggregate_state,
    count: ffi::idx_t,
) {
    for i in 0..count as usize {
        // SAFETY: DuckDB passes `count` state slots written by `init_state::<S>`.
        let slot = unsafe { (*states.add(i)).cast::<StatePtr<S>>() };
        // SAFETY: as above; the slot is emptied so a state is never dropped twice.
        let ptr = unsafe { slot.read_unaligned() };
        if ptr.is_null() {
            continue;
        }
        // SAFETY: as above.
        unsafe { slot.write_unaligned(std::ptr::null_mut()) };
        quiet("an aggregate state's Drop", || {
            // SAFETY: the box made by `init_state`, dropped only here (the slot is now null).
            drop(unsafe { Box::from_raw(ptr) })
        });
    }
}

/// The aggregate behind a callback's function info.
///
/// # Safety
/// `info` is the function info DuckDB passes to a callback of an `AggregateFunction::new::<A>`.
unsafe fn callbacks<'a, A>(info: ffi::duckdb_function_info) -> &'a Callbacks<A> {
    // SAFETY: the extra info set in `AggregateFunction::new::<A>`, alive while the function is.
    unsafe { handed::<Callbacks<A>>(ffi::duckdb_aggregate_function_get_extra_info(info)) }
}

/// Reports `outcome`'s error to DuckDB.
fn report(info: ffi::duckdb_function_info, outcome: std::result::Result<(), CString>) {
    if let Err(message) = outcome {
        // SAFETY: live function info; the message is copied.
        unsafe { ffi::duckdb_aggregate_function_set_error(info, message.as_ptr()) };
    }
}

unsafe extern "C" fn update<A: Aggregate>(
    info: ffi::duckdb_function_info,
    input: ffi::duckdb_data_chunk,
    states: *mut ffi::duckdb_aggregate_state,
) {
    // SAFETY: a callback of an `AggregateFunction::new::<A>`.
    let callbacks = unsafe { callbacks::<A>(info) };
    let outcome = catch(
        || format!("the update of aggregate `{}`", callbacks.name),
        || {
            // SAFETY: DuckDB lends the input chunk for this call, and one state slot per row.
            let input = unsafe { FunctionInput::new(input, None) };
            let mut states = AggregateStates {
                states,
                len: input.len(),
                _states: PhantomData,
            };
            callbacks.aggregate.update(&input, &mut states)
        },
    );
    report(info, outcome);
}

unsafe extern "C" fn combine<A: Aggregate>(
    info: ffi::duckdb_function_info,
    source: *mut ffi::duckdb_aggregate_state,
    target: *mut ffi::duckdb_aggregate_state,
    count: ffi::idx_t,
) {
    // SAFETY: a callback of an `AggregateFunction::new::<A>`.
    let callbacks = unsafe { callbacks::<A>(info) };
    let outcome = catch(
        || format!("the combine of aggregate `{}`", callbacks.name),
        || {
            for i in 0..count as usize {
                // SAFETY: DuckDB passes `count` source and target slots made by `init_state`.
                let (s, t) = unsafe { (*source.add(i), *target.add(i)) };
                if s == t {
                    continue;
                }
                // SAFETY: two different live states, each lent once in this iteration.
                let (s, t) = unsafe { (state_mut::<A::State>(s)?, state_mut::<A::State>(t)?) };
                callbacks.aggregate.combine(s, t)?;
            }
            Ok(())
        },
    );
    report(info, outcome);
}

unsafe extern "C" fn finalize<A: Aggregate>(
    info: ffi::duckdb_function_info,
    source: *mut ffi::duckdb_aggregate_state,
    result: ffi::duckdb_vector,
    count: ffi::idx_t,
    offset: ffi::idx_t,
) {
    // SAFETY: a callback of an `AggregateFunction::new::<A>`.
    let callbacks = unsafe { callbacks::<A>(info) };
    let outcome = catch(
        || format!("the finalize of aggregate `{}`", callbacks.name),
        || {
            let (count, offset) = (count as usize, offset as usize);
            // SAFETY: DuckDB lends the result vector with room for rows `offset..offset + count`.
            let mut out = unsafe { VectorWriter::from_raw(result, offset + count) };
            for i in 0..count {
                // SAFETY: `count` live source slots; each lent once.
                let state = unsafe { state_mut::<A::State>(*source.add(i))? };
                callbacks.aggregate.finalize(state, &mut out, offset + i)?;
            }
            Ok(())
        },
    );
    report(info, outcome);
}
