//! Filters across relations: to-one (`company: { … }`) and to-many
//! (`deals: { some | every | none: { … } }`), up to three hops, on a small
//! hand-built set whose right answers are known; deleted related records do
//! not count; SUPPORT cannot filter by amount through a relation; the
//! filtered page costs the statements of an unfiltered one.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(
    relations_filter_to_one_and_to_many_up_to_three_hops,
    relation_filters_respect_deletes_roles_limits_and_cost,
);

/// The ids the set is made of.
struct Set {
    acme: String,
    globex: String,
    initech: String,
    ann: String,
    anon: String,
    bob: String,
    big: String,
    small: String,
    globex_deal: String,
    urgent: String,
}

/// Acme (Retail): Ann and a contact without email; a 50,000 deal in
/// Proposal with Ann and an URGENT ticket, a 5,000 deal in Qualification.
/// Globex (Tech): Bob; a 1,000 deal in Proposal with Bob and a LOW ticket.
/// Initech (Retail): nothing.
async fn build(app: &TestApp) -> Set {
    let (pipeline, stages) = fixtures::pipeline(app, "Sales").await;
    let company = |name: &str, industry: &str| json!({ "name": name, "industry": industry });
    let acme = fixtures::company(app, company("Acme", "Retail")).await;
    let globex = fixtures::company(app, company("Globex", "Tech")).await;
    let initech = fixtures::company(app, company("Initech", "Retail")).await;
    let person = |first: &str, email: Option<&str>, company: &str| json!({ "firstName": first, "email": email, "companyId": company });
    let ann = fixtures::contact(app, person("Ann", Some("ann@acme.test"), &acme)).await;
    let anon = fixtures::contact(app, person("Anon", None, &acme)).await;
    let bob = fixtures::contact(app, person("Bob", Some("bob@globex.test"), &globex)).await;
    let deal = |name: &str, amount: &str, stage: &str, company: &str, contact: Option<&str>| {
        let contacts: Vec<Value> = contact
            .into_iter()
            .map(|c| json!({ "contactId": c, "role": "DECISION_MAKER" }))
            .collect();
        json!({ "name": name, "amount": amount, "currency": "EUR", "pipelineId": pipeline,
                "stageId": stage, "companyId": company, "contacts": contacts })
    };
    let big = fixtures::deal(app, deal("Big", "50000", &stages[1], &acme, Some(&ann))).await;
    let small = fixtures::deal(app, deal("Small", "5000", &stages[0], &acme, None)).await;
    let globex_deal = fixtures::deal(
        app,
        deal("Globex deal", "1000", &stages[1], &globex, Some(&bob)),
    )
    .await;
    let ticket = |subject: &str, priority: &str, contact: &str, company: &str, deal: &str| {
        json!({ "subject": subject, "priority": priority, "contactId": contact,
                "companyId": company, "dealId": deal })
    };
    let urgent = ticket("Outage", "URGENT", &ann, &acme, &big);
    let urgent = fixtures::ticket(app, urgent).await;
    let low = ticket("Question", "LOW", &bob, &globex, &globex_deal);
    fixtures::ticket(app, low).await;
    Set {
        acme,
        globex,
        initech,
        ann,
        anon,
        bob,
        big,
        small,
        globex_deal,
        urgent,
    }
}

/// The ids of `list` matching `filter`, sorted (as the admin).
async fn ids(app: &TestApp, list: &str, filter: Value) -> Vec<String> {
    let ty = match list {
        "companies" => "CompanyFilter",
        "contacts" => "ContactFilter",
        "deals" => "DealFilter",
        _ => "TicketFilter",
    };
    let query =
        format!("query($f: {ty}) {{ {list}(filter: $f, first: 100) {{ nodes {{ id }} }} }}");
    let data = app.data(&query, json!({ "f": filter })).await;
    sorted(&data[list]["nodes"])
}

fn sorted(nodes: &Value) -> Vec<String> {
    let mut ids: Vec<String> = nodes
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

fn set(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
    ids.sort();
    ids
}

fn in_stage(name: &str) -> Value {
    json!({ "stage": { "name": { "eq": name } } })
}

async fn relations_filter_to_one_and_to_many_up_to_three_hops(app: TestApp) {
    let s = build(&app).await;

    // To-many: some, every (true without any), none.
    let proposal = in_stage("Proposal");
    let some = ids(&app, "companies", json!({ "deals": { "some": proposal } })).await;
    assert_eq!(some, set(&[&s.acme, &s.globex]));
    let every = ids(&app, "companies", json!({ "deals": { "every": proposal } })).await;
    assert_eq!(every, set(&[&s.globex, &s.initech]));
    let none = ids(&app, "companies", json!({ "deals": { "none": proposal } })).await;
    assert_eq!(none, set(&[&s.initech]));

    // `every` counts a related record without the value as failing: Acme's
    // contact without email keeps Acme out.
    let emails = json!({ "contacts": { "every": { "email": { "contains": "@" } } } });
    let every = ids(&app, "companies", emails).await;
    assert_eq!(every, set(&[&s.globex, &s.initech]));

    // Several conditions on one related record, and and/or inside.
    let urgent = json!({ "tickets": { "some": { "status": { "eq": "OPEN" }, "priority": { "eq": "URGENT" } } } });
    assert_eq!(ids(&app, "deals", urgent).await, set(&[&s.big]));
    let either = json!({ "deals": { "some": { "or": [
        { "amount": { "gte": "40000" } }, { "name": { "eq": "Globex deal" } } ] } } });
    assert_eq!(
        ids(&app, "companies", either).await,
        set(&[&s.acme, &s.globex])
    );

    // To-one: records without the related record do not match; `not` keeps
    // them.
    let retail = json!({ "company": { "industry": { "eq": "Retail" } } });
    assert_eq!(
        ids(&app, "contacts", retail.clone()).await,
        set(&[&s.ann, &s.anon])
    );
    let not_retail = ids(&app, "contacts", json!({ "not": retail })).await;
    assert_eq!(not_retail, set(&[&s.bob]));
    let of_acme = json!({ "deal": { "company": { "name": { "eq": "Acme" } } } });
    assert_eq!(ids(&app, "tickets", of_acme).await, set(&[&s.urgent]));

    // Through the deal's contacts, both ways.
    let big_deals = json!({ "deals": { "some": { "amount": { "gte": "10000" } } } });
    assert_eq!(ids(&app, "contacts", big_deals).await, set(&[&s.ann]));
    let bobs = json!({ "contacts": { "some": { "firstName": { "eq": "Bob" } } } });
    assert_eq!(ids(&app, "deals", bobs).await, set(&[&s.globex_deal]));
    let nobody = json!({ "contacts": { "none": {} } });
    assert_eq!(ids(&app, "deals", nobody).await, set(&[&s.small]));

    // Three hops: contacts whose company has a deal with an urgent ticket.
    let deep = json!({ "company": { "deals": { "some": { "tickets": { "some": {
        "priority": { "eq": "URGENT" } } } } } } });
    assert_eq!(ids(&app, "contacts", deep).await, set(&[&s.ann, &s.anon]));

    // On a nested list too, one statement per level.
    let nested = app
        .data(
            "{ companies(filter: { deals: { some: { stage: { name: { eq: \"Proposal\" } } } } }, orderBy: [{ field: NAME }]) {
                 nodes { name contacts(filter: { tickets: { some: { priority: { eq: URGENT } } } }) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let nodes = &nested["companies"]["nodes"];
    assert_eq!(nodes[0]["name"], "Acme");
    assert_eq!(sorted(&nodes[0]["contacts"]["nodes"]), set(&[&s.ann]));
    assert_eq!(nodes[1]["name"], "Globex");
    assert_eq!(sorted(&nodes[1]["contacts"]["nodes"]), Vec::<String>::new());

    // A saved segment keeps a relation filter.
    let segment = mutate(
        &app,
        "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { contacts(first: 10) { nodes { id } } } } }",
        json!({ "input": { "name": "Retail people", "type": "CONTACT", "kind": "SEGMENT",
                           "filter": { "company": { "industry": { "eq": "Retail" } } } } }),
    )
    .await;
    assert_eq!(
        sorted(&segment["segment"]["contacts"]["nodes"]),
        set(&[&s.ann, &s.anon])
    );
}

async fn relation_filters_respect_deletes_roles_limits_and_cost(app: TestApp) {
    let s = build(&app).await;

    // A deleted related record does not count.
    mutate(
        &app,
        "mutation($id: ID!) { deleteDeal(id: $id) { deal { id } } }",
        json!({ "id": s.globex_deal }),
    )
    .await;
    let proposal = json!({ "deals": { "some": in_stage("Proposal") } });
    assert_eq!(
        ids(&app, "companies", proposal.clone()).await,
        set(&[&s.acme])
    );

    // SUPPORT may not filter by amount through a relation either.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let by_amount = json!({ "f": { "deals": { "some": { "amount": { "gt": "10000" } } } } });
    let query = "query($f: CompanyFilter) { companies(filter: $f) { nodes { id } } }";
    let refused = app.gql_as(&support, query, by_amount.clone()).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let deep = json!({ "f": { "contacts": { "some": { "company": { "deals": { "some": { "amount": { "gt": "1" } } } } } } } });
    let refused = app.gql_as(&support, query, deep).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let allowed = app.gql_as(&support, query, json!({ "f": proposal })).await;
    assert!(allowed.get("errors").is_none(), "{allowed}");

    // At most three relations; the path names where the fourth starts.
    let four = json!({ "f": { "contacts": { "some": { "company": { "deals": { "some": {
        "tickets": { "some": { "priority": { "eq": "URGENT" } } } } } } } } } });
    let refused = app.gql(query, four).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "filter.contacts.some.company.deals.some.tickets.some",
        "{refused}"
    );
    // Operand limits hold inside relations.
    let nul = json!({ "f": { "deals": { "some": { "name": { "eq": "a\u{0}b" } } } } });
    let refused = app.gql(query, nul).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "filter.deals.some.name.eq",
        "{refused}"
    );

    // A page filtered across relations is still one statement.
    let page = |filter: Value| {
        let app = &app;
        async move {
            let before = app.settled_statements().await;
            app.data(query, json!({ "f": filter })).await;
            app.statements().await - before
        }
    };
    let plain = page(json!({ "name": { "eq": "Acme" } })).await;
    let across = page(
        json!({ "contacts": { "some": { "company": { "deals": { "some": {
        "name": { "eq": "Big" } } } } } } }),
    )
    .await;
    assert_eq!(across, plain);
}
