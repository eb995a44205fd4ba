//! The shape of a response, as the GraphQL spec and generated client types
//! expect it, on every read path: a field that fails is `null` (its error in
//! `errors`), a null in a non-null position turns the nearest nullable
//! parent null, and keys follow the query's order.

use async_graphql::Value as Ordered;
use rapport::config::ReadPath;
use serde_json::{Value, json};

use crate::fixtures::{company, deal, pipeline};
use crate::helpers::{TestApp, error_code, spawn_app_with};

const READ_PATHS: [ReadPath; 3] = [ReadPath::Fast, ReadPath::Executor, ReadPath::Verify];

async fn app_on(path: ReadPath) -> TestApp {
    spawn_app_with(crate::helpers::Backend::Sqlite, |c| c.read_path = path)
        .await
        .expect("app")
}

/// A company with a deal; returns the company's id.
async fn company_with_a_deal(app: &TestApp, name: &str) -> String {
    let (pipeline_id, _) = pipeline(app, &format!("{name} pipeline")).await;
    let id = company(app, json!({ "name": name })).await;
    deal(
        app,
        json!({ "name": format!("{name} deal"), "amount": "10.00", "currency": "EUR",
                "pipelineId": pipeline_id, "companyId": id }),
    )
    .await;
    id
}

/// POSTs `query` and returns the body twice: as JSON, and with its objects'
/// keys in the order the server wrote them.
async fn ask(app: &TestApp, token: &str, query: &str, variables: Value) -> (Value, Ordered) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": query, "variables": variables }));
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let text = request.send().await.unwrap().text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}"));
    let ordered = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}"));
    (json, ordered)
}

/// The keys of the object at `path` (object keys only), in written order.
fn keys(value: &Ordered, path: &[&str]) -> Vec<String> {
    let mut value = value;
    for step in path {
        let Ordered::Object(map) = value else {
            panic!("no object at {step} in {value}");
        };
        value = &map[*step];
    }
    let Ordered::Object(map) = value else {
        panic!("not an object: {value}");
    };
    map.keys().map(|k| k.to_string()).collect()
}

fn error_paths(response: &Value) -> Vec<Value> {
    response["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors expected: {response}"))
        .iter()
        .map(|e| e["path"].clone())
        .collect()
}

#[tokio::test]
async fn a_failed_field_is_null_and_the_null_reaches_the_nearest_nullable_parent() {
    for path in READ_PATHS {
        let app = app_on(path).await;
        let acme = company_with_a_deal(&app, "Acme").await;
        let globex = company_with_a_deal(&app, "Globex").await;

        // `deals` is non-null at the root: its failure leaves `data` null,
        // present, beside the error.
        let (response, _) = ask(
            &app,
            &app.token,
            "{ me { name } deals(first: 500) { totalCount } }",
            json!({}),
        )
        .await;
        assert_eq!(
            error_code(&response),
            "BAD_USER_INPUT",
            "{path:?}: {response}"
        );
        assert_eq!(error_paths(&response), [json!(["deals"])], "{path:?}");
        assert!(
            response.as_object().unwrap().contains_key("data") && response["data"].is_null(),
            "{path:?}: {response}"
        );

        // The same failure under the nullable `node`: `node` is null (the key
        // is there), its sibling answers.
        let query = "query($id: ID!) {
            me { name }
            node(id: $id) { id ... on Company { name deals(first: 500) { totalCount } } }
            companies(first: 5) { totalCount edges { node { name } } }
        }";
        let (response, ordered) = ask(&app, &app.token, query, json!({ "id": acme })).await;
        assert_eq!(keys(&ordered, &["data"]), ["me", "node", "companies"]);
        assert!(response["data"]["node"].is_null(), "{path:?}: {response}");
        assert_eq!(response["data"]["companies"]["totalCount"], 2, "{response}");
        assert_eq!(error_paths(&response), [json!(["node", "deals"])]);

        // In a list of nullable items, each failing item is null.
        let (response, _) = ask(
            &app,
            &app.token,
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Company { name deals(first: 500) { totalCount } } } }",
            json!({ "ids": [acme, globex] }),
        )
        .await;
        assert_eq!(
            response["data"]["nodes"],
            json!([null, null]),
            "{path:?}: {response}"
        );
        assert_eq!(
            error_paths(&response),
            [json!(["nodes", 0, "deals"]), json!(["nodes", 1, "deals"])]
        );

        // A nested list of the fast path's kind, failing deep inside a
        // non-null chain: everything up to `data` is non-null.
        let (response, _) = ask(
            &app,
            &app.token,
            "{ companies(first: 5) { edges { node { name deals(first: 500) { totalCount } } } } }",
            json!({}),
        )
        .await;
        assert!(response["data"].is_null(), "{path:?}: {response}");
        assert_eq!(error_code(&response), "BAD_USER_INPUT");

        // A nullable field failing on its own (no credential): null, in place.
        let (response, ordered) =
            ask(&app, "", "{ node(id: \"x\") { id } __typename }", json!({})).await;
        assert_eq!(
            keys(&ordered, &["data"]),
            ["node", "__typename"],
            "{response}"
        );
        assert!(response["data"]["node"].is_null());
        assert_eq!(response["data"]["__typename"], "Query");
        assert_eq!(error_code(&response), "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn fields_come_back_in_the_order_the_query_asks_for_them() {
    for path in READ_PATHS {
        let app = app_on(path).await;
        let acme = company_with_a_deal(&app, "Acme").await;
        let query = "
            query($id: ID!) {
              tags { totalCount }
              me { name }
              companies { totalCount }
              z: pipelines(first: 1) { totalCount }
              ...Mine
              a: me { email role }
              list: companies(first: 5) {
                edges { node { ...CompanyFields id } cursor }
                totalCount
              }
              node(id: $id) { ... on Company { updatedAt name } id __typename }
            }
            fragment Mine on Query { mine: deals(first: 1) { totalCount } me { id } }
            fragment CompanyFields on Company { name deals(first: 3) { totalCount nodes { name amount id } } }
        ";
        let (response, ordered) = ask(&app, &app.token, query, json!({ "id": acme })).await;
        assert!(response.get("errors").is_none(), "{response}");
        assert_eq!(
            keys(&ordered, &["data"]),
            ["tags", "me", "companies", "z", "mine", "a", "list", "node"],
            "{path:?}"
        );
        // `me` named twice (directly and in the fragment) keeps its first place.
        assert_eq!(keys(&ordered, &["data", "me"]), ["name", "id"]);
        assert_eq!(keys(&ordered, &["data", "a"]), ["email", "role"]);
        assert_eq!(keys(&ordered, &["data", "list"]), ["edges", "totalCount"]);
        assert_eq!(
            keys(&ordered, &["data", "node"]),
            ["updatedAt", "name", "id", "__typename"]
        );
        let Ordered::Object(data) = &ordered else {
            panic!()
        };
        let Ordered::Object(data) = &data["data"] else {
            panic!()
        };
        let Ordered::Object(list) = &data["list"] else {
            panic!()
        };
        let Ordered::List(edges) = &list["edges"] else {
            panic!()
        };
        for edge in edges {
            let Ordered::Object(edge) = edge else {
                panic!()
            };
            let edge_keys: Vec<&str> = edge.keys().map(|k| k.as_str()).collect();
            assert_eq!(edge_keys, ["node", "cursor"]);
            let Ordered::Object(node) = &edge["node"] else {
                panic!()
            };
            let node_keys: Vec<&str> = node.keys().map(|k| k.as_str()).collect();
            assert_eq!(node_keys, ["name", "deals", "id"], "{path:?}");
        }

        // `@skip`/`@include` leave fields out, and an object whose fields
        // are all left out is `{}`, not null.
        let (response, ordered) = ask(
            &app,
            &app.token,
            "query($no: Boolean!) { tags @include(if: $no) { totalCount } me { name @skip(if: true) } __typename }",
            json!({ "no": false }),
        )
        .await;
        assert_eq!(
            keys(&ordered, &["data"]),
            ["me", "__typename"],
            "{response}"
        );
        assert_eq!(response["data"]["me"], json!({}), "{path:?}: {response}");
    }
}
