//! The one-letter slips search forgives, in queries of [`MIN_LENGTH`]
//! letters or more. On SQLite, `LIKE` patterns matching the query with one
//! letter changed, dropped or added (`acne` finds "acme"). On PostgreSQL
//! trigram similarity finds them, after [`halves`] (cheap `LIKE`s) kept
//! only the texts a slip could be in.

use super::escape_like;

/// Shortest query slips are looked for in: shorter ones would match too much.
pub const MIN_LENGTH: usize = 4;

/// Whether slips of `query` are looked for.
pub fn forgiven(query: &str) -> bool {
    query.chars().count() >= MIN_LENGTH
}

/// `%…%` patterns of the query with one letter changed (`_`), dropped, or
/// added (`_`), deduplicated; none for a short query.
pub fn patterns(query: &str) -> Vec<String> {
    let letters: Vec<char> = query.chars().collect();
    if !forgiven(query) {
        return Vec::new();
    }
    let piece = |chars: &[char]| escape_like(&chars.iter().collect::<String>());
    let mut found = Vec::new();
    for i in 0..letters.len() {
        // Changed: any letter in place of letter i.
        found.push(format!(
            "%{}_{}%",
            piece(&letters[..i]),
            piece(&letters[i + 1..])
        ));
        // Dropped: letter i was not typed in the record (or was typed too many).
        let mut without = letters.clone();
        without.remove(i);
        found.push(format!("%{}%", piece(&without)));
    }
    for i in 1..letters.len() {
        // Added: a letter the query lacks, between i − 1 and i.
        found.push(format!(
            "%{}_{}%",
            piece(&letters[..i]),
            piece(&letters[i..])
        ));
    }
    found.sort();
    found.dedup();
    found
}

/// `%…%` patterns of the query's two halves. One letter changed, dropped
/// or added leaves one half whole, so a text holding neither has no slip
/// of the query: word similarity, 20 times the cost of a `LIKE`, need not
/// be asked of it.
pub fn halves(query: &str) -> [String; 2] {
    let letters: Vec<char> = query.chars().collect();
    let (left, right) = letters.split_at(letters.len() / 2);
    let piece = |chars: &[char]| format!("%{}%", escape_like(&chars.iter().collect::<String>()));
    [piece(left), piece(right)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_of_one_letter_are_patterns() {
        let found = patterns("acne");
        assert!(found.contains(&"%ac_e%".to_owned()), "{found:?}");
        assert!(found.contains(&"%acn%".to_owned()));
        assert!(found.contains(&"%ac_ne%".to_owned()));
        assert!(patterns("acm").is_empty());
        assert!(patterns("50%_x").iter().any(|p| p.contains("\\%")));
    }

    #[test]
    fn every_slip_keeps_one_half_whole() {
        let query = "schmidt";
        let halves = halves(query).map(|h| h.trim_matches('%').to_owned());
        assert_eq!(halves, ["sch".to_owned(), "midt".to_owned()]);
        for slip in [
            "schmitt", "schmit", "schmiddt", "xchmidt", "schmidx", "chmidt",
        ] {
            assert!(halves.iter().any(|h| slip.contains(h.as_str())), "{slip}");
        }
    }
}
