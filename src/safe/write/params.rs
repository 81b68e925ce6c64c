//! [`Params`]: a whole list of values, bound to a statement's parameters or appended as one
//! row, and the [`params!`](crate::params) macro.

use crate::safe::error::{Error, ErrorKind, Result};

use super::to_sql::ToSql;

/// A whole parameter list: `()`, tuples of up to 12 [`ToSql`] values, arrays, slices and
/// vectors of one `ToSql` type, `&[&dyn ToSql]` (what [`params!`](crate::params) builds), and
/// references to any of these.
///
/// The statement (or appender) checks that the list has exactly as many values as it has
/// parameters (or columns), then hands each value to a [`ParamSink`]. Tuples, arrays and
/// vectors do that without dynamic dispatch, so a value's [`ToSql::to_sql`] is inlined into
/// the C call that consumes it.
///
/// Implement it for a row type of your own by handing each field over in order:
///
/// ```
/// use duckdb_ffi::safe::{Database, Result};
/// use duckdb_ffi::safe::types::{ParamSink, Params};
///
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// impl Params for Point {
///     fn param_count(&self) -> usize {
///         2
///     }
///
///     fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
///         sink.put(&self.x)?;
///         sink.put(&self.y)
///     }
/// }
///
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE points(x INTEGER, y INTEGER)")?;
/// let mut appender = conn.appender("points")?;
/// appender.append_row(Point { x: 1, y: 2 })?;
/// appender.close()?;
/// let mut stmt = conn.prepare("SELECT ? + ?")?;
/// let sum: i32 = stmt.query_row(Point { x: 3, y: 4 }, |row| row.get(0))?;
/// assert_eq!(sum, 7);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
pub trait Params {
    /// Number of values.
    fn param_count(&self) -> usize;

    /// Hands every value to `sink`, in order, stopping at the first error.
    fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()>;
}

/// Where [`Params::visit`] puts each value: a statement's next parameter or an appender's next
/// column. Implemented by this crate only.
pub trait ParamSink: sealed::Sealed {
    /// Takes the next value.
    fn put<T: ToSql + ?Sized>(&mut self, value: &T) -> Result<()>;
}

pub(crate) mod sealed {
    /// Keeps [`ParamSink`](super::ParamSink) implemented by this crate only.
    pub trait Sealed {}
}

impl Params for () {
    fn param_count(&self) -> usize {
        0
    }

    fn visit<S: ParamSink>(&self, _: &mut S) -> Result<()> {
        Ok(())
    }
}

impl<P: Params + ?Sized> Params for &P {
    fn param_count(&self) -> usize {
        (**self).param_count()
    }

    #[inline]
    fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
        (**self).visit(sink)
    }
}

impl<T: ToSql> Params for [T] {
    fn param_count(&self) -> usize {
        self.len()
    }

    #[inline]
    fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
        self.iter().try_for_each(|v| sink.put(v))
    }
}

// Arrays and vectors are visited as their slice.
impl<T: ToSql, const N: usize> Params for [T; N] {
    fn param_count(&self) -> usize {
        N
    }

    #[inline]
    fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
        self.as_slice().visit(sink)
    }
}

impl<T: ToSql> Params for Vec<T> {
    fn param_count(&self) -> usize {
        self.len()
    }

    #[inline]
    fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
        self.as_slice().visit(sink)
    }
}

macro_rules! tuple_params {
    ($count:literal: $($name:ident $idx:tt),+) => {
        impl<$($name: ToSql),+> Params for ($($name,)+) {
            fn param_count(&self) -> usize {
                $count
            }

            #[inline]
            fn visit<S: ParamSink>(&self, sink: &mut S) -> Result<()> {
                $( sink.put(&self.$idx)?; )+
                Ok(())
            }
        }
    };
}

tuple_params!(1: A 0);
tuple_params!(2: A 0, B 1);
tuple_params!(3: A 0, B 1, C 2);
tuple_params!(4: A 0, B 1, C 2, D 3);
tuple_params!(5: A 0, B 1, C 2, D 3, E 4);
tuple_params!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple_params!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_params!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_params!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_params!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_params!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_params!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// Builds a parameter list of mixed types: `params![1, "two", 3.0, None::<i32>]` is a
/// `&[&dyn ToSql]`.
///
/// ```
/// use duckdb_ffi::{params, safe::Database};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(a INTEGER, b VARCHAR)")?;
/// let mut insert = conn.prepare("INSERT INTO t VALUES (?, ?)")?;
/// assert_eq!(insert.execute(params![1, "one"])?, 1);
/// assert_eq!(insert.execute(params![2, None::<&str>])?, 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::safe::types::ToSql]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::safe::types::ToSql),+] as &[&dyn $crate::safe::types::ToSql]
    };
}

/// The error for a parameter list of the wrong length.
pub(crate) fn count_mismatch(expected: usize, given: usize) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!("the statement has {expected} parameter(s) but {given} value(s) were given"),
    )
}
