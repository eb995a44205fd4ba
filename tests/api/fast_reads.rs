//! The fast read path (`graphql::fast`): the test servers run in
//! `ReadPath::Verify`, so every read here (and every list read of every other
//! test) is answered by both the fast path and the executor and fails when
//! they differ. These tests choose reads that reach every field, cursor and
//! role rule the fast path knows, check that it really answered them (its
//! counter), and that what it does not know still goes to the executor.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{company, contact, mutate, ticket, world};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

const FAST_READS: &str = "rapport_fast_reads_total";

/// Runs `query` as `token`, checks it had no errors and that the fast path
/// answered `lists` top-level lists; returns `data`.
async fn fast(app: &TestApp, token: &str, query: &str, variables: Value, lists: u64) -> Value {
    let before = app.counter(FAST_READS).await;
    let response = app.gql_as(token, query, variables).await;
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    assert_eq!(
        app.counter(FAST_READS).await - before,
        lists,
        "lists answered by the fast path for {query}"
    );
    response["data"].clone()
}

const EVERY_FIELD: &str = "
fragment companyFields on Company {
  __typename id name domain industry employeeCount annualRevenue annualRevenueCurrency
  city country currentVendor vendorContractEndsOn churnedAt exitReason version
  deletedAt createdAt updatedAt
}
query {
  companies(first: 5, orderBy: [{ field: NAME }]) {
    __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      __typename cursor
      node {
        ...companyFields
        tickets(first: 5) { totalCount nodes { id subject } }
        deals(first: 5) { totalCount nodes { id name amount } }
        people: contacts(first: 5) {
          totalCount
          nodes {
            ... on Contact {
              __typename id firstName lastName fullName email phone jobTitle leadScore
              emailOptIn emailOptInAt consentSource consentLegalBasis unsubscribedAt
              lifecycleStage city country birthdate version deletedAt createdAt updatedAt
            }
            tickets { totalCount }
            deals(first: 3) {
              edges {
                cursor
                node {
                  __typename id name amount currency status expectedCloseDate closedAt
                  closeReason stageEnteredAt version deletedAt createdAt updatedAt
                  tickets(first: 2, orderBy: [{ field: NUMBER, direction: DESC }]) {
                    pageInfo { hasNextPage endCursor }
                    nodes {
                      __typename id number subject description status priority category
                      openedAt firstResponseAt resolvedAt closedAt resolutionTimeSeconds
                      version deletedAt createdAt updatedAt
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}";

async fn every_field_the_fast_path_knows_matches_the_executor(app: TestApp) {
    let world = world(&app, 2, 2, 2, 3).await;
    let acme = company(
        &app,
        json!({ "name": "Acme", "domain": "acme.example", "industry": "Tools",
                "annualRevenue": "1250000.5", "annualRevenueCurrency": "EUR",
                "city": "Lyon", "country": "FR" }),
    )
    .await;
    let person = contact(
        &app,
        json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.example",
                "jobTitle": "CTO", "birthdate": "1990-12-10", "companyId": acme }),
    )
    .await;
    ticket(
        &app,
        json!({ "subject": "Broken", "description": "It broke", "category": "billing",
                "contactId": person, "companyId": acme, "dealId": world.deals[0] }),
    )
    .await;
    let data = fast(&app, &app.token, EVERY_FIELD, json!({}), 1).await;
    let edges = data["companies"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 3);
    assert_eq!(edges[0]["node"]["name"], "Acme");
    assert_eq!(edges[0]["node"]["annualRevenue"], "1250000.50");
    assert_eq!(
        edges[0]["node"]["people"]["nodes"][0]["fullName"],
        "Ada Lovelace"
    );
    let deal = &edges[1]["node"]["people"]["nodes"][0]["deals"]["edges"][0]["node"];
    assert_eq!(deal["amount"], "100.00");
    assert_eq!(deal["tickets"]["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(deal["tickets"]["pageInfo"]["hasNextPage"], true);

    // The other top-level lists, each with its nested lists.
    let others = "{
      contacts(first: 10) { nodes { id fullName company { __typename id name } deals { nodes { name } } tickets { nodes { subject } } } }
      deals(first: 10, orderBy: [{ field: AMOUNT, direction: DESC }]) { totalCount nodes { id name amount status company { name } tickets { totalCount } } }
      tickets(first: 20, filter: { subject: { contains: \"Ticket 1\" } }) { totalCount nodes { number subject status priority contact { fullName } company { name } deal { name amount } } }
    }";
    let data = fast(&app, &app.token, others, json!({}), 3).await;
    assert_eq!(data["contacts"]["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(data["contacts"]["nodes"][0]["company"]["name"], "Company 0");
    assert_eq!(data["tickets"]["totalCount"], 12);
    assert_eq!(
        data["tickets"]["nodes"][0]["contact"]["fullName"],
        "Person 1.0"
    );
    assert_eq!(data["tickets"]["nodes"][0]["company"]["name"], "Company 1");
    // A deleted company is null where it is referenced, on both paths.
    mutate(
        &app,
        "mutation($id: ID!) { deleteCompany(id: $id) { company { id } } }",
        json!({ "id": world.companies[0] }),
    )
    .await;
    let data = fast(&app, &app.token, others, json!({}), 3).await;
    let companies: Vec<&Value> = data["contacts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["company"])
        .collect();
    assert!(companies.contains(&&Value::Null));
}

const PAGE: &str = "query($first: Int, $last: Int, $after: String, $before: String, $order: [CompanyOrder!]) {
  companies(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name contacts(first: 1) { pageInfo { hasNextPage endCursor } nodes { firstName } } } }
  }
}";

async fn paging_through_cursors_matches_the_executor(app: TestApp) {
    world(&app, 5, 2, 1, 0).await;
    let orders = [
        json!([{ "field": "NAME", "direction": "DESC" }]),
        json!([{ "field": "EMPLOYEE_COUNT" }]),
        // A calculated key: the cursor carries the figure.
        json!([{ "field": "TICKET_COUNT" }, { "field": "NAME" }]),
    ];
    for order in orders {
        let mut names = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let vars = json!({ "first": 2, "after": after, "order": order });
            let page = fast(&app, &app.token, PAGE, vars, 1).await["companies"].clone();
            for edge in page["edges"].as_array().unwrap() {
                names.push(edge["node"]["name"].as_str().unwrap().to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(names.len(), 5, "every company once for {order}");
        // And back from the end.
        let vars = json!({ "last": 2, "order": order });
        let tail = fast(&app, &app.token, PAGE, vars, 1).await["companies"].clone();
        assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
        let before = tail["pageInfo"]["startCursor"].as_str().unwrap().to_owned();
        let vars = json!({ "last": 2, "before": before, "order": order });
        let middle = fast(&app, &app.token, PAGE, vars, 1).await["companies"].clone();
        assert_eq!(middle["edges"][1]["node"]["name"], names[2]);
    }
    // A nested `after`: each parent's page continues past the same cursor.
    let first = fast(&app, &app.token, PAGE, json!({ "first": 1 }), 1).await;
    let cursor =
        first["companies"]["edges"][0]["node"]["contacts"]["pageInfo"]["endCursor"].clone();
    let query = "query($after: String) { companies(first: 5) { nodes { contacts(first: 5, after: $after) { pageInfo { hasPreviousPage } nodes { firstName } } } } }";
    fast(&app, &app.token, query, json!({ "after": cursor }), 1).await;
}

async fn roles_and_workspaces_hold_on_the_fast_path(app: TestApp) {
    world(&app, 1, 2, 2, 1).await;
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let query = "{ companies(first: 5) { nodes { contacts(first: 5) { nodes { deals(first: 5) { nodes { name amount } } } } } } deals { nodes { amount } } tickets { nodes { deal { amount } } } }";
    let data = fast(&app, &support, query, json!({}), 3).await;
    for deal in data["deals"]["nodes"].as_array().unwrap() {
        assert_eq!(deal["amount"], Value::Null, "SUPPORT sees no amounts");
    }
    assert_eq!(data["tickets"]["nodes"][0]["deal"]["amount"], Value::Null);
    let nested = &data["companies"]["nodes"][0]["contacts"]["nodes"][0]["deals"]["nodes"];
    assert_eq!(nested[0]["amount"], Value::Null);
    // Filtering or sorting by amount is refused to SUPPORT at every level, with the
    // executor's error (the fast path leaves refused reads to it).
    for query in [
        "{ deals(filter: { amount: { gt: \"1\" } }) { nodes { name } } }",
        "{ contacts(first: 5) { nodes { deals(first: 5, orderBy: [{ field: AMOUNT }]) { nodes { name } } } } }",
        "{ contacts(first: 5) { nodes { deals(first: 5, filter: { amount: { gt: \"1\" } }) { nodes { name } } } } }",
    ] {
        let response = app.gql_as(&support, query, json!({})).await;
        assert_eq!(error_code(&response), "FORBIDDEN", "{query}: {response}");
    }
    // Another workspace sees none of it.
    let data = fast(&app, &app.other_token, query, json!({}), 3).await;
    assert_eq!(data["companies"]["nodes"], json!([]));
    assert_eq!(data["deals"]["nodes"], json!([]));
}

async fn a_deal_of_two_contacts_is_listed_under_both(app: TestApp) {
    let world = world(&app, 1, 2, 1, 2).await;
    mutate(
        &app,
        "mutation($deal: ID!, $contact: ID!) { addDealContact(dealId: $deal, contactId: $contact, role: CHAMPION) { deal { id } } }",
        json!({ "deal": world.deals[0], "contact": world.contacts[1] }),
    )
    .await;
    let query = "{ companies(first: 5) { nodes { contacts(first: 5, orderBy: [{ field: CREATED_AT }]) { nodes { deals(first: 5) { totalCount nodes { name tickets(first: 5) { nodes { subject } } } } } } } } }";
    let data = fast(&app, &app.token, query, json!({}), 1).await;
    let contacts = data["companies"]["nodes"][0]["contacts"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(contacts[0]["deals"]["totalCount"], 1);
    assert_eq!(contacts[1]["deals"]["totalCount"], 2);
    let shared = &contacts[0]["deals"]["nodes"][0];
    assert!(
        contacts[1]["deals"]["nodes"]
            .as_array()
            .unwrap()
            .contains(shared),
        "the shared deal, with its tickets, under both contacts"
    );
}

async fn what_the_fast_path_does_not_know_goes_to_the_executor(app: TestApp) {
    world(&app, 2, 1, 1, 1).await;
    for query in [
        // A reference, a calculated field, a list it does not know.
        "{ companies { nodes { name owner { name } } } }",
        "{ companies { nodes { name churnRisk } } }",
        "{ tickets { nodes { company { name contacts { totalCount } } } } }",
        "{ deals { nodes { name contacts { edges { role node { firstName } } } } } }",
        // A fragment on an interface, a key selected twice.
        "{ companies { nodes { ... on Node { id } } } }",
        "{ companies { nodes { name name } } }",
    ] {
        let data = fast(&app, &app.token, query, json!({}), 0).await;
        assert!(
            data.as_object().unwrap().values().next().is_some(),
            "{query}"
        );
    }
    // `@skip` and `@include` on fields are applied before any resolver runs.
    let query = "query($yes: Boolean!) { companies { nodes { name @include(if: $yes) id @skip(if: $yes) } } }";
    let data = fast(&app, &app.token, query, json!({ "yes": true }), 1).await;
    assert_eq!(
        data["companies"]["nodes"][0],
        json!({ "name": "Company 0" })
    );
    // A default value counts for `@include` as for arguments.
    let query =
        "query($yes: Boolean = true) { companies(first: 1) { nodes { name @include(if: $yes) } } }";
    let data = fast(&app, &app.token, query, json!({}), 1).await;
    assert_eq!(
        data["companies"]["nodes"][0],
        json!({ "name": "Company 0" })
    );
    // Bad input: the executor's error and field.
    let response = app
        .gql(
            "{ companies { nodes { contacts(first: 500) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&response), "BAD_USER_INPUT");
    assert_eq!(response["errors"][0]["extensions"]["field"], "first");
}

on_both_databases!(
    every_field_the_fast_path_knows_matches_the_executor,
    paging_through_cursors_matches_the_executor,
    roles_and_workspaces_hold_on_the_fast_path,
    a_deal_of_two_contacts_is_listed_under_both,
    what_the_fast_path_does_not_know_goes_to_the_executor
);
