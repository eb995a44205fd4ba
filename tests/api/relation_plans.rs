//! A relation filter through a table of pairs (a contact's deals, a deal's
//! contacts) joins the filtered row's pairs to their records. Written as the record's `id IN (the row's pairs)`,
//! PostgreSQL could not make it a join: it read the pairs in a subplan run
//! for every record of the workspace, for every row (1.4 s for a page at
//! 50,000 deals; BENCHMARKS.md). The plans are read from `auto_explain`, on
//! a database that prefers any index to a scan (see `plans`).

use serde_json::Value;

use crate::common::postgres;
use crate::plans::{EXPLAINED, demo_on_postgres_with, plans_of};

#[tokio::test]
async fn a_relation_through_pairs_joins_the_pairs_instead_of_probing_them_per_record() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some((app, _, token)) = demo_on_postgres_with(cluster, EXPLAINED).await else {
        return;
    };
    let mut failures = Vec::new();
    for (list, filter) in [
        ("contacts", "deals: { none: {} }"),
        ("contacts", "deals: { some: { status: { eq: OPEN } } }"),
        ("deals", "contacts: { none: {} }"),
    ] {
        let query =
            format!("{{ {list}(first: 3, filter: {{ {filter} }}) {{ edges {{ cursor }} }} }}");
        for plan in plans_of(&app, &token, &query, r#""_page""#).await {
            let mut pairs = Vec::new();
            pair_reads(&plan["Plan"], false, &mut pairs);
            // Read through an index by the row (or, with the estimates of a
            // small workspace, by the record), as part of a join.
            let joined = !pairs.is_empty()
                && pairs
                    .iter()
                    .all(|(cond, in_subplan)| cond.contains("_id = ") && !in_subplan);
            if !joined {
                failures.push(format!(
                    "{query}: the pairs are not read by key in a join: {pairs:?}\n{:#}",
                    plan["Plan"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every read of `deal_contact` in a plan: the condition of the index it
/// reads through (empty for other reads), and whether it is below a subplan.
fn pair_reads(node: &Value, in_subplan: bool, out: &mut Vec<(String, bool)>) {
    let in_subplan = in_subplan || node["Parent Relationship"] == "SubPlan";
    if node["Relation Name"] == "deal_contact" {
        let cond = node["Index Cond"].as_str().unwrap_or_default();
        out.push((cond.to_owned(), in_subplan));
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        pair_reads(child, in_subplan, out);
    }
}
