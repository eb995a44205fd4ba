//! The data-size table: one row per operation, one column per database
//! size and contender, in Markdown.

pub struct Table {
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

impl Table {
    /// A table with these rows, in this order, and no columns yet.
    pub fn new(rows: impl IntoIterator<Item = String>) -> Self {
        Self {
            columns: Vec::new(),
            rows: rows.into_iter().map(|r| (r, Vec::new())).collect(),
        }
    }

    /// Adds a column; returns its index.
    pub fn column(&mut self, name: String) -> usize {
        self.columns.push(name);
        self.columns.len() - 1
    }

    pub fn set(&mut self, row: &str, column: usize, value: String) {
        let at = match self.rows.iter().position(|(r, _)| r == row) {
            Some(at) => at,
            None => {
                self.rows.push((row.to_owned(), Vec::new()));
                self.rows.len() - 1
            }
        };
        let cells = &mut self.rows[at].1;
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = value;
    }

    pub fn render(&self) -> String {
        let mut out = format!("| operation | {} |\n", self.columns.join(" | "));
        out.push_str(&format!("|---|{}\n", "--:|".repeat(self.columns.len())));
        for (label, cells) in &self.rows {
            let cells: Vec<&str> = (0..self.columns.len())
                .map(|i| match cells.get(i).map(String::as_str) {
                    Some("") | None => "–",
                    Some(cell) => cell,
                })
                .collect();
            out.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_land_in_their_row_and_column() {
        let mut table = Table::new(["a".to_string(), "b".to_string()]);
        let one = table.column("one".into());
        let two = table.column("two".into());
        table.set("b", two, "2".into());
        table.set("a", one, "1".into());
        assert_eq!(
            table.render(),
            "| operation | one | two |\n|---|--:|--:|\n| a | 1 | – |\n| b | – | 2 |\n"
        );
    }
}
