//! A row an import job refused: where it is in the file and why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_job_error")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job_id: Uuid,
    /// The row's place among the rows read (errors are listed in this order).
    #[sea_orm(primary_key, auto_increment = false)]
    pub row_index: i64,
    pub workspace_id: Uuid,
    pub line: i64,
    /// The column's position in a CSV header (1-based), when it names one.
    pub column_number: Option<i32>,
    /// The column's name, when the refusal concerns one.
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
