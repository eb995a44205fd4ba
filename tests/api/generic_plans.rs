//! Searches keep their shape under PostgreSQL's generic plans.
//!
//! After five executions of a prepared statement on one connection,
//! PostgreSQL may keep a generic plan, made for no workspace in particular
//! and so for the table's average one. Beside many small workspaces, that
//! plan read a large workspace's search documents as if they were a few
//! hundred (BENCHMARKS.md, "generic plan"). The test database runs with
//! `plan_cache_mode = force_generic_plan`, so every statement is planned
//! the way a long-running server's connections plan it, and `auto_explain`
//! shows what ran:
//!
//! - a list's search filter in its walking form tests each record in the
//!   list's order through a subquery, which no plan can turn into a join of
//!   the whole workspace;
//! - a search, and a list page filtered through a subquery (tags, related
//!   records), run with custom plans (their transaction asks for them):
//!   their plans name the workspace's id itself, where a generic plan has
//!   `$n`; a plain page keeps the generic plan.

use serde_json::Value;

use crate::common::postgres;
use crate::plans::{demo_on_postgres_with, plans_of};

const GENERIC: &[(&str, &str)] = &[
    ("session_preload_libraries", "auto_explain"),
    ("auto_explain.log_min_duration", "0"),
    ("auto_explain.log_format", "json"),
    ("plan_cache_mode", "force_generic_plan"),
];

#[tokio::test]
async fn searches_keep_their_shape_under_generic_plans() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some((app, admin, token)) = demo_on_postgres_with(cluster, GENERIC).await else {
        return;
    };
    let workspace = admin.workspace_id.to_string();
    let mut failures = Vec::new();

    // Two letters: always the walking form (no trigram to look up).
    for order in ["", ", orderBy: [{ field: LAST_NAME, direction: ASC }]"] {
        let list = format!(
            r#"{{ contacts(first: 3, filter: {{ search: "an" }}{order}) {{ edges {{ cursor }} }} }}"#
        );
        for plan in plans_of(&app, &token, &list, r#""_page""#).await {
            let mut joined = Vec::new();
            documents_outside_subplans(&plan["Plan"], false, &mut joined);
            if !joined.is_empty() {
                failures.push(format!(
                    "{list}: search_document read outside a subquery ({joined:?})\n{:#}",
                    plan["Plan"]
                ));
            }
        }
    }

    // Pages filtered through a subquery (tags, related records) are planned
    // for their workspace; a plain page keeps the cached generic plan.
    for (list, custom) in [
        (
            r#"contacts(first: 3, filter: { tags: { all: ["vip", "partner"] } })"#,
            true,
        ),
        (
            r#"companies(first: 3, filter: { deals: { some: { status: { eq: OPEN } } } })"#,
            true,
        ),
        (
            r#"contacts(first: 3, filter: { company: { industry: { eq: "Retail" } } })"#,
            true,
        ),
        ("contacts(first: 3)", false),
    ] {
        let query = format!("{{ {list} {{ edges {{ cursor }} }} }}");
        for plan in plans_of(&app, &token, &query, r#""_page""#).await {
            if plan["Plan"].to_string().contains(&workspace) != custom {
                failures.push(format!(
                    "{query}: expected a {} plan\n{:#}",
                    if custom { "custom" } else { "generic" },
                    plan["Plan"]
                ));
            }
        }
    }

    // The exact statement, and the near one ("platfrom" finds too few).
    for (typed, marker) in [("platform", r#"AS "kind""#), ("platfrom", "<%")] {
        let search = format!("{{ search(query: \"{typed}\", first: 3) {{ edges {{ cursor }} }} }}");
        for plan in plans_of(&app, &token, &search, marker).await {
            if !plan["Plan"].to_string().contains(&workspace) {
                failures.push(format!(
                    "{search}: a generic plan (the workspace's id is not in it)\n{:#}",
                    plan["Plan"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The node types that read `search_document` other than below a subplan.
fn documents_outside_subplans(node: &Value, in_subplan: bool, out: &mut Vec<String>) {
    let in_subplan = in_subplan || node["Parent Relationship"] == "SubPlan";
    if node["Relation Name"] == "search_document" && !in_subplan {
        out.push(node["Node Type"].as_str().unwrap_or_default().to_owned());
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        documents_outside_subplans(child, in_subplan, out);
    }
}
