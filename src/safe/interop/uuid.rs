//! `uuid::Uuid` as UUID (cargo feature `uuid`): the same 128 bits, in the same text order.

use super::check_cell;
use crate::safe::types::{FromSql, ToSql, ToSqlOutput, TypeId};
use crate::safe::{Result, Vector};

impl FromSql<'_> for uuid::Uuid {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        check_cell::<Self>(vector, row, &[TypeId::Uuid])?;
        Ok(uuid::Uuid::from_u128(
            crate::safe::types::Uuid::from_vector(vector, row)?.0,
        ))
    }
}

impl ToSql for uuid::Uuid {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Uuid(crate::safe::types::Uuid(self.as_u128())))
    }
}
