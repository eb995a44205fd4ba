//! Writing rows as CSV or JSON Lines, a page at a time into one buffer.

use async_graphql::Value;

use super::columns::Column;
use crate::graphql::error::CoreError;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// RFC 4180 with a header row, UTF-8.
    #[default]
    Csv,
    /// One JSON object a line.
    Jsonl,
}

impl Format {
    pub fn parse(extension: &str) -> Option<Self> {
        match extension {
            "csv" => Some(Self::Csv),
            "jsonl" => Some(Self::Jsonl),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Jsonl => "jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8; header=present",
            Self::Jsonl => "application/jsonl; charset=utf-8",
        }
    }
}

/// How a record type gives its custom field values (a JSON object by key).
pub type CustomOf<M> = fn(&M) -> &serde_json::Value;

/// Encodes rows of `M` with the columns the actor may see, then one
/// `customFields.<key>` column per live custom field of the type.
pub struct Encoder<M: 'static> {
    columns: Vec<&'static Column<M>>,
    custom_of: Option<CustomOf<M>>,
    /// The custom fields' keys, known once the first page reads them.
    custom_keys: Vec<String>,
    /// Columns read from other tables (see `paths`), after the record's own.
    extra_names: &'static [&'static str],
    header_written: bool,
    sink: Sink,
}

enum Sink {
    // Boxed: the CSV writer holds its own buffers and settings.
    Csv(Box<csv::Writer<Vec<u8>>>),
    Jsonl(Vec<u8>),
}

fn failed(error: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(format!("export encoding: {error}"))
}

impl<M> Encoder<M> {
    /// A new encoder; CSV starts with the header row.
    pub fn new(
        format: Format,
        columns: Vec<&'static Column<M>>,
        custom_of: Option<CustomOf<M>>,
    ) -> Self {
        let sink = match format {
            Format::Csv => Sink::Csv(Box::new(csv_writer())),
            Format::Jsonl => Sink::Jsonl(Vec::new()),
        };
        Self {
            columns,
            custom_of,
            custom_keys: Vec::new(),
            extra_names: &[],
            header_written: false,
            sink,
        }
    }

    /// Adds columns whose values each row is given ([`Self::row`]).
    pub fn with_extras(mut self, names: &'static [&'static str]) -> Self {
        self.extra_names = names;
        self
    }

    /// Whether the type has custom fields (whose keys to set before the first row).
    pub fn has_custom_fields(&self) -> bool {
        self.custom_of.is_some()
    }

    /// The keys of the custom field columns, in the fields' order.
    pub fn set_custom_keys(&mut self, keys: Vec<String>) {
        self.custom_keys = keys;
    }

    /// The CSV header, once, before the first row (or alone, for no rows).
    fn header(&mut self) -> Result<(), CoreError> {
        if std::mem::replace(&mut self.header_written, true) {
            return Ok(());
        }
        if let Sink::Csv(writer) = &mut self.sink {
            let custom = self
                .custom_keys
                .iter()
                .map(|k| format!("{CUSTOM_PREFIX}{k}"));
            let extras = self.extra_names.iter().map(|n| (*n).to_owned());
            let names = self
                .columns
                .iter()
                .map(|c| c.name.to_owned())
                .chain(extras)
                .chain(custom);
            writer.write_record(names).map_err(failed)?;
        }
        Ok(())
    }

    /// The row's custom field values by key, in column order (null when unset).
    fn custom_values<'r>(&self, row: &'r M) -> Vec<Option<&'r serde_json::Value>> {
        let values = self.custom_of.map(|read| read(row));
        self.custom_keys
            .iter()
            .map(|key| values.and_then(|v| v.get(key)))
            .collect()
    }

    /// Appends one row, with the values of its extra columns.
    pub fn row(&mut self, row: &M, extras: &[serde_json::Value]) -> Result<(), CoreError> {
        self.header()?;
        let custom = self.custom_values(row);
        match &mut self.sink {
            Sink::Csv(writer) => {
                for column in &self.columns {
                    let value = (column.read)(row);
                    writer
                        .write_field(csv_text(&value).as_bytes())
                        .map_err(failed)?;
                }
                for value in extras {
                    let text = match value {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(text) => text.clone(),
                        // A list (a deal's stages) as JSON text, which an import reads.
                        other => other.to_string(),
                    };
                    writer.write_field(text.as_bytes()).map_err(failed)?;
                }
                for value in custom {
                    let text = value.map(custom_field_text).unwrap_or_default();
                    writer.write_field(text.as_bytes()).map_err(failed)?;
                }
                writer.write_record(None::<&[u8]>).map_err(failed)
            }
            Sink::Jsonl(out) => {
                out.push(b'{');
                for (i, column) in self.columns.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    serde_json::to_writer(&mut *out, column.name).map_err(failed)?;
                    out.push(b':');
                    serde_json::to_writer(&mut *out, &(column.read)(row)).map_err(failed)?;
                }
                for (name, value) in self.extra_names.iter().zip(extras) {
                    out.push(b',');
                    serde_json::to_writer(&mut *out, name).map_err(failed)?;
                    out.push(b':');
                    serde_json::to_writer(&mut *out, value).map_err(failed)?;
                }
                for (key, value) in self.custom_keys.iter().zip(custom) {
                    out.push(b',');
                    let name = format!("{CUSTOM_PREFIX}{key}");
                    serde_json::to_writer(&mut *out, &name).map_err(failed)?;
                    out.push(b':');
                    let value = value.unwrap_or(&serde_json::Value::Null);
                    serde_json::to_writer(&mut *out, value).map_err(failed)?;
                }
                out.extend_from_slice(b"}\n");
                Ok(())
            }
        }
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> Result<Vec<u8>, CoreError> {
        self.header()?;
        match &mut self.sink {
            Sink::Csv(writer) => {
                let page = std::mem::replace(writer.as_mut(), csv_writer());
                page.into_inner().map_err(failed)
            }
            Sink::Jsonl(out) => Ok(std::mem::take(out)),
        }
    }
}

/// The column name prefix of custom field values, as imports read them.
const CUSTOM_PREFIX: &str = "customFields.";

/// A custom field value as CSV text, the form an import reads back
/// (options of a MULTI_SELECT joined by `; `).
fn custom_field_text(value: &serde_json::Value) -> String {
    rapport_core::ops::custom_field::types::as_text(value)
}

/// A CSV writer into memory, ending records with CRLF as RFC 4180 does.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

/// A value as CSV text: null is empty, enums their GraphQL name.
fn csv_text(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::Null => "".into(),
        Value::String(text) => text.as_str().into(),
        Value::Enum(name) => name.as_str().into(),
        Value::Boolean(b) => if *b { "true" } else { "false" }.into(),
        Value::Number(n) => n.to_string().into(),
        other => other.to_string().into(),
    }
}
