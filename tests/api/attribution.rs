//! Attribution through the API: touches from `trackEngagement` and by hand
//! (the first stays, the last follows the latest time), deals keeping the
//! attribution they inherited, and `Campaign.leads`, `.customers` and
//! `.wonRevenue` against hand-computed values, one statement per level.

use serde_json::{Value, json};

use crate::campaigns::campaign;
use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, on_both_databases};
use crate::import::{count, import, refusals, stdout, write};

on_both_databases!(
    touches_set_the_first_once_and_move_the_last_with_time,
    deals_keep_the_attribution_of_their_contact_at_creation,
    campaign_figures_match_hand_computed_values_in_one_statement_per_level,
    a_contact_import_touches_by_campaign_name_and_refuses_unknown_names,
);

const ENGAGE: &str = "mutation($id: ID!, $campaign: ID, $at: DateTime) { trackEngagement(input: { contactId: $id, kind: PAGE_VIEW, occurredAt: $at, campaignId: $campaign }) { contact { id } } }";
const SET: &str = "mutation($id: ID!, $input: SetContactAttributionInput!) { setContactAttribution(contactId: $id, input: $input) { contact { id version } } }";
const TOUCHES: &str = "query($id: ID!) { node(id: $id) { ... on Contact { firstTouch { campaign { name } at } lastTouch { campaign { name } at } } ... on Deal { firstTouch { campaign { name } at } lastTouch { campaign { name } at } } } }";
pub const CLOSE: &str =
    "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"Price\") { deal { id } } }";

/// `(first campaign, first at, last campaign, last at)` of a contact or deal.
async fn touches(app: &TestApp, id: &str) -> (Value, Value, Value, Value) {
    let node = app.data(TOUCHES, json!({ "id": id })).await["node"].clone();
    (
        node["firstTouch"]["campaign"]["name"].clone(),
        node["firstTouch"]["at"].clone(),
        node["lastTouch"]["campaign"]["name"].clone(),
        node["lastTouch"]["at"].clone(),
    )
}

pub async fn engage(app: &TestApp, contact: &str, campaign: &str, at: &str) {
    mutate(
        app,
        ENGAGE,
        json!({ "id": contact, "campaign": campaign, "at": at }),
    )
    .await;
}

async fn touches_set_the_first_once_and_move_the_last_with_time(app: TestApp) {
    let mail = campaign(&app, "Mail", "EMAIL", "0", "EUR").await;
    let ads = campaign(&app, "Ads", "SEARCH_ADS", "0", "EUR").await;
    let fair = campaign(&app, "Fair", "EVENT", "0", "EUR").await;
    let ann = fixtures::contact(&app, json!({ "firstName": "Ann" })).await;
    assert_eq!(touches(&app, &ann).await.0, Value::Null);

    engage(&app, &ann, &mail, "2026-01-05T10:00:00Z").await;
    engage(&app, &ann, &ads, "2026-01-09T10:00:00Z").await;
    // Older than the last touch: moves nothing.
    engage(&app, &ann, &fair, "2026-01-07T10:00:00Z").await;
    let (first, first_at, last, last_at) = touches(&app, &ann).await;
    assert_eq!((first, last), (json!("Mail"), json!("Ads")));
    // RFC 3339 in UTC, whichever way the offset is written.
    assert!(
        first_at
            .as_str()
            .unwrap()
            .starts_with("2026-01-05T10:00:00"),
        "{first_at}"
    );
    assert!(
        last_at.as_str().unwrap().starts_with("2026-01-09T10:00:00"),
        "{last_at}"
    );

    // By hand the first touch moves; the last stays when omitted.
    let input = json!({ "firstTouch": { "campaignId": fair, "at": "2026-01-01T00:00:00Z" } });
    mutate(&app, SET, json!({ "id": ann, "input": input })).await;
    let (first, _, last, _) = touches(&app, &ann).await;
    assert_eq!((first, last), (json!("Fair"), json!("Ads")));
    mutate(
        &app,
        SET,
        json!({ "id": ann, "input": { "lastTouch": null } }),
    )
    .await;
    assert_eq!(touches(&app, &ann).await.2, Value::Null);

    // A touch by an unknown campaign is refused with its field, writing nothing.
    let refused = app.gql(ENGAGE, json!({ "id": ann, "campaign": ann })).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "input.campaignId"
    );
    let gone = campaign(&app, "Gone", "OTHER", "0", "EUR").await;
    mutate(
        &app,
        "mutation($id: ID!) { deleteCampaign(id: $id) { campaign { id } } }",
        json!({ "id": gone }),
    )
    .await;
    let input = json!({ "lastTouch": { "campaignId": gone } });
    let refused = app.gql(SET, json!({ "id": ann, "input": input })).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "input.lastTouch.campaignId"
    );
    assert_eq!(touches(&app, &ann).await.2, Value::Null);
}

async fn deals_keep_the_attribution_of_their_contact_at_creation(app: TestApp) {
    let mail = campaign(&app, "Mail", "EMAIL", "0", "EUR").await;
    let ads = campaign(&app, "Ads", "SEARCH_ADS", "0", "EUR").await;
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    let bo = fixtures::contact(&app, json!({ "firstName": "Bo" })).await;
    engage(&app, &bo, &mail, "2026-01-05T10:00:00Z").await;
    let deal = fixtures::deal(&app, json!({ "name": "First", "amount": "10", "currency": "EUR", "pipelineId": pipeline, "contacts": [{ "contactId": bo, "role": "CHAMPION" }] })).await;
    engage(&app, &bo, &ads, "2026-02-05T10:00:00Z").await;
    let (first, _, last, _) = touches(&app, &deal).await;
    assert_eq!(
        (first, last),
        (json!("Mail"), json!("Mail")),
        "kept, not recomputed"
    );
    let (_, _, last, _) = touches(&app, &bo).await;
    assert_eq!(last, json!("Ads"));
    let later = fixtures::deal(&app, json!({ "name": "Second", "amount": "10", "currency": "EUR", "pipelineId": pipeline, "contacts": [{ "contactId": bo, "role": "CHAMPION" }] })).await;
    assert_eq!(touches(&app, &later).await.2, json!("Ads"));
}

async fn campaign_figures_match_hand_computed_values_in_one_statement_per_level(app: TestApp) {
    let mail = campaign(&app, "Mail", "EMAIL", "500", "EUR").await;
    let ads = campaign(&app, "Ads", "SEARCH_ADS", "800", "USD").await;
    campaign(&app, "Quiet", "OTHER", "0", "EUR").await;
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    // Mail: Ann (two won deals: 100 EUR, 50 USD), Bo (a lost deal), Cy (nothing).
    // Ads: Di (a won deal of 30 USD and an open one of 1000 USD).
    let mut contacts = Vec::new();
    for (name, via) in [("Ann", &mail), ("Bo", &mail), ("Cy", &mail), ("Di", &ads)] {
        let id = fixtures::contact(&app, json!({ "firstName": name })).await;
        engage(&app, &id, via, "2026-01-05T10:00:00Z").await;
        contacts.push(id);
    }
    // Ann's later touch by Ads does not move her first touch: still Mail's lead.
    engage(&app, &contacts[0], &ads, "2026-01-06T10:00:00Z").await;
    let deal = |name: &str, amount: &str, currency: &str, contact: &str| json!({ "name": name, "amount": amount, "currency": currency, "pipelineId": pipeline, "contacts": [{ "contactId": contact, "role": "CHAMPION" }] });
    for (input, won) in [
        (deal("A1", "100", "EUR", &contacts[0]), true),
        (deal("A2", "50", "USD", &contacts[0]), true),
        (deal("B1", "70", "EUR", &contacts[1]), false),
        (deal("D1", "30", "USD", &contacts[3]), true),
        (deal("D2", "1000", "USD", &contacts[3]), false),
    ] {
        let id = fixtures::deal(&app, input).await;
        if won {
            mutate(&app, CLOSE, json!({ "id": id })).await;
        }
    }
    let query = "{ campaigns(orderBy: [{ field: NAME }]) { nodes { name spend currency leads customers wonRevenue { currency amount count } } } }";
    let before = app.settled_statements().await;
    let data = app.data(query, json!({})).await;
    let statements = app.statements().await - before;
    let nodes = &data["campaigns"]["nodes"];
    assert_eq!(nodes[0]["name"], "Ads");
    assert_eq!(
        (nodes[0]["leads"].clone(), nodes[0]["customers"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        nodes[0]["wonRevenue"],
        json!([{ "currency": "USD", "amount": "30.00", "count": 1 }])
    );
    assert_eq!(nodes[1]["name"], "Mail");
    assert_eq!(
        (nodes[1]["leads"].clone(), nodes[1]["customers"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(
        nodes[1]["wonRevenue"],
        json!([{ "currency": "EUR", "amount": "100.00", "count": 1 }, { "currency": "USD", "amount": "50.00", "count": 1 }])
    );
    assert_eq!(nodes[2]["name"], "Quiet");
    assert_eq!(
        (nodes[2]["leads"].clone(), nodes[2]["wonRevenue"].clone()),
        (json!(0), json!([]))
    );
    // The page, then all three figures of every campaign.
    assert_eq!(statements, 2, "campaigns and their figures");
    // Nested: the contacts, their first-touch campaigns, those campaigns' figures.
    let nested = "{ contacts { nodes { firstTouch { campaign { name leads wonRevenue { amount } } } deals { nodes { lastTouch { campaign { name customers } } } } } } }";
    let before = app.settled_statements().await;
    let data = app.data(nested, json!({})).await;
    let statements = app.statements().await - before;
    let contacts = data["contacts"]["nodes"].as_array().unwrap();
    assert_eq!(contacts.len(), 4);
    for contact in contacts {
        assert!(contact["firstTouch"]["campaign"]["leads"].as_i64().unwrap() >= 1);
    }
    assert_eq!(
        statements, 6,
        "contacts, campaigns, figures; deals, campaigns, figures: one statement each"
    );
}

async fn a_contact_import_touches_by_campaign_name_and_refuses_unknown_names(app: TestApp) {
    campaign(&app, "Spring Fair", "EVENT", "0", "EUR").await;
    campaign(&app, "Mail", "EMAIL", "0", "EUR").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "contacts.csv",
        b"firstName,email,campaign,campaignTouchedAt,createdAt\n\
          Ann,ann@x.example,spring fair,2026-01-05T10:00:00Z,\n\
          Bo,bo@x.example,Nobody,,\n\
          Cy,cy@x.example,Mail,,2026-01-03T00:00:00Z\n",
    );
    let done = import(&app, "contacts", &file, &[]);
    assert_eq!(count(&done, "created"), 2, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![(3, "campaign".into(), "NOT_FOUND".into())]
    );
    // A later file moves Ann's last touch, never her first.
    let later = write(
        dir.path(),
        "later.csv",
        b"firstName,email,campaign,campaignTouchedAt\n\
          Ann,ann@x.example,Mail,2026-02-01T00:00:00Z\n",
    );
    let done = import(&app, "contacts", &later, &["--on-conflict", "update"]);
    assert_eq!(count(&done, "updated"), 1, "{}", stdout(&done));
    let query = "{ contacts(orderBy: [{ field: FIRST_NAME }]) { nodes { firstName firstTouch { campaign { name } at } lastTouch { campaign { name } } } } }";
    let nodes = app.data(query, json!({})).await["contacts"]["nodes"].clone();
    assert_eq!(nodes[0]["firstTouch"]["campaign"]["name"], "Spring Fair");
    assert_eq!(nodes[0]["lastTouch"]["campaign"]["name"], "Mail");
    assert_eq!(nodes[1]["firstTouch"]["campaign"]["name"], "Mail");
    let at = nodes[1]["firstTouch"]["at"].as_str().unwrap();
    assert!(
        at.starts_with("2026-01-03T00:00:00"),
        "createdAt is the touch time: {at}"
    );
}

on_both_databases!(campaigns_keep_external_ids_that_imports_name_them_by);

async fn campaigns_keep_external_ids_that_imports_name_them_by(app: TestApp) {
    let create = "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id externalIds { source id } } } }";
    let input = json!({ "name": "Spring", "channel": "EMAIL", "startsOn": "2026-01-01", "spend": "0", "currency": "EUR",
        "externalIds": [{ "source": "hubspot", "id": "c-1" }] });
    let created = mutate(&app, create, json!({ "input": input })).await["campaign"].clone();
    assert_eq!(
        created["externalIds"],
        json!([{ "source": "hubspot", "id": "c-1" }])
    );
    let id = created["id"].as_str().expect("id").to_owned();
    // An update sends the whole set.
    let update = "mutation($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { campaign { externalIds { source id } } } }";
    let updated = mutate(
        &app,
        update,
        json!({ "id": id, "input": { "externalIds": [{ "source": "hubspot", "id": "c-2" }] } }),
    )
    .await;
    assert_eq!(
        updated["campaign"]["externalIds"],
        json!([{ "source": "hubspot", "id": "c-2" }])
    );
    // Another campaign cannot take it.
    let mut other = input.clone();
    other["name"] = json!("Other");
    other["externalIds"] = json!([{ "source": "hubspot", "id": "c-2" }]);
    let refused = app.gql(create, json!({ "input": other })).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "input.externalIds.0"
    );

    // A contact import names the campaign by the id its source knows.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "contacts.csv",
        b"firstName,email,campaignExternalId,campaignTouchedAt\n\
          Ann,ann@x.example,c-2,2026-01-05T10:00:00Z\n\
          Bo,bo@x.example,c-9,\n",
    );
    let done = import(&app, "contacts", &file, &["--source", "hubspot"]);
    assert_eq!(count(&done, "created"), 1, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![(3, "campaignExternalId".into(), "NOT_FOUND".into())]
    );
    let (first, _, _, _) = touches(
        &app,
        app.data("{ contacts { nodes { id } } }", json!({})).await["contacts"]["nodes"][0]["id"]
            .as_str()
            .expect("ann"),
    )
    .await;
    assert_eq!(first, json!("Spring"));
}
