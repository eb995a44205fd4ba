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

/// Encodes rows of `M` with the columns the actor may see.
pub struct Encoder<M: 'static> {
    columns: Vec<&'static Column<M>>,
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
    pub fn new(format: Format, columns: Vec<&'static Column<M>>) -> Self {
        let sink = match format {
            Format::Csv => {
                let mut writer = csv_writer();
                // An in-memory writer cannot fail; an error would only be a bug.
                let _ = writer.write_record(columns.iter().map(|c| c.name));
                Sink::Csv(Box::new(writer))
            }
            Format::Jsonl => Sink::Jsonl(Vec::new()),
        };
        Self { columns, sink }
    }

    /// Appends one row.
    pub fn row(&mut self, row: &M) -> Result<(), CoreError> {
        match &mut self.sink {
            Sink::Csv(writer) => {
                for column in &self.columns {
                    let value = (column.read)(row);
                    writer
                        .write_field(csv_text(&value).as_bytes())
                        .map_err(failed)?;
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
                out.extend_from_slice(b"}\n");
                Ok(())
            }
        }
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> Result<Vec<u8>, CoreError> {
        match &mut self.sink {
            Sink::Csv(writer) => {
                let page = std::mem::replace(writer.as_mut(), csv_writer());
                page.into_inner().map_err(failed)
            }
            Sink::Jsonl(out) => Ok(std::mem::take(out)),
        }
    }
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
