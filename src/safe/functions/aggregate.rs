//! Aggregate functions whose state is a Rust value.

use super::guard::{CallbackResult, catch, drop_handed, hand_over, handed, quiet};
use super::scalar::FunctionInput;
use super::{Register, Registrar, name_error, registered};
use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Counted, HandleKind, Owned, kind};
use crate::safe::read::Validity;
use crate::safe::types::LogicalType;
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

    /// Adds the rows of `input` (one column per parameter) to their groups' states
    /// ([`AggregateStates::for_each`] visits each row with its group's state).
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

/// The states of the rows of one [`Aggregate::update`] call (rows of one group share a state),
/// lent one at a time.
///
/// DuckDB keeps each state in its own memory, with no alignment promise: a state is moved into
/// an aligned place for each run of consecutive rows that share it and moved back afterwards
/// (also when the callback panics), so an aggregate without `GROUP BY` moves its state once
/// per chunk.
pub struct AggregateStates<'a, S> {
    states: *mut ffi::duckdb_aggregate_state,
    len: usize,
    _states: PhantomData<&'a mut S>,
}

impl<S> AggregateStates<'_, S> {
    /// Calls `f(row, state)` for every row `0..len()` with the state of the row's group.
    #[inline]
    pub fn for_each(&mut self, mut f: impl FnMut(usize, &mut S)) -> Result<()> {
        self.runs(self.len, |rows, state| {
            for row in rows {
                f(row, state);
            }
        })
    }

    /// Calls `f(state, values[row])` for rows `0..min(len(), values.len())`, typically with
    /// an argument's [`as_slice`](crate::safe::Vector::as_slice): the fast update loop.
    #[inline]
    pub fn for_each_value<T: Copy>(
        &mut self,
        values: &[T],
        mut f: impl FnMut(&mut S, T),
    ) -> Result<()> {
        let n = values.len().min(self.len);
        self.runs(n, |rows, state| {
            for &value in &values[rows] {
                f(state, value);
            }
        })
    }

    /// Calls `f(state, values[row])` for the rows whose `validity` bit is set (an argument's
    /// [`as_slice`](crate::safe::Vector::as_slice) and [`validity`](crate::safe::Vector::validity)):
    /// the update of an aggregate that skips NULLs, with no per-row check when no row is NULL.
    #[inline]
    pub fn for_each_valid<T: Copy>(
        &mut self,
        values: &[T],
        validity: &Validity<'_>,
        mut f: impl FnMut(&mut S, T),
    ) -> Result<()> {
        let words = match validity.words() {
            Some(words) if !validity.all_valid() => words,
            _ => return self.for_each_value(values, f),
        };
        let n = values.len().min(self.len).min(words.len() * 64);
        self.runs(n, |rows, state| {
            for row in rows {
                if words[row / 64] >> (row % 64) & 1 == 1 {
                    f(state, values[row]);
                }
            }
        })
    }

    /// Splits rows `0..n` (`n <= len`) into runs of consecutive rows that share a state, and
    /// calls `body` once per run with the rows and the state (moved out of its slot once).
    #[inline(always)]
    fn runs(
        &mut self,
        n: usize,
        mut body: impl FnMut(std::ops::Range<usize>, &mut S),
    ) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        // SAFETY: DuckDB passes one state slot per input row, and `n <= len`.
        let slots = unsafe { std::slice::from_raw_parts(self.states, n) };
        // Without GROUP BY every row shares one state: a branch-free pass (which the compiler
        // vectorises) finds that, and the whole chunk is one run.
        let first = slots[0];
        if slots
            .iter()
            .fold(true, |same, &slot| same & (slot == first))
        {
            // SAFETY: a slot written by `init_state::<S>`, lent only here (`&mut self`).
            let mut state = unsafe { Lent::<S>::new(first)? };
            body(0..n, &mut state);
            return Ok(());
        }
        let mut start = 0;
        while start < n {
            // SAFETY: DuckDB passes one state slot per input row; `start < n <= len`.
            let slot = unsafe { *self.states.add(start) };
            let mut end = start + 1;
            // SAFETY: as above, `end < n`.
            while end < n && unsafe { *self.states.add(end) } == slot {
                end += 1;
            }
            // SAFETY: a slot written by `init_state::<S>`, lent only here (`&mut self`); it
            // goes back to its slot at the end of the run.
            let mut state = unsafe { Lent::<S>::new(slot)? };
            body(start..end, &mut state);
            start = end;
        }
        Ok(())
    }

    /// Calls `f` with the state of `row`'s group.
    pub fn update<R>(&mut self, row: usize, f: impl FnOnce(&mut S) -> R) -> Result<R> {
        if row >= self.len {
            return Err(Error::out_of_range("row", row, self.len));
        }
        // SAFETY: one slot per row, `row < len`; the slot is lent only here (`&mut self`).
        let mut state = unsafe { Lent::<S>::new(*self.states.add(row))? };
        Ok(f(&mut state))
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
/// use duckdb_ffi::safe::functions::{Aggregate, AggregateFunction, AggregateStates, CallbackResult};
/// use duckdb_ffi::safe::{Database, VectorWriter};
/// use duckdb_ffi::safe::functions::FunctionInput;
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
///
/// /// The sum of a BIGINT column, as BIGINT.
/// struct Total;
///
/// impl Aggregate for Total {
///     type State = i64;
///     fn update(&self, input: &FunctionInput<'_>, states: &mut AggregateStates<'_, i64>) -> CallbackResult {
///         let column = input.vector(0)?;
///         let (x, validity) = (column.as_slice::<i64>()?, column.validity());
///         states.for_each(|row, sum| {
///             if validity.is_valid(row) {
///                 *sum += x[row];
///             }
///         })?;
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
/// use duckdb_ffi::safe::VectorWriter;
/// use duckdb_ffi::safe::functions::{Aggregate, AggregateStates, CallbackResult, FunctionInput};
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
                Some(state_size::<A::State>),
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

/// The tag byte at the start of a state slot: the slot holds a live state after it.
const LIVE: u8 = 1;

/// A state slot in DuckDB's memory: the tag byte, then the bytes of a `Counted<S>` (counted in
/// the ledger as an `AggregateState`), unaligned.
fn slot_size<S>() -> usize {
    1 + std::mem::size_of::<Counted<S>>()
}

/// A state moved out of its slot into an aligned place, and moved back when dropped.
struct Lent<S> {
    slot: ffi::duckdb_aggregate_state,
    state: std::mem::ManuallyDrop<Counted<S>>,
}

impl<S> Lent<S> {
    /// # Safety
    /// `slot` is a slot written by `init_state::<S>`, not destroyed, and not lent elsewhere
    /// while this value lives.
    #[inline]
    unsafe fn new(slot: ffi::duckdb_aggregate_state) -> Result<Lent<S>> {
        let bytes = slot.cast::<u8>();
        // SAFETY: a slot of `slot_size::<S>()` bytes (caller).
        if unsafe { bytes.read() } != LIVE {
            return Err(no_state());
        }
        // SAFETY: a live slot holds a valid `Counted<S>` after its tag; moved out here and
        // back in `drop`, so the slot's copy is never used meanwhile.
        let state = unsafe { bytes.add(1).cast::<Counted<S>>().read_unaligned() };
        Ok(Lent {
            slot,
            state: std::mem::ManuallyDrop::new(state),
        })
    }
}

impl<S> std::ops::Deref for Lent<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> std::ops::DerefMut for Lent<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.state
    }
}

impl<S> Drop for Lent<S> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the state was moved out of this slot by `new` and is moved back once here
        // (also while unwinding: a state is valid after any panic in safe code).
        unsafe {
            let state = std::mem::ManuallyDrop::take(&mut self.state);
            self.slot
                .cast::<u8>()
                .add(1)
                .cast::<Counted<S>>()
                .write_unaligned(state);
        }
    }
}

#[cold]
#[inline(never)]
fn no_state() -> Error {
    Error::misuse("this aggregate state could not be created (its Default panicked)")
}

unsafe extern "C" fn state_size<S>(_info: ffi::duckdb_function_info) -> ffi::idx_t {
    slot_size::<S>() as ffi::idx_t
}

/// `duckdb_aggregate_init_t`: a fresh state into DuckDB's slot (tagged empty if its
/// `Default` panicked).
unsafe extern "C" fn init_state<S: Default + Send + 'static>(
    _info: ffi::duckdb_function_info,
    slot: ffi::duckdb_aggregate_state,
) {
    let bytes = slot.cast::<u8>();
    let state = quiet("an aggregate state's Default", || {
        Counted::new(HandleKind::AggregateState, S::default())
    });
    // SAFETY: DuckDB passes a slot of `state_size()` bytes for this state.
    unsafe {
        match state {
            Some(state) => {
                bytes.add(1).cast::<Counted<S>>().write_unaligned(state);
                bytes.write(LIVE);
            }
            None => bytes.write(0),
        }
    }
}

/// `duckdb_aggregate_destroy_t`: drops each live state once and marks its slot empty.
unsafe extern "C" fn destroy_states<S: Send + 'static>(
    states: *mut ffi::duckdb_aggregate_state,
    count: ffi::idx_t,
) {
    for i in 0..count as usize {
        // SAFETY: DuckDB passes `count` slots written by `init_state::<S>`.
        let bytes = unsafe { (*states.add(i)).cast::<u8>() };
        // SAFETY: as above; the tag is cleared first, so a state is never dropped twice.
        let state = unsafe {
            if bytes.read() != LIVE {
                continue;
            }
            bytes.write(0);
            bytes.add(1).cast::<Counted<S>>().read_unaligned()
        };
        quiet("an aggregate state's Drop", || drop(state));
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
            let input = unsafe { FunctionInput::new(input, None, &[]) };
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
                // SAFETY: two different live slots, each lent once in this iteration.
                let (mut s, mut t) =
                    unsafe { (Lent::<A::State>::new(s)?, Lent::<A::State>::new(t)?) };
                callbacks.aggregate.combine(&mut s, &mut t)?;
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
                let mut state = unsafe { Lent::<A::State>::new(*source.add(i))? };
                callbacks
                    .aggregate
                    .finalize(&mut state, &mut out, offset + i)?;
            }
            Ok(())
        },
    );
    report(info, outcome);
}
