//! Reading cells as [`Datum`]s: a plan worked out once per column from its logical type.

use super::variant::{self, VariantColumns};
use super::vector::Vector;
use crate::safe::cabi::utf8;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::LogicalType;
use crate::safe::types::{TypeId, fixed_width_types};
use crate::safe::values::fixed::*;
use crate::safe::values::{Bignum, BitRef, Datum, Decimal, Geometry};
use std::convert::identity;

/// Whether `ty` is DuckDB's JSON type: a VARCHAR whose alias is `JSON`.
fn is_json(ty: &LogicalType) -> bool {
    ty.id() == TypeId::Varchar && matches!(ty.alias(), Ok(Some(alias)) if alias == "JSON")
}

/// How to read a column's cells as [`Datum`]s, worked out once from its logical type so the
/// per-row work is only loads and copies.
#[derive(Debug)]
pub(crate) enum Plan {
    Scalar(TypeId),
    Decimal {
        width: u8,
        scale: u8,
        storage: TypeId,
    },
    Enum {
        storage: TypeId,
        dictionary: Vec<String>,
    },
    List(Box<Plan>),
    Map(Box<Plan>, Box<Plan>),
    Array(Box<Plan>),
    Struct(Vec<(String, Plan)>),
    Union(Vec<(String, Plan)>),
    /// A VARCHAR with DuckDB's `JSON` alias: read as [`Datum::Json`], rendered unquoted where
    /// DuckDB does (as a LIST element).
    Json,
    /// A VARIANT column whose storage layout was checked (`variant::check_layout`).
    Variant,
}

impl Plan {
    pub(crate) fn new(ty: &LogicalType) -> Result<Plan> {
        Ok(match ty.id() {
            TypeId::Decimal => Plan::Decimal {
                width: ty.decimal_width()?,
                scale: ty.decimal_scale()?,
                storage: ty.decimal_internal_type()?,
            },
            TypeId::Enum => Plan::Enum {
                storage: ty.enum_internal_type()?,
                dictionary: ty.enum_dictionary()?,
            },
            TypeId::List => Plan::List(Box::new(Plan::new(&ty.list_child_type()?)?)),
            TypeId::Map => Plan::Map(
                Box::new(Plan::new(&ty.map_key_type()?)?),
                Box::new(Plan::new(&ty.map_value_type()?)?),
            ),
            TypeId::Array => Plan::Array(Box::new(Plan::new(&ty.array_child_type()?)?)),
            TypeId::Struct => Plan::Struct(
                (0..ty.struct_child_count()?)
                    .map(|i| {
                        Ok((
                            ty.struct_child_name(i)?,
                            Plan::new(&ty.struct_child_type(i)?)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeId::Union => Plan::Union(
                (0..ty.union_member_count()?)
                    .map(|i| {
                        Ok((
                            ty.union_member_name(i)?,
                            Plan::new(&ty.union_member_type(i)?)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeId::Variant => {
                // SAFETY: plans are only made from the column types of vectors (`datum`,
                // `datums`) and the children of those types, all made by the engine.
                unsafe { variant::check_layout(ty)? };
                Plan::Variant
            }
            TypeId::Varchar if is_json(ty) => Plan::Json,
            TypeId::Varchar
            | TypeId::Blob
            | TypeId::Bit
            | TypeId::Bignum
            | TypeId::Geometry
            | TypeId::SqlNull => Plan::Scalar(ty.id()),
            id if is_fixed_width(id) => Plan::Scalar(id),
            _ => {
                return Err(Error::new(
                    ErrorKind::TypeMismatch,
                    format!("reading {ty} values is not supported by the safe layer"),
                ));
            }
        })
    }

    /// Reads row `row` of `v`.
    ///
    /// # Safety
    /// `v` has the logical type this plan was made from (its storage is read without checks).
    unsafe fn read(&self, v: &Vector<'_>, row: usize) -> Result<Datum> {
        if row >= v.len() {
            return Err(Error::out_of_range("row", row, v.len()));
        }
        if !v.is_valid_in_range(row) {
            return Ok(Datum::Null);
        }
        Ok(match self {
            // SAFETY: the plan was built from `v`'s logical type (the caller's contract), so
            // `id` is the column's type; `row < len` and the row is valid (checked above).
            Plan::Scalar(id) => unsafe { scalar(v, *id, row)? },
            // SAFETY: a JSON column is stored as VARCHAR; `row < len` and valid (checked above).
            Plan::Json => Datum::Json(utf8(unsafe { v.string_unchecked(row) })?.to_owned()),
            Plan::Decimal {
                width,
                scale,
                storage,
                // SAFETY: `storage` is the decimal's internal type, read from `v`'s own type;
                // `row < len`.
            } => Datum::Decimal(unsafe { decimal(*width, *scale, *storage, v, row) }),
            Plan::Enum {
                storage,
                dictionary,
            } => {
                // SAFETY: `storage` is the enum's index type, read from `v`'s own type;
                // `row < len`.
                let index = unsafe {
                    match storage {
                        TypeId::UTinyInt => usize::from(v.read_unchecked::<u8>(row)),
                        TypeId::USmallInt => usize::from(v.read_unchecked::<u16>(row)),
                        _ => v.read_unchecked::<u32>(row) as usize,
                    }
                };
                let entry = dictionary
                    .get(index)
                    .ok_or_else(|| Error::out_of_range("enum index", index, dictionary.len()))?;
                Datum::Enum(entry.clone())
            }
            Plan::List(child) => {
                let list = v.list()?;
                let range = list.range(row)?.unwrap_or(0..0);
                Datum::List(
                    range
                        // SAFETY: the child vector has the element type `child` was made from.
                        .map(|i| unsafe { child.read(&list.child(), i) })
                        .collect::<Result<_>>()?,
                )
            }
            Plan::Map(key, value) => {
                let map = v.map()?;
                let range = map.range(row)?.unwrap_or(0..0);
                let (keys, values) = (map.keys()?, map.values()?);
                Datum::Map(
                    range
                        // SAFETY: the key and value vectors have the types the plans were made from.
                        .map(|i| unsafe { Ok((key.read(&keys, i)?, value.read(&values, i)?)) })
                        .collect::<Result<_>>()?,
                )
            }
            Plan::Array(child) => {
                let array = v.array()?;
                let range = array.range(row)?.unwrap_or(0..0);
                Datum::Array(
                    range
                        // SAFETY: the child vector has the element type `child` was made from.
                        .map(|i| unsafe { child.read(&array.child(), i) })
                        .collect::<Result<_>>()?,
                )
            }
            Plan::Struct(fields) => Datum::Struct(
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, (name, plan))| {
                        // SAFETY: field `i` has the type `plan` was made from.
                        Ok((name.clone(), unsafe {
                            plan.read(&v.struct_child(i)?, row)?
                        }))
                    })
                    .collect::<Result<_>>()?,
            ),
            Plan::Union(members) => {
                let tag = v.union_tag(row)?;
                let (name, plan) = members
                    .get(usize::from(tag))
                    .ok_or_else(|| Error::out_of_range("union tag", tag.into(), members.len()))?;
                // SAFETY: member `tag` has the type `plan` was made from.
                let value = unsafe { plan.read(&v.union_member(usize::from(tag))?, row)? };
                Datum::Union {
                    tag,
                    name: name.clone(),
                    value: Box::new(value),
                }
            }
            Plan::Variant => VariantColumns::new(v)?.read(row)?,
        })
    }
}

/// Reading the fixed-width types of the type table.
macro_rules! fixed_width_readers {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        /// Whether `id` is a fixed-width type of the type table.
        fn is_fixed_width(id: TypeId) -> bool {
            matches!(id, $(TypeId::$v)|*)
        }

        /// # Safety
        /// `v` has type `id` and `row < v.len()` is valid (not NULL).
        unsafe fn scalar(v: &Vector<'_>, id: TypeId, row: usize) -> Result<Datum> {
            // SAFETY: forwarded: each arm reads the storage type of the column type it matched.
            unsafe {
                Ok(match id {
                    $( TypeId::$v => Datum::$v($from(v.read_unchecked::<$s>(row))), )*
                    TypeId::Varchar => Datum::Varchar(utf8(v.string_unchecked(row))?.to_owned()),
                    TypeId::Blob => Datum::Blob(v.string_unchecked(row).to_vec()),
                    TypeId::Bignum => Datum::Bignum(Bignum::from_storage(v.string_unchecked(row))?),
                    TypeId::Geometry => {
                        Datum::Geometry(Geometry::from_wkb(v.string_unchecked(row).to_vec())?)
                    }
                    TypeId::Bit => {
                        Datum::Bit(BitRef::new(v.string_unchecked(row))?.iter().collect())
                    }
                    _ => Datum::Null, // SQLNULL: every row is NULL
                })
            }
        }
    };
}

fixed_width_types!(fixed_width_readers);

/// Reading cells as [`Datum`]s.
impl Vector<'_> {
    /// Row `row` as an owned [`Datum`], whatever the column's type (nested types included).
    pub fn datum(&self, row: usize) -> Result<Datum> {
        self.check_row(row)?;
        let plan = Plan::new(&self.logical_type())?;
        // SAFETY: the plan was made from this vector's own type.
        unsafe { plan.read(self, row) }
    }

    /// Every row as a [`Datum`] (the type is inspected once, and the child vectors of LIST
    /// and STRUCT columns are borrowed once for the whole column rather than once per row).
    pub fn datums(&self) -> Result<Vec<Datum>> {
        let plan = Plan::new(&self.logical_type())?;
        // SAFETY: the plan was made from this vector's own type.
        unsafe { plan.read_all(self) }
    }
}

impl Plan {
    /// Every row of `v`: as [`read`](Self::read) row by row, but LIST and STRUCT columns read
    /// their children column-wise first (one child vector per column, not per row).
    ///
    /// # Safety
    /// As for `read`: `v` has the logical type this plan was made from.
    unsafe fn read_all(&self, v: &Vector<'_>) -> Result<Vec<Datum>> {
        match self {
            Plan::List(child) => {
                let list = v.list()?;
                let elements = list.child();
                // SAFETY: the child vector has the element type `child` was made from.
                let mut read: Vec<Option<Datum>> = unsafe { child.read_all(&elements)? }
                    .into_iter()
                    .map(Some)
                    .collect();
                (0..v.len())
                    .map(|row| {
                        let Some(range) = list.range(row)? else {
                            return Ok(Datum::Null);
                        };
                        range
                            .map(|i| match read.get_mut(i).and_then(Option::take) {
                                Some(d) => Ok(d),
                                // An entry shared by two lists (or out of range): read again.
                                // SAFETY: as above.
                                None => unsafe { child.read(&elements, i) },
                            })
                            .collect::<Result<Vec<_>>>()
                            .map(Datum::List)
                    })
                    .collect()
            }
            Plan::Struct(fields) => {
                let mut columns = fields
                    .iter()
                    .enumerate()
                    .map(|(i, (name, plan))| {
                        // SAFETY: field `i` has the type `plan` was made from.
                        let values = unsafe { plan.read_all(&v.struct_child(i)?)? };
                        Ok((name, values.into_iter()))
                    })
                    .collect::<Result<Vec<_>>>()?;
                (0..v.len())
                    .map(|row| {
                        // Every field column advances on every row, NULL rows included.
                        let values: Vec<(String, Datum)> = columns
                            .iter_mut()
                            .map(|(name, values)| {
                                ((*name).clone(), values.next().unwrap_or(Datum::Null))
                            })
                            .collect();
                        Ok(if v.is_valid_in_range(row) {
                            Datum::Struct(values)
                        } else {
                            Datum::Null
                        })
                    })
                    .collect()
            }
            Plan::Variant => {
                let columns = VariantColumns::new(v)?;
                (0..v.len())
                    .map(|row| {
                        if v.is_valid_in_range(row) {
                            columns.read(row)
                        } else {
                            Ok(Datum::Null)
                        }
                    })
                    .collect()
            }
            // SAFETY: forwarded (caller).
            _ => (0..v.len())
                .map(|row| unsafe { self.read(v, row) })
                .collect(),
        }
    }
}

/// The DECIMAL of row `row`, read from its storage integer.
///
/// # Safety
/// `storage` is the decimal's internal type (from `Plan::new` on `v`'s own type) and
/// `row < v.len()`.
#[inline]
pub(crate) unsafe fn decimal(
    width: u8,
    scale: u8,
    storage: TypeId,
    v: &Vector<'_>,
    row: usize,
) -> Decimal {
    // SAFETY: forwarded (caller): each arm reads the storage type it matched, in bounds.
    let value = unsafe {
        match storage {
            TypeId::SmallInt => i128::from(v.read_unchecked::<i16>(row)),
            TypeId::Integer => i128::from(v.read_unchecked::<i32>(row)),
            TypeId::BigInt => i128::from(v.read_unchecked::<i64>(row)),
            _ => v.read_unchecked::<i128>(row),
        }
    };
    Decimal {
        value,
        width,
        scale,
    }
}
