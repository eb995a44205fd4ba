//! The conditions of a record filter's own fields, one field a call: each
//! adds the condition of a field the filter gives and passes over one it
//! leaves out, so a filter's `fields` lists its fields and nothing else.

use entity::enums::TaggableType;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoCondition, Value};
use uuid::Uuid;

use super::custom::{CustomFieldFilter, custom_fields_condition};
use super::relation::{Link, ManyFilter, to_one};
use super::{
    DateFilter, DateTimeFilter, DecimalFilter, EnumFilter, IdFilter, IntFilter, RecordFilter,
    StringFilter, TagFilter, col, search,
};
use crate::graphql::calculated::{FiguresFilter, Of};
use crate::graphql::error::ApiResult;
use crate::graphql::history::camel;
use crate::graphql::ids::Kind;

/// A filter of one column's values: text, numbers, times, enumerations.
pub trait ColumnFilter {
    fn on(&self, column: Expr, backend: DbBackend) -> Condition;
}

impl ColumnFilter for StringFilter {
    fn on(&self, column: Expr, backend: DbBackend) -> Condition {
        self.condition(column, backend)
    }
}

impl ColumnFilter for IntFilter {
    fn on(&self, column: Expr, _: DbBackend) -> Condition {
        self.condition(column)
    }
}

impl ColumnFilter for DateTimeFilter {
    fn on(&self, column: Expr, _: DbBackend) -> Condition {
        self.condition(column)
    }
}

impl ColumnFilter for DateFilter {
    fn on(&self, column: Expr, _: DbBackend) -> Condition {
        self.condition(column)
    }
}

impl<T: async_graphql::InputType + Into<Value> + Clone> ColumnFilter for EnumFilter<T> {
    fn on(&self, column: Expr, _: DbBackend) -> Condition {
        self.condition(column)
    }
}

/// A flag: equal to it.
impl ColumnFilter for bool {
    fn on(&self, column: Expr, _: DbBackend) -> Condition {
        Condition::all().add(column.eq(*self))
    }
}

/// The conditions built so far on `table`'s rows (ANDed).
pub struct Fields {
    table: &'static str,
    workspace_id: Uuid,
    backend: DbBackend,
    all: Condition,
}

impl Fields {
    pub fn new(table: &'static str, workspace_id: Uuid, backend: DbBackend) -> Self {
        Self {
            table,
            workspace_id,
            backend,
            all: Condition::all(),
        }
    }

    fn col(&self, column: &'static str) -> Expr {
        col(self.table, column)
    }

    /// Adds a condition built elsewhere.
    pub fn and(mut self, condition: impl IntoCondition) -> Self {
        self.all = self.all.add(condition);
        self
    }

    /// The records `search` finds by this text.
    pub fn search(self, text: &Option<String>) -> ApiResult<Self> {
        let Some(text) = text else { return Ok(self) };
        let found = search(self.table, text, self.workspace_id, self.backend)?;
        Ok(self.and(found))
    }

    /// Conditions on custom field values.
    pub fn custom(self, filters: &Option<Vec<CustomFieldFilter>>) -> ApiResult<Self> {
        let Some(filters) = filters else {
            return Ok(self);
        };
        let matching =
            custom_fields_condition(self.table, filters, self.workspace_id, self.backend)?;
        Ok(self.and(matching))
    }

    /// `filter` on the table's `column`.
    pub fn column<F: ColumnFilter>(self, filter: &Option<F>, column: &'static str) -> Self {
        match filter {
            Some(f) => {
                let matching = f.on(self.col(column), self.backend);
                self.and(matching)
            }
            None => self,
        }
    }

    /// `filter` on a value computed from the row (`value` builds it for the
    /// backend).
    pub fn value<F: ColumnFilter>(
        self,
        filter: &Option<F>,
        value: impl FnOnce(DbBackend) -> Expr,
    ) -> Self {
        match filter {
            Some(f) => {
                let matching = f.on(value(self.backend), self.backend);
                self.and(matching)
            }
            None => self,
        }
    }

    /// Global ids of `kind` in `column`; a refusal names the input field
    /// after the column (`owner_id`: `filter.ownerId`).
    pub fn id(
        self,
        filter: &Option<IdFilter>,
        column: &'static str,
        kind: Kind,
    ) -> ApiResult<Self> {
        let Some(f) = filter else { return Ok(self) };
        let matching = f.condition(self.col(column), kind, &input_field(column))?;
        Ok(self.and(matching))
    }

    /// Amounts in the `*_e4` `column`; a refusal names the input field
    /// without the suffix (`amount_e4`: `filter.amount`).
    pub fn amount(self, filter: &Option<DecimalFilter>, column: &'static str) -> ApiResult<Self> {
        let Some(f) = filter else { return Ok(self) };
        let field = input_field(column.trim_end_matches("_e4"));
        let matching = f.condition(self.col(column), &field)?;
        Ok(self.and(matching))
    }

    /// The row's tags (its `id` tagged as `record_type`).
    pub fn tags(self, filter: &Option<TagFilter>, record_type: TaggableType) -> Self {
        match filter {
            Some(f) => {
                let matching = f.condition(self.workspace_id, record_type, self.col("id"));
                self.and(matching)
            }
            None => self,
        }
    }

    /// Conditions on the calculated figures of the rows, as `of`.
    pub fn figures(self, filter: &Option<FiguresFilter>, of: Of) -> ApiResult<Self> {
        let Some(f) = filter else { return Ok(self) };
        let matching = f.condition(of, self.backend)?;
        Ok(self.and(matching))
    }

    /// The related record in `table`, whose id is in this row's `column`,
    /// matches `filter` (rows without one do not match).
    pub fn one<F: RecordFilter>(
        self,
        filter: &Option<Box<F>>,
        table: &'static str,
        column: &'static str,
    ) -> ApiResult<Self> {
        let Some(f) = filter else { return Ok(self) };
        let link = Link::to_one(table, self.col(column));
        let matching = to_one(f.as_ref(), link, self.workspace_id, self.backend)?;
        Ok(self.and(matching))
    }

    /// `some`, `every` or `none` of the records related through `link`
    /// match.
    pub fn many<F: RecordFilter>(
        self,
        filter: &Option<ManyFilter<F>>,
        link: Link,
    ) -> ApiResult<Self> {
        let Some(f) = filter else { return Ok(self) };
        let matching = f.condition(link, self.workspace_id, self.backend)?;
        Ok(self.and(matching))
    }

    pub fn done(self) -> ApiResult<Condition> {
        Ok(self.all)
    }
}

/// The filter input's path for a column: `filter.` and the column in
/// camelCase.
fn input_field(column: &str) -> String {
    format!("filter.{}", camel(column))
}

#[cfg(test)]
mod tests {
    use super::input_field;

    #[test]
    fn input_fields_are_the_columns_in_camel_case() {
        assert_eq!(input_field("id"), "filter.id");
        assert_eq!(input_field("owner_id"), "filter.ownerId");
        assert_eq!(input_field("annual_revenue"), "filter.annualRevenue");
    }
}
