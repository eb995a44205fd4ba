//! `search`: one ranked list over companies, contacts, deals, tickets and
//! activities, with prefixes and one-letter slips, highlighting, paging,
//! soft delete, workspaces and roles, kept current by every write.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    prefixes_and_slips_find_records_best_first,
    search_follows_writes_workspaces_and_roles,
    every_list_filters_by_search,
    near_matches_follow_every_exact_one_across_pages,
);

const SEARCH: &str = "query($q: String!, $types: [SearchType!], $first: Int, $after: String) { search(query: $q, types: $types, first: $first, after: $after) { edges { cursor score node { __typename ... on Company { name } ... on Contact { firstName } ... on Deal { name amount } ... on Ticket { number subject } ... on Activity { subject } } matches { field text highlighted } } pageInfo { hasNextPage endCursor } } }";

async fn search_as(app: &TestApp, token: &str, variables: Value) -> Value {
    let response = app.gql_as(token, SEARCH, variables).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"]["search"].clone()
}

/// `(type, name)` of each hit, in order.
fn names(found: &Value) -> Vec<(String, String)> {
    found["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let node = &e["node"];
            let name = ["name", "firstName", "subject"]
                .iter()
                .find_map(|f| node[f].as_str())
                .unwrap_or("");
            (
                node["__typename"].as_str().unwrap_or("").to_owned(),
                name.to_owned(),
            )
        })
        .collect()
}

async fn world(app: &TestApp) -> (String, String) {
    let acme = fixtures::company(app, json!({ "name": "Acme Corp", "domain": "acme.com" })).await;
    fixtures::company(app, json!({ "name": "Zenith" })).await;
    let ada = fixtures::contact(app, json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.com", "companyId": acme })).await;
    let (pipeline, _) = fixtures::pipeline(app, "Sales").await;
    fixtures::deal(app, json!({ "name": "Acme renewal", "amount": "5000", "currency": "EUR", "pipelineId": pipeline })).await;
    let ticket =
        "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }";
    mutate(app, ticket, json!({ "input": { "subject": "Printer on fire", "description": "Smoke <everywhere>", "priority": "URGENT", "contactId": ada } })).await;
    let call = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id } } }";
    mutate(app, call, json!({ "input": { "kind": "CALL", "subject": "Pricing call", "body": "Discussed the Acme plan", "contactId": ada } })).await;
    (acme, ada)
}

pub(crate) async fn prefixes_and_slips_find_records_best_first(app: TestApp) {
    world(&app).await;
    // "acm" starts a word of the company, the deal and the call (rank 3),
    // and is inside Ada's email (rank 2); the newest first within a rank.
    let found = search_as(&app, &app.token, json!({ "q": "ACM" })).await;
    let hits = names(&found);
    assert_eq!(
        hits,
        vec![
            ("Activity".to_owned(), "Pricing call".to_owned()),
            ("Deal".to_owned(), "Acme renewal".to_owned()),
            ("Company".to_owned(), "Acme Corp".to_owned()),
            ("Contact".to_owned(), "Ada".to_owned()),
        ],
        "{found:#}"
    );
    let edges = found["edges"].as_array().unwrap();
    assert_eq!(edges[2]["score"], 3.0);
    assert_eq!(edges[3]["score"], 2.0);
    assert_eq!(
        edges[2]["matches"],
        json!([
            { "field": "name", "text": "Acme Corp", "highlighted": "<mark>Acm</mark>e Corp" },
            { "field": "domain", "text": "acme.com", "highlighted": "<mark>acm</mark>e.com" },
        ])
    );
    assert_eq!(edges[3]["matches"][0]["field"], "email");

    // A slip of one letter still finds Acme, below the exact matches' ranks.
    let slip = search_as(
        &app,
        &app.token,
        json!({ "q": "acne", "types": ["COMPANY"] }),
    )
    .await;
    assert_eq!(
        names(&slip),
        vec![("Company".to_owned(), "Acme Corp".to_owned())]
    );
    let edge = &slip["edges"][0];
    assert_eq!(edge["score"], 1.0);
    assert_eq!(edge["matches"][0]["highlighted"], "<mark>Acme</mark> Corp");

    // A ticket by its number; text is escaped in highlights.
    let ticket = search_as(&app, &app.token, json!({ "q": "#1", "types": ["TICKET"] })).await;
    assert_eq!(
        names(&ticket),
        vec![("Ticket".to_owned(), "Printer on fire".to_owned())]
    );
    let smoke = search_as(&app, &app.token, json!({ "q": "smoke" })).await;
    assert_eq!(
        smoke["edges"][0]["matches"][0]["highlighted"],
        "<mark>Smoke</mark> &lt;everywhere&gt;"
    );

    // Pages follow each other without repeats.
    let first = search_as(&app, &app.token, json!({ "q": "acm", "first": 3 })).await;
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let cursor = first["pageInfo"]["endCursor"].clone();
    let rest = search_as(
        &app,
        &app.token,
        json!({ "q": "acm", "first": 3, "after": cursor }),
    )
    .await;
    assert_eq!(names(&rest), vec![("Contact".to_owned(), "Ada".to_owned())]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    for (variables, field) in [
        (json!({ "q": " a " }), "query"),
        (json!({ "q": "acme", "first": 51 }), "first"),
        (json!({ "q": "acme", "after": "nonsense" }), "after"),
    ] {
        let refused = app.gql(SEARCH, variables).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused:#}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], field);
    }
}

pub(crate) async fn search_follows_writes_workspaces_and_roles(app: TestApp) {
    let (acme, ada) = world(&app).await;
    let rename = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { contact { id } } }";
    mutate(
        &app,
        rename,
        json!({ "id": ada, "input": { "firstName": "Grace", "lastName": "Hopper" } }),
    )
    .await;
    let grace = search_as(&app, &app.token, json!({ "q": "grace" })).await;
    assert_eq!(
        names(&grace),
        vec![("Contact".to_owned(), "Grace".to_owned())]
    );
    let ada_gone = search_as(
        &app,
        &app.token,
        json!({ "q": "lovelace", "types": ["CONTACT"] }),
    )
    .await;
    assert_eq!(ada_gone["edges"], json!([]));

    // Deleted: not found; restored: found again.
    let delete = "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }";
    mutate(&app, delete, json!({ "id": acme })).await;
    let companies = json!({ "q": "acme", "types": ["COMPANY"] });
    assert_eq!(
        search_as(&app, &app.token, companies.clone()).await["edges"],
        json!([])
    );
    let restore = "mutation($id: ID!) { restoreCompany(id: $id) { company { id } } }";
    mutate(&app, restore, json!({ "id": acme })).await;
    assert_eq!(
        search_as(&app, &app.token, companies).await["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Another workspace finds nothing of this one.
    let theirs = search_as(&app, &app.other_token, json!({ "q": "acme" })).await;
    assert_eq!(theirs["edges"], json!([]));

    // SUPPORT finds the deal and sees no amount.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let deals = search_as(&app, &support, json!({ "q": "renewal", "types": ["DEAL"] })).await;
    assert_eq!(deals["edges"][0]["node"]["name"], "Acme renewal");
    assert_eq!(deals["edges"][0]["node"]["amount"], Value::Null);
}

pub(crate) async fn every_list_filters_by_search(app: TestApp) {
    world(&app).await;
    let query = "{ companies(filter: { search: \"acne\" }) { nodes { name } }
      contacts(filter: { company: { search: \"acme\" }, search: \"lovelace\" }) { nodes { firstName } }
      deals(filter: { search: \"renew\" }) { nodes { name } }
      tickets(filter: { search: \"#1\" }) { nodes { subject } }
      activities(filter: { search: \"plan\" }) { nodes { subject } } }";
    let data = app.data(query, json!({})).await;
    assert_eq!(data["companies"]["nodes"], json!([{ "name": "Acme Corp" }]));
    assert_eq!(data["contacts"]["nodes"], json!([{ "firstName": "Ada" }]));
    assert_eq!(data["deals"]["nodes"], json!([{ "name": "Acme renewal" }]));
    assert_eq!(
        data["tickets"]["nodes"],
        json!([{ "subject": "Printer on fire" }])
    );
    assert_eq!(
        data["activities"]["nodes"],
        json!([{ "subject": "Pricing call" }])
    );
    let none = app
        .data(
            "{ companies(filter: { search: \"zzzz\" }) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(none["companies"]["nodes"], json!([]));
    let refused = app
        .gql(
            "{ companies(filter: { search: \"a\" }) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "filter.search");
}

/// Near matches are looked for only when the exact ones leave room on the
/// page: paging one hit at a time walks the exact matches, then the near
/// ones, exactly as one page holding them all.
async fn near_matches_follow_every_exact_one_across_pages(app: TestApp) {
    world(&app).await;
    fixtures::company(&app, json!({ "name": "Acne Studios" })).await;
    fixtures::company(&app, json!({ "name": "Acmes Supplies" })).await;
    let all = search_as(&app, &app.token, json!({ "q": "acme", "first": 50 })).await;
    // The newest first within a rank: "Acmes Supplies" came last.
    let expected = vec![
        ("Company".to_owned(), "Acmes Supplies".to_owned()),
        ("Activity".to_owned(), "Pricing call".to_owned()),
        ("Deal".to_owned(), "Acme renewal".to_owned()),
        ("Company".to_owned(), "Acme Corp".to_owned()),
        ("Contact".to_owned(), "Ada".to_owned()),
        ("Company".to_owned(), "Acne Studios".to_owned()),
    ];
    assert_eq!(names(&all), expected, "{all:#}");
    let scores: Vec<f64> = all["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["score"].as_f64().unwrap())
        .collect();
    assert_eq!(scores, [3.0, 3.0, 3.0, 3.0, 2.0, 1.0]);

    let mut walked = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = search_as(
            &app,
            &app.token,
            json!({ "q": "acme", "first": 1, "after": after }),
        )
        .await;
        walked.extend(names(&page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(walked, expected);

    // Three letters: no slips are looked for, only the query itself.
    let short = search_as(&app, &app.token, json!({ "q": "acn", "first": 50 })).await;
    assert_eq!(
        names(&short),
        vec![("Company".to_owned(), "Acne Studios".to_owned())]
    );
}
