//! Which record each field of a merge's survivor comes from.
//!
//! Rules, in order: a `keep` choice names the record a field comes from;
//! otherwise the survivor keeps its own value, and a blank one (null or
//! empty text) is filled from the first merged record that has it, so a
//! merge loses no value the survivor lacked. Email consent is one block
//! (opt-in, when, where, legal basis, unsubscribed) taken whole from the
//! record with the latest consent event: the person's most recent choice.
//! Attribution follows time too: the first touch is the earliest of all
//! the records' first touches, the last touch the latest of their last.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

/// How a field group is chosen when no `keep` names it.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    /// The survivor's, unless blank: then the first merged record's.
    FillBlank,
    /// The survivor's, always.
    Survivor,
    /// The whole group from the record whose latest of these timestamps is latest.
    LatestOf(&'static [&'static str]),
    /// The whole group from the record with the earliest value of this
    /// timestamp (records without one never win).
    EarliestOf(&'static str),
}

/// One mergeable field: its API name and the columns that move together.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub default: Default,
}

/// A field filled from a merged record when the survivor's is blank.
pub const fn fill(name: &'static str, columns: &'static [&'static str]) -> Field {
    Field {
        name,
        columns,
        default: Default::FillBlank,
    }
}

/// `keep: { field, from }`: take `field` from record `from`.
#[derive(Debug, Clone)]
pub struct Keep {
    pub field: String,
    pub from: Uuid,
}

/// The survivor after the field choices, from `rows` (the survivor first,
/// then the merged records) as they are stored.
pub fn choose<M: Serialize + DeserializeOwned>(
    fields: &[Field],
    rows: &[(Uuid, &M)],
    keep: &[Keep],
) -> CoreResult<M> {
    let objects: Vec<Map<String, Value>> = rows
        .iter()
        .map(|(_, row)| match serde_json::to_value(row) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(CoreError::Internal("a record is not a JSON object".into())),
        })
        .collect::<CoreResult<_>>()?;
    let (custom_keep, keep): (Vec<Numbered>, Vec<Numbered>) = keep
        .iter()
        .enumerate()
        .partition(|(_, k)| k.field.starts_with(CUSTOM_PREFIX));
    let chosen = kept(fields, rows, &keep)?;
    let mut survivor = objects[0].clone();
    let custom = custom_fields(rows, &objects, &custom_keep)?;
    survivor.insert(CUSTOM_COLUMN.to_owned(), custom);
    for field in fields {
        let source = match chosen.iter().find(|(name, _)| *name == field.name) {
            Some((_, index)) => *index,
            None => default_source(field, &objects),
        };
        for column in field.columns {
            let value = objects[source].get(*column).cloned().unwrap_or(Value::Null);
            survivor.insert((*column).to_owned(), value);
        }
    }
    serde_json::from_value(Value::Object(survivor))
        .map_err(|e| CoreError::Internal(format!("merged record: {e}")))
}

/// A `keep` choice with its index in the argument (for refusals).
type Numbered<'a> = (usize, &'a Keep);

/// How `keep` names a custom field: `customFields.<key>`.
const CUSTOM_PREFIX: &str = "customFields.";
/// The column holding a record's custom field values.
const CUSTOM_COLUMN: &str = "custom_fields";

/// The survivor's custom field values: its own, each key it lacks filled
/// from the first merged record holding one, and a `keep` of
/// `customFields.<key>` taking that key's value (or its absence) from the
/// record it names.
fn custom_fields<M>(
    rows: &[(Uuid, &M)],
    objects: &[Map<String, Value>],
    keep: &[(usize, &Keep)],
) -> CoreResult<Value> {
    let values_of = |o: &Map<String, Value>| {
        o.get(CUSTOM_COLUMN)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let mut merged = values_of(&objects[0]);
    for other in &objects[1..] {
        for (key, value) in values_of(other) {
            merged.entry(key).or_insert(value);
        }
    }
    for (i, choice) in keep {
        let key = &choice.field[CUSTOM_PREFIX.len()..];
        let Some(index) = rows.iter().position(|(id, _)| *id == choice.from) else {
            return Err(CoreError::bad_input(
                format!("keep.{i}.from"),
                "must be the survivor or one of the merged records",
            ));
        };
        match values_of(&objects[index]).remove(key) {
            Some(value) => merged.insert(key.to_owned(), value),
            None => merged.remove(key),
        };
    }
    Ok(Value::Object(merged))
}

/// The validated `keep` choices as (field name, index into `rows`).
fn kept<M>(
    fields: &[Field],
    rows: &[(Uuid, &M)],
    keep: &[(usize, &Keep)],
) -> CoreResult<Vec<(&'static str, usize)>> {
    let mut chosen: Vec<(&'static str, usize)> = Vec::new();
    for &(i, choice) in keep {
        let Some(field) = fields.iter().find(|f| f.name == choice.field) else {
            let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
            return Err(CoreError::bad_input(
                format!("keep.{i}.field"),
                format!("no such field; one of {}", known.join(", ")),
            ));
        };
        if chosen.iter().any(|(name, _)| *name == field.name) {
            return Err(CoreError::bad_input(
                format!("keep.{i}.field"),
                "named twice",
            ));
        }
        let Some(index) = rows.iter().position(|(id, _)| *id == choice.from) else {
            return Err(CoreError::bad_input(
                format!("keep.{i}.from"),
                "must be the survivor or one of the merged records",
            ));
        };
        chosen.push((field.name, index));
    }
    Ok(chosen)
}

fn default_source(field: &Field, objects: &[Map<String, Value>]) -> usize {
    match field.default {
        Default::Survivor => 0,
        Default::FillBlank => {
            let blank = |o: &Map<String, Value>| {
                field.columns.iter().all(|c| match o.get(*c) {
                    None | Some(Value::Null) => true,
                    Some(Value::String(s)) => s.trim().is_empty(),
                    Some(_) => false,
                })
            };
            if !blank(&objects[0]) {
                return 0;
            }
            objects.iter().position(|o| !blank(o)).unwrap_or(0)
        }
        Default::LatestOf(stamps) => {
            let latest = |o: &Map<String, Value>| -> Option<DateTime<Utc>> {
                stamps
                    .iter()
                    .filter_map(|s| o.get(*s).cloned())
                    .filter_map(|v| serde_json::from_value::<DateTime<Utc>>(v).ok())
                    .max()
            };
            let mut best = 0;
            for (i, object) in objects.iter().enumerate().skip(1) {
                if latest(object) > latest(&objects[best]) {
                    best = i;
                }
            }
            best
        }
        Default::EarliestOf(stamp) => {
            let at = |o: &Map<String, Value>| -> Option<DateTime<Utc>> {
                o.get(stamp)
                    .cloned()
                    .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v).ok())
            };
            let mut best = 0;
            for (i, object) in objects.iter().enumerate().skip(1) {
                let earlier = match (at(object), at(&objects[best])) {
                    (Some(this), Some(best_yet)) => this < best_yet,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if earlier {
                    best = i;
                }
            }
            best
        }
    }
}
