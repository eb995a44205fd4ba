//! Nested queries: right results, and one SQL statement per level.

use serde_json::json;

use crate::fixtures::world;
use crate::helpers::{TestApp, on_both_databases};

const NESTED: &str = "query($n: Int!) {
  companies(first: $n, orderBy: [{ field: NAME }]) {
    totalCount
    nodes {
      name
      contacts(first: $n) {
        totalCount
        nodes {
          firstName
          deals(first: $n) {
            totalCount
            edges { node { name tickets(first: $n) { totalCount nodes { subject } } } }
          }
        }
      }
    }
  }
}";

pub(crate) async fn nested_query_returns_every_level(app: TestApp) {
    world(&app, 2, 2, 2, 2).await;
    let data = app.data(NESTED, json!({ "n": 10 })).await;
    let companies = data["companies"]["nodes"].as_array().unwrap();
    assert_eq!(companies.len(), 2);
    assert_eq!(companies[0]["name"], "Company 0");
    for company in companies {
        assert_eq!(company["contacts"]["totalCount"], 2);
        for contact in company["contacts"]["nodes"].as_array().unwrap() {
            assert_eq!(contact["deals"]["totalCount"], 2);
            for edge in contact["deals"]["edges"].as_array().unwrap() {
                let tickets = &edge["node"]["tickets"];
                assert_eq!(tickets["totalCount"], 2);
                let prefix = edge["node"]["name"]
                    .as_str()
                    .unwrap()
                    .replace("Deal", "Ticket");
                for ticket in tickets["nodes"].as_array().unwrap() {
                    assert!(
                        ticket["subject"].as_str().unwrap().starts_with(&prefix),
                        "tickets belong to their deal"
                    );
                }
            }
        }
    }
}

/// The statements of NESTED at first 1 and first 50, and how many lists
/// the fast path answered.
async fn nested_costs(app: &TestApp) -> (Vec<u64>, u64) {
    world(app, 3, 3, 2, 2).await;
    let fast_before = app.counter("rapport_fast_reads_total").await;
    let mut costs = Vec::new();
    for n in [1, 50] {
        let before = app.statements().await;
        let data = app.data(NESTED, json!({ "n": n })).await;
        costs.push(app.statements().await - before);
        assert_eq!(
            data["companies"]["nodes"].as_array().unwrap().len(),
            n.min(3) as usize
        );
    }
    let fast = app.counter("rapport_fast_reads_total").await - fast_before;
    (costs, fast)
}

async fn nested_query_costs_one_statement_per_level_on_the_fast_path(app: TestApp) {
    let (costs, fast) = nested_costs(&app).await;
    assert_eq!(fast, 2, "both reads took the fast path");
    assert_eq!(
        costs,
        vec![4, 4],
        "companies, contacts, deals, tickets: one statement each"
    );
}

async fn nested_query_costs_one_statement_per_level_on_the_executor(app: TestApp) {
    let (costs, fast) = nested_costs(&app).await;
    assert_eq!(fast, 0);
    assert_eq!(costs, vec![4, 4]);
}

async fn nested_pages_are_per_parent(app: TestApp) {
    world(&app, 2, 3, 1, 0).await;
    let data = app.data("{ companies { nodes { contacts(first: 2) { totalCount pageInfo { hasNextPage } nodes { firstName } } } } }", json!({})).await;
    for company in data["companies"]["nodes"].as_array().unwrap() {
        let contacts = &company["contacts"];
        assert_eq!(contacts["nodes"].as_array().unwrap().len(), 2);
        assert_eq!(contacts["totalCount"], 3);
        assert_eq!(contacts["pageInfo"]["hasNextPage"], true);
    }
}

on_both_databases!(
    nested_query_returns_every_level,
    nested_pages_are_per_parent
);

/// 50 rows at each of four levels is 6 million rows in the worst case: far
/// past the complexity limit, which this test is not about.
fn fast_path_unlimited(config: &mut rapport::config::Config) {
    config.max_complexity = usize::MAX;
    config.read_path = rapport::config::ReadPath::Fast;
}

fn executor_unlimited(config: &mut rapport::config::Config) {
    config.max_complexity = usize::MAX;
    config.read_path = rapport::config::ReadPath::Executor;
}

on_both_databases!(with fast_path_unlimited; nested_query_costs_one_statement_per_level_on_the_fast_path);
on_both_databases!(with executor_unlimited; nested_query_costs_one_statement_per_level_on_the_executor);

async fn ten_thousand_parent_keys_are_one_statement(app: TestApp) {
    use rapport::graphql::filter::col;
    use rapport::graphql::list::in_ids;
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{EntityTrait, QueryFilter};
    let keys: Vec<uuid::Uuid> = (0..10_000).map(|_| uuid::Uuid::now_v7()).collect();
    let before = app.settled_statements().await;
    let condition = in_ids(
        app.state.db.get_database_backend(),
        col("contact", "company_id"),
        keys,
    );
    let rows = entity::contact::Entity::find()
        .filter(col("contact", "workspace_id").eq(app.workspace_id))
        .filter(condition)
        .all(&app.state.db)
        .await
        .expect("one query");
    assert!(rows.is_empty());
    assert_eq!(app.statements().await - before, 1);
}

on_both_databases!(ten_thousand_parent_keys_are_one_statement);
