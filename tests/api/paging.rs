//! Paging reads only the page: counts when selected, cursors in nested
//! lists, and the same answers either way.

use serde_json::json;

use crate::fixtures::world;
use crate::helpers::{TestApp, on_both_databases};

/// `totalCount` is counted only for the lists that select it; two aliases
/// of one list, one counting and one not, each get what they asked.
async fn counts_are_read_where_selected(app: TestApp) {
    world(&app, 3, 3, 0, 0).await;
    let data = app
        .data(
            "{
              plain: companies(first: 2) { nodes { name } }
              counted: companies(first: 2) { ...Total }
              nested: companies(first: 2) {
                nodes {
                  plain: contacts(first: 1) { nodes { firstName } }
                  counted: contacts(first: 1) { totalCount }
                }
              }
            }
            fragment Total on CompanyConnection { totalCount }",
            json!({}),
        )
        .await;
    assert_eq!(data["plain"]["nodes"].as_array().map(Vec::len), Some(2));
    assert_eq!(data["counted"]["totalCount"], 3);
    for company in data["nested"]["nodes"].as_array().expect("companies") {
        assert_eq!(company["plain"]["nodes"].as_array().map(Vec::len), Some(1));
        assert_eq!(company["counted"]["totalCount"], 3);
    }
}

const CONTACT_PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
  companies(first: 2, orderBy: [{ field: NAME }]) {
    nodes {
      name
      contacts(first: $first, after: $after, last: $last, before: $before, orderBy: [{ field: LAST_NAME, direction: DESC }]) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        nodes { lastName }
      }
    }
  }
}";

/// Cursors page nested lists forward and back, per parent, with exact
/// `pageInfo` on both sides.
async fn nested_lists_page_with_cursors(app: TestApp) {
    world(&app, 2, 5, 0, 0).await;
    let all = app.data(CONTACT_PAGE, json!({ "first": 5 })).await;
    let first = app.data(CONTACT_PAGE, json!({ "first": 2 })).await;
    let company = &first["companies"]["nodes"][0]["contacts"];
    assert_eq!(company["totalCount"], 5);
    assert_eq!(company["pageInfo"]["hasNextPage"], true);
    assert_eq!(company["pageInfo"]["hasPreviousPage"], false);
    let after = company["pageInfo"]["endCursor"].clone();

    let second = app
        .data(CONTACT_PAGE, json!({ "first": 2, "after": after }))
        .await;
    let whole = &all["companies"]["nodes"][0]["contacts"]["nodes"];
    let page = &second["companies"]["nodes"][0]["contacts"];
    assert_eq!(page["nodes"][0], whole[2]);
    assert_eq!(page["nodes"][1], whole[3]);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    // The cursor belongs to the first company's contacts: the second
    // company's rows after it in the same order are still its own page.
    assert_eq!(second["companies"]["nodes"][1]["contacts"]["totalCount"], 5);

    let before = page["pageInfo"]["startCursor"].clone();
    let back = app
        .data(CONTACT_PAGE, json!({ "last": 5, "before": before }))
        .await;
    let page = &back["companies"]["nodes"][0]["contacts"];
    assert_eq!(page["nodes"][0], whole[0]);
    assert_eq!(page["nodes"][1], whole[1]);
    assert_eq!(page["nodes"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
}

on_both_databases!(
    counts_are_read_where_selected,
    nested_lists_page_with_cursors
);
