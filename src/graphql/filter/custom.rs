//! Filters on custom field values (`filter: { customFields: [{ key, … }] }`).
//!
//! Each operator group reads the stored value as one type (the types store
//! canonical forms, see `rapport_core::ops::custom_field::types`) and a
//! value of another JSON type simply does not match, so an operator meant
//! for another type can never make the statement fail. On PostgreSQL the
//! boolean and option tests are containments (`@>`), which the GIN index of
//! migration 40 serves.

use async_graphql::InputObject;
use chrono::SecondsFormat;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Value};
use serde_json::json;
use uuid::Uuid;

use super::{DateFilter, DateTimeFilter, DecimalFilter, StringFilter};
use super::{membership, null_check, ordered};
use crate::graphql::error::{ApiError, ApiResult};
use rapport_core::store::placeholders::for_backend;

/// Conditions on the options a SELECT or MULTI_SELECT field holds.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OptionsFilter {
    /// At least one of these options.
    pub any: Option<Vec<String>>,
    /// Every one of these options.
    pub all: Option<Vec<String>>,
    /// None of these options (records without a value match).
    pub none: Option<Vec<String>>,
}

/// Conditions on one custom field's value; the groups combine with AND.
/// Use the group of the field's type: a value of another type never matches.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CustomFieldFilter {
    /// The field's key.
    pub key: String,
    /// `true`: only records with a value; `false`: only records without one.
    pub is_set: Option<bool>,
    /// TEXT, SELECT, URL and EMAIL values.
    pub text: Option<StringFilter>,
    /// NUMBER and DECIMAL values.
    pub number: Option<DecimalFilter>,
    /// DATE values.
    pub date: Option<DateFilter>,
    /// DATETIME values.
    pub date_time: Option<DateTimeFilter>,
    /// BOOLEAN values: true or false.
    pub boolean: Option<bool>,
    /// The options of SELECT and MULTI_SELECT values (option names exactly as the field spells them).
    pub options: Option<OptionsFilter>,
}

/// At most this many custom field conditions in one filter object.
const MAX_CONDITIONS: usize = 10;

/// The condition of `filters` on the rows of `table`.
pub fn custom_fields_condition(
    table: &'static str,
    filters: &[CustomFieldFilter],
    workspace_id: Uuid,
    backend: DbBackend,
) -> ApiResult<Condition> {
    if filters.len() > MAX_CONDITIONS {
        return Err(ApiError::bad_input(
            "filter.customFields",
            format!("at most {MAX_CONDITIONS} conditions"),
        ));
    }
    let mut all = Condition::all();
    for (i, filter) in filters.iter().enumerate() {
        let key = filter.key.trim();
        if !rapport_core::ops::custom_field::is_key(key) {
            return Err(ApiError::bad_input(
                format!("filter.customFields.{i}.key"),
                "not a custom field key",
            ));
        }
        all = all.add(one(
            &FieldSql {
                table,
                key,
                workspace_id,
                backend,
            },
            filter,
        ));
    }
    Ok(all)
}

/// The SQL reading one field of one table's rows.
struct FieldSql<'a> {
    table: &'static str,
    key: &'a str,
    workspace_id: Uuid,
    backend: DbBackend,
}

impl FieldSql<'_> {
    fn postgres(&self) -> bool {
        self.backend == DbBackend::Postgres
    }

    fn column(&self) -> String {
        format!(r#""{}"."custom_fields""#, self.table)
    }

    /// The key as the backend's JSON functions take it.
    fn key_param(&self) -> Value {
        if self.postgres() {
            Value::from(self.key.to_owned())
        } else {
            Value::from(format!("$.{}", self.key))
        }
    }

    fn expr(&self, sql: &str, values: Vec<Value>) -> Expr {
        Expr::cust_with_values(for_backend(self.backend, sql), values)
    }

    /// `sql` where the field is live (defined and not deleted), with its
    /// `values`: a deleted field's values are hidden, so every operator
    /// reads them as no value. The test is uncorrelated (the workspace is
    /// a parameter), so the database runs it once per statement.
    fn live(&self, sql: &str, values: Vec<Value>) -> (String, Vec<Value>) {
        let record_type = match self.table {
            "company" => "COMPANY",
            "deal" => "DEAL",
            "ticket" => "TICKET",
            _ => "CONTACT",
        };
        let live = format!(
            r#"EXISTS (SELECT 1 FROM "custom_field" AS "live" WHERE "live"."workspace_id" = ? AND "live"."record_type" = '{record_type}' AND "live"."key" = ? AND "live"."deleted_at" IS NULL)"#
        );
        let mut all = vec![
            Value::Uuid(Some(self.workspace_id)),
            Value::from(self.key.to_owned()),
        ];
        all.extend(values);
        (format!("({live} AND {sql})"), all)
    }

    /// A test that holds only for a live field's value.
    fn when_live(&self, sql: &str, values: Vec<Value>) -> Expr {
        let (sql, values) = self.live(sql, values);
        self.expr(&sql, values)
    }

    /// `read` where the field is live and its value has JSON type `kind`, else NULL.
    fn value_when(&self, kind: &str, read: &str, values: Vec<Value>) -> Expr {
        let test = format!("{} {kind}", self.json_type());
        let mut given = vec![self.key_param()];
        given.extend(values);
        let (test, given) = self.live(&test, given);
        self.expr(&format!("(CASE WHEN {test} THEN {read} END)"), given)
    }

    /// The JSON type of the value (`NULL` when there is none), named as
    /// SQLite names them, and PostgreSQL's names mapped onto those.
    fn json_type(&self) -> String {
        if self.postgres() {
            format!("jsonb_typeof({} -> ?)", self.column())
        } else {
            format!("json_type({}, ?)", self.column())
        }
    }

    fn is_set(&self) -> Expr {
        self.when_live(
            &format!("{} IS NOT NULL", self.json_type()),
            vec![self.key_param()],
        )
    }

    /// The value when it is a JSON string, else NULL.
    fn text(&self) -> Expr {
        let (kind, read) = if self.postgres() {
            ("= 'string'", format!("({} ->> ?)", self.column()))
        } else {
            ("= 'text'", format!("json_extract({}, ?)", self.column()))
        };
        self.value_when(kind, &read, vec![self.key_param()])
    }

    /// The value when it is a JSON number, else NULL.
    fn number(&self) -> Expr {
        let (kind, read) = if self.postgres() {
            ("= 'number'", format!("({} ->> ?)::numeric", self.column()))
        } else {
            (
                "IN ('integer', 'real')",
                format!("json_extract({}, ?)", self.column()),
            )
        };
        self.value_when(kind, &read, vec![self.key_param()])
    }

    /// The number as the backend compares it: exact on PostgreSQL, REAL on SQLite.
    fn number_value(&self, d: rust_decimal::Decimal) -> Value {
        if self.postgres() {
            Value::from(d)
        } else {
            use rust_decimal::prelude::ToPrimitive;
            Value::from(d.to_f64().unwrap_or_default())
        }
    }

    fn boolean(&self, b: bool) -> Expr {
        if self.postgres() {
            return self.contains(probe(self.key, json!(b)));
        }
        let name = if b { "true" } else { "false" };
        self.when_live(
            &format!("{} = '{name}'", self.json_type()),
            vec![self.key_param()],
        )
    }

    /// PostgreSQL: the record's object contains `probe`.
    fn contains(&self, probe: serde_json::Value) -> Expr {
        self.when_live(
            &format!("{} @> ?", self.column()),
            vec![Value::Json(Some(Box::new(probe)))],
        )
    }

    /// The value holds at least one of `options`.
    fn any_option(&self, options: &[String]) -> Condition {
        if self.postgres() {
            // One containment each: an array contains an element, and a
            // SELECT's string equals it.
            let mut any = Condition::any();
            for option in options {
                any = any.add(self.contains(probe(self.key, json!([option]))));
                any = any.add(self.contains(probe(self.key, json!(option))));
            }
            return any;
        }
        if options.is_empty() {
            return Condition::any().add(Expr::cust("1 = 0"));
        }
        let marks = vec!["?"; options.len()].join(", ");
        let mut values = vec![self.key_param()];
        values.extend(options.iter().map(|o| Value::from(o.clone())));
        Condition::all().add(self.when_live(
            &format!(
                r#"EXISTS (SELECT 1 FROM json_each({}, ?) WHERE "value" IN ({marks}))"#,
                self.column()
            ),
            values,
        ))
    }
}

/// `{ key: value }`, the object a containment test looks for.
fn probe(key: &str, value: serde_json::Value) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert(key.to_owned(), value);
    serde_json::Value::Object(object)
}

fn one(field: &FieldSql, filter: &CustomFieldFilter) -> Condition {
    let mut all = Condition::all();
    match filter.is_set {
        Some(true) => all = all.add(field.is_set()),
        Some(false) => all = all.add(field.is_set().not()),
        None => {}
    }
    if let Some(f) = &filter.text {
        all = all.add(f.condition(field.text(), field.backend));
    }
    if let Some(f) = &filter.number {
        let expr = field.number();
        let n = |v: &Option<rust_decimal::Decimal>| v.map(|d| field.number_value(d));
        let list = |v: &Option<Vec<rust_decimal::Decimal>>| {
            v.as_ref().map(|all| {
                all.iter()
                    .map(|d| field.number_value(*d))
                    .collect::<Vec<_>>()
            })
        };
        let c = ordered(
            Condition::all(),
            &expr,
            [
                &n(&f.eq),
                &n(&f.ne),
                &n(&f.lt),
                &n(&f.lte),
                &n(&f.gt),
                &n(&f.gte),
            ],
        );
        all = all.add(null_check(
            membership(c, &expr, &list(&f.in_), &list(&f.not_in)),
            &expr,
            f.is_null,
        ));
    }
    if let Some(f) = &filter.date {
        let day = |v: &Option<crate::graphql::scalars::Date>| {
            v.as_ref().map(|d| d.0.format("%Y-%m-%d").to_string())
        };
        let expr = field.text();
        let c = ordered(
            Condition::all(),
            &expr,
            [
                &day(&f.eq),
                &day(&f.ne),
                &day(&f.lt),
                &day(&f.lte),
                &day(&f.gt),
                &day(&f.gte),
            ],
        );
        all = all.add(null_check(c, &expr, f.is_null));
    }
    if let Some(f) = &filter.date_time {
        // Stored in one fixed form, so text order is time order.
        let at = |v: &Option<chrono::DateTime<chrono::Utc>>| {
            v.map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
        };
        let expr = field.text();
        let c = ordered(
            Condition::all(),
            &expr,
            [
                &at(&f.eq),
                &at(&f.ne),
                &at(&f.lt),
                &at(&f.lte),
                &at(&f.gt),
                &at(&f.gte),
            ],
        );
        all = all.add(null_check(c, &expr, f.is_null));
    }
    if let Some(b) = filter.boolean {
        all = all.add(field.boolean(b));
    }
    if let Some(f) = &filter.options {
        if let Some(any) = &f.any {
            all = all.add(field.any_option(any));
        }
        for option in f.all.iter().flatten() {
            all = all.add(field.any_option(std::slice::from_ref(option)));
        }
        if let Some(none) = &f.none {
            all = all.add(field.any_option(none).not());
        }
    }
    all
}
