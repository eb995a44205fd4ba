//! `analytics.acquisition`: spend, leads, customers acquired, won revenue,
//! cost per lead, CAC and ROI per campaign channel and overall, by first
//! touch, against a January built by hand (each expected value is counted
//! in the comments), with mixed currencies, an empty period, an owner
//! filter (which does not narrow it) and SUPPORT (refused: it is money).

use entity::enums::Role;
use serde_json::{Value, json};

use crate::campaigns::CREATE as CREATE_CAMPAIGN;
use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    acquisition_figures_match_the_hand_count,
);

const FIGURES: &str = "query($period: PeriodInput!, $ownerId: ID) { analytics(period: $period, ownerId: $ownerId) { acquisition {
  overall { channel spend { currency amount } leads customersAcquired wonRevenue { currency amount } costPerLead { currency amount } cac { currency amount } roi { currency ratio } }
  channels { channel spend { currency amount } leads customersAcquired wonRevenue { currency amount } costPerLead { currency amount } cac { currency amount } roi { currency ratio } } } } }";
const ENGAGE: &str = "mutation($id: ID!, $campaign: ID, $at: DateTime) { trackEngagement(input: { contactId: $id, kind: PAGE_VIEW, occurredAt: $at, campaignId: $campaign }) { contact { id } } }";
const CLOSE: &str =
    "mutation($id: ID!) { closeDeal(id: $id, outcome: WON, reason: \"Price\") { deal { id } } }";

const JAN: &str = "2026-01-01T00:00:00Z";
const FEB: &str = "2026-02-01T00:00:00Z";

async fn campaign(
    app: &TestApp,
    name: &str,
    channel: &str,
    starts: &str,
    spend: &str,
    currency: &str,
) -> String {
    let input = json!({ "name": name, "channel": channel, "startsOn": starts, "spend": spend, "currency": currency });
    mutate(app, CREATE_CAMPAIGN, json!({ "input": input })).await["campaign"]["id"]
        .as_str()
        .expect("campaign")
        .to_owned()
}

/// A contact first touched by `campaign` at `at`.
async fn lead(app: &TestApp, name: &str, campaign: &str, at: &str) -> String {
    let id = fixtures::contact(app, json!({ "firstName": name })).await;
    mutate(
        app,
        ENGAGE,
        json!({ "id": id, "campaign": campaign, "at": at }),
    )
    .await;
    id
}

async fn order(app: &TestApp, buyer: &str, amount: &str, currency: &str, at: &str, status: &str) {
    mutate(
        app,
        "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }",
        json!({ "input": { "contactId": buyer, "product": "Kit", "amount": amount, "currency": currency, "orderedAt": at, "status": status } }),
    )
    .await;
}

fn money(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(c, a)| json!({ "currency": c, "amount": a }))
            .collect(),
    )
}

async fn acquisition_figures_match_the_hand_count(app: TestApp) {
    // Spend in January: Mail (EMAIL) 1000 EUR and Social (SOCIAL) 300 USD.
    // December's Letter (EMAIL, 500 EUR) starts before it; Gone (EMAIL,
    // 200 EUR) is deleted.
    let mail = campaign(&app, "Mail", "EMAIL", "2026-01-05", "1000", "EUR").await;
    let social = campaign(&app, "Social", "SOCIAL", "2026-01-10", "300", "USD").await;
    let letter = campaign(&app, "Letter", "EMAIL", "2025-12-20", "500", "EUR").await;
    let gone = campaign(&app, "Gone", "EMAIL", "2026-01-15", "200", "EUR").await;
    mutate(
        &app,
        "mutation($id: ID!) { deleteCampaign(id: $id) { campaign { id } } }",
        json!({ "id": gone }),
    )
    .await;

    // EMAIL leads in January: Ann, Bo (Dee was first touched in December;
    // Gil is deleted). SOCIAL leads: Cy, Fay.
    let ann = lead(&app, "Ann", &mail, "2026-01-06T00:00:00Z").await;
    lead(&app, "Bo", &mail, "2026-01-07T00:00:00Z").await;
    let cy = lead(&app, "Cy", &social, "2026-01-11T00:00:00Z").await;
    let dee = lead(&app, "Dee", &letter, "2025-12-21T00:00:00Z").await;
    let fay = lead(&app, "Fay", &social, "2026-01-12T00:00:00Z").await;
    let gil = lead(&app, "Gil", &mail, "2026-01-08T00:00:00Z").await;
    crate::fixtures::delete_contact(&app, &gil).await;

    // Customers acquired in January: Ann (a deal won on the 20th, 2000 EUR,
    // EMAIL revenue), Dee (her first order, EMAIL by her December touch), Cy
    // (an order, SOCIAL). Fay only left a cart.
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;
    app.at("2026-01-15T00:00:00Z");
    let deal = fixtures::deal(
        &app,
        json!({ "name": "Big", "amount": "2000", "currency": "EUR", "pipelineId": pipeline, "contacts": [{ "contactId": ann, "role": "CHAMPION" }] }),
    )
    .await;
    app.at("2026-01-20T00:00:00Z");
    mutate(&app, CLOSE, json!({ "id": deal })).await;
    order(&app, &dee, "40", "EUR", "2026-01-21T00:00:00Z", "PLACED").await;
    order(&app, &cy, "15", "USD", "2026-01-12T00:00:00Z", "PLACED").await;
    order(&app, &fay, "99", "USD", "2026-01-13T00:00:00Z", "CART").await;

    let variables = |from: &str, to: &str, owner: Option<&str>| json!({ "period": { "from": from, "to": to }, "ownerId": owner });
    let january =
        app.data(FIGURES, variables(JAN, FEB, None)).await["analytics"]["acquisition"].clone();
    let email = json!({
        "channel": "EMAIL",
        "spend": money(&[("EUR", "1000.00")]),
        "leads": 2, "customersAcquired": 2,
        "wonRevenue": money(&[("EUR", "2000.00")]),
        "costPerLead": money(&[("EUR", "500.00")]),   // 1000 ÷ 2
        "cac": money(&[("EUR", "500.00")]),           // 1000 ÷ 2
        "roi": [{ "currency": "EUR", "ratio": 2.0 }], // 2000 ÷ 1000
    });
    let social_figures = json!({
        "channel": "SOCIAL",
        "spend": money(&[("USD", "300.00")]),
        "leads": 2, "customersAcquired": 1,
        "wonRevenue": [],
        "costPerLead": money(&[("USD", "150.00")]),
        "cac": money(&[("USD", "300.00")]),
        "roi": [{ "currency": "USD", "ratio": 0.0 }],
    });
    assert_eq!(january["channels"], json!([email, social_figures]));
    assert_eq!(
        january["overall"],
        json!({
            "channel": null,
            "spend": money(&[("EUR", "1000.00"), ("USD", "300.00")]),
            "leads": 4, "customersAcquired": 3,
            "wonRevenue": money(&[("EUR", "2000.00")]),
            "costPerLead": money(&[("EUR", "250.00"), ("USD", "75.00")]),
            "cac": money(&[("EUR", "333.33"), ("USD", "100.00")]),
            "roi": [{ "currency": "EUR", "ratio": 2.0 }, { "currency": "USD", "ratio": 0.0 }],
        })
    );

    // December: Letter's spend and Dee's lead; no customer yet, so no CAC.
    let december = app
        .data(FIGURES, variables("2025-12-01T00:00:00Z", JAN, None))
        .await["analytics"]["acquisition"]["overall"]
        .clone();
    assert_eq!(december["spend"], money(&[("EUR", "500.00")]));
    assert_eq!(
        (
            december["leads"].clone(),
            december["customersAcquired"].clone()
        ),
        (json!(1), json!(0))
    );
    assert_eq!(december["cac"], json!([]));

    // An empty period has no figures at all.
    let march = app
        .data(
            FIGURES,
            variables("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", None),
        )
        .await["analytics"]["acquisition"]
        .clone();
    assert_eq!(march["channels"], json!([]));
    assert_eq!(march["overall"]["leads"], 0);
    assert_eq!(march["overall"]["spend"], json!([]));

    // The owner filter does not narrow it: a campaign belongs to no member.
    let me = app.data("{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .expect("me")
        .to_owned();
    let mine =
        app.data(FIGURES, variables(JAN, FEB, Some(&me))).await["analytics"]["acquisition"].clone();
    assert_eq!(mine, january);

    // SUPPORT sees no money: refused, and the field answers null.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let refused = app
        .gql_as(&support, FIGURES, variables(JAN, FEB, None))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused:#}");
    assert_eq!(refused["data"]["analytics"]["acquisition"], Value::Null);
}
