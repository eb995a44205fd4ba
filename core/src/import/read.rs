//! Reading an import file into rows: CSV (RFC 4180, UTF-8 with or without a
//! byte order mark, a header row naming the columns) or JSON Lines (one
//! object a line). Each row keeps its line number, so a refusal can say
//! where; a row that cannot be read (ragged, badly quoted, not UTF-8, not an
//! object) becomes a refusal of its own, and reading goes on.

use std::io::{BufRead, Read};
use std::sync::{Arc, Mutex};

use super::quotes::{Counting, Quotes};

use serde_json::{Map, Value};

/// The two formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// The format a file name's extension names (`.csv`, `.jsonl`, `.ndjson`).
    pub fn of_path(path: &str) -> Option<Self> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(Format::JsonLines)
        } else {
            None
        }
    }
}

/// One row of the file: its first line, and its values by column name.
/// Empty CSV cells and JSON nulls are left out (an absent value).
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub line: u64,
    pub values: Map<String, Value>,
}

/// A row that could not be read.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub line: u64,
    pub message: String,
}

/// What reading the next row gave.
pub type ReadRow = Result<SourceRow, Unreadable>;

/// Rows of an import file, read lazily (constant memory for any size).
pub struct Rows {
    inner: Inner,
}

enum Inner {
    Csv {
        reader: csv::Reader<Box<dyn Read + Send>>,
        header: Vec<String>,
        quotes: Arc<Mutex<Quotes>>,
        /// The row read last, with its first byte: given out once the next
        /// is read, or at the end once it is known not to be cut short.
        held: Option<(u64, ReadRow)>,
    },
    Json {
        lines: std::io::Lines<std::io::BufReader<Box<dyn Read + Send>>>,
        line: u64,
    },
}

impl Rows {
    /// Starts reading `input` as `format`; a CSV file's header row is read
    /// here (an unreadable header refuses the whole file).
    pub fn open(input: Box<dyn Read + Send>, format: Format) -> Result<Self, Unreadable> {
        let inner = match format {
            Format::Csv => {
                let counting = Counting::new(input);
                let quotes = counting.quotes.clone();
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_reader(Box::new(counting) as Box<dyn Read + Send>);
                let header = reader.byte_headers().map_err(|e| Unreadable {
                    line: 1,
                    message: format!("the header row cannot be read: {e}"),
                })?;
                let mut names = Vec::with_capacity(header.len());
                for (i, raw) in header.iter().enumerate() {
                    let name = std::str::from_utf8(raw).map_err(|_| Unreadable {
                        line: 1,
                        message: format!("header column {} is not UTF-8", i + 1),
                    })?;
                    // A byte order mark opens the first name when the file has one.
                    let name = name.trim_start_matches('\u{feff}').trim();
                    if names.iter().any(|n| n == name) {
                        return Err(Unreadable {
                            line: 1,
                            message: format!("the column {name:?} appears twice"),
                        });
                    }
                    names.push(name.to_owned());
                }
                Inner::Csv {
                    reader,
                    header: names,
                    quotes,
                    held: None,
                }
            }
            Format::JsonLines => Inner::Json {
                lines: std::io::BufReader::new(input).lines(),
                line: 0,
            },
        };
        Ok(Self { inner })
    }

    /// The CSV header's column names (none for JSON Lines, whose rows name their own).
    pub fn header(&self) -> &[String] {
        match &self.inner {
            Inner::Csv { header, .. } => header,
            Inner::Json { .. } => &[],
        }
    }
}

impl Iterator for Rows {
    type Item = ReadRow;

    fn next(&mut self) -> Option<ReadRow> {
        match &mut self.inner {
            Inner::Csv {
                reader,
                header,
                quotes,
                held,
            } => loop {
                let mut record = csv::ByteRecord::new();
                let (start, row) = match reader.read_byte_record(&mut record) {
                    Ok(false) => {
                        let (start, row) = held.take()?;
                        let quotes = quotes.lock().unwrap_or_else(|p| p.into_inner());
                        if quotes.open_after(start) {
                            let line = row.as_ref().map_or_else(|u| u.line, |r| r.line);
                            return Some(Err(Unreadable {
                                line,
                                message: "the file ends inside a quoted field (was it cut short?)"
                                    .into(),
                            }));
                        }
                        return Some(row);
                    }
                    Ok(true) => {
                        let position = record.position();
                        let line = position.map_or(0, |p| p.line());
                        let start = position.map_or(0, |p| p.byte());
                        (start, csv_row(line, header, &record))
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        let start = e.position().map_or(0, |p| p.byte());
                        // A quoting error leaves the reader where it can go on.
                        let message = format!("the row cannot be read as CSV: {e}");
                        (start, Err(Unreadable { line, message }))
                    }
                };
                quotes
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .forget_before(start);
                if let Some((_, earlier)) = held.replace((start, row)) {
                    return Some(earlier);
                }
            },
            Inner::Json { lines, line } => loop {
                *line += 1;
                let text = match lines.next()? {
                    Ok(text) => text,
                    Err(e) => {
                        let message = if e.kind() == std::io::ErrorKind::InvalidData {
                            "the line is not UTF-8".to_owned()
                        } else {
                            format!("the line cannot be read: {e}")
                        };
                        return Some(Err(Unreadable {
                            line: *line,
                            message,
                        }));
                    }
                };
                if text.trim().is_empty() {
                    continue;
                }
                return Some(json_row(*line, &text));
            },
        }
    }
}

fn csv_row(line: u64, header: &[String], record: &csv::ByteRecord) -> ReadRow {
    if record.len() != header.len() {
        return Err(Unreadable {
            line,
            message: format!(
                "the row has {} fields, the header {}",
                record.len(),
                header.len()
            ),
        });
    }
    let mut values = Map::new();
    for (name, raw) in header.iter().zip(record.iter()) {
        let text = std::str::from_utf8(raw).map_err(|_| Unreadable {
            line,
            message: format!(
                "the {name} field is not UTF-8 (is the file Latin-1? save it as UTF-8)"
            ),
        })?;
        if !text.trim().is_empty() {
            values.insert(name.clone(), Value::String(text.to_owned()));
        }
    }
    Ok(SourceRow { line, values })
}

fn json_row(line: u64, text: &str) -> ReadRow {
    let text = text.trim_start_matches('\u{feff}');
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(SourceRow {
            line,
            values: map.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        }),
        Ok(_) => Err(Unreadable {
            line,
            message: "the line is not a JSON object".into(),
        }),
        Err(e) => Err(Unreadable {
            line,
            message: format!("the line is not JSON: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &'static [u8], format: Format) -> Vec<ReadRow> {
        Rows::open(Box::new(bytes), format).unwrap().collect()
    }

    #[test]
    fn csv_with_a_bom_quotes_and_ragged_rows() {
        let read = rows(
            b"\xef\xbb\xbfname,city\n\"Acme, Inc.\",\"Paris\"\nshort\n\"multi\nline\",\nx,\xe9\n",
            Format::Csv,
        );
        let first = read[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(first.values["name"], "Acme, Inc.");
        assert_eq!(first.values["city"], "Paris");
        assert_eq!(read[1].as_ref().unwrap_err().line, 3);
        let multi = read[2].as_ref().unwrap();
        assert_eq!(multi.values["name"], "multi\nline");
        assert!(
            !multi.values.contains_key("city"),
            "an empty cell is absent"
        );
        assert!(read[3].as_ref().unwrap_err().message.contains("UTF-8"));
    }

    #[test]
    fn a_file_cut_inside_a_quoted_field_refuses_its_last_row_only() {
        let cut = rows(b"name,city\n\"A\",\"B\"\n\"C\",\"Lon", Format::Csv);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[0].as_ref().unwrap().values["city"], "B");
        let refused = cut[1].as_ref().unwrap_err();
        assert_eq!(refused.line, 3);
        assert!(refused.message.contains("cut short"), "{}", refused.message);
        let whole = rows(b"name,city\n\"x \"\"y\"\"\",\"a\nb\"", Format::Csv);
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].as_ref().unwrap().values["name"], "x \"y\"");
    }

    #[test]
    fn json_lines_skip_blank_lines_and_refuse_non_objects() {
        let read = rows(
            b"{\"name\":\"A\",\"x\":null}\n\n[1]\n{oops\n",
            Format::JsonLines,
        );
        let first = read[0].as_ref().unwrap();
        assert_eq!(first.values.len(), 1);
        assert_eq!(read[1].as_ref().unwrap_err().line, 3);
        assert_eq!(read[2].as_ref().unwrap_err().line, 4);
    }
}
