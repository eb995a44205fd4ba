//! `rapport import` of orders and survey responses: dated as the source
//! dates them, so order mix, NPS and CSAT for a period equal the figures
//! computed by hand; engagements rescore their contact at their own dates.

use serde_json::json;

use crate::fixtures;
use crate::helpers::{TestApp, on_both_databases};
use crate::import::{count, import, refusals, stdout, write};

on_both_databases!(with crate::helpers::manual_clock;
    orders_and_answers_keep_their_dates,
);

async fn orders_and_answers_keep_their_dates(app: TestApp) {
    fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "email": "ada@example.com" }),
    )
    .await;
    fixtures::contact(
        &app,
        json!({ "firstName": "Bob", "email": "bob@example.com" }),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let orders = write(
        dir.path(),
        "orders.csv",
        b"externalId,contactEmail,product,amount,currency,orderedAt\n\
          o1,ada@example.com,Plan,100,EUR,2025-02-01T00:00:00Z\n\
          o2,ada@example.com,Plan,100,EUR,2025-03-01T00:00:00Z\n\
          o3,bob@example.com,Support,50,EUR,2025-03-05T00:00:00Z\n\
          o4,nobody@example.com,Plan,10,EUR,2025-03-06T00:00:00Z\n",
    );
    let done = import(&app, "orders", &orders, &[]);
    assert_eq!(count(&done, "created"), 3, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![(5, "contactEmail".into(), "NOT_FOUND".into())]
    );
    let answers = write(
        dir.path(),
        "answers.jsonl",
        br#"{"externalId":"s1","contactEmail":"ada@example.com","kind":"NPS","score":10,"respondedAt":"2025-04-01T00:00:00Z"}
{"externalId":"s2","contactEmail":"bob@example.com","kind":"nps","score":3,"respondedAt":"2025-04-02T00:00:00Z"}
{"externalId":"s3","contactEmail":"bob@example.com","kind":"CSAT","score":"4","respondedAt":"2025-04-03T00:00:00Z"}
{"externalId":"s4","contactEmail":"bob@example.com","kind":"CSAT","score":9,"respondedAt":"2025-04-03T00:00:00Z"}
"#,
    );
    let done = import(&app, "surveyResponses", &answers, &[]);
    assert_eq!(count(&done, "created"), 3, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![(4, "score".into(), "BAD_USER_INPUT".into())]
    );

    app.at("2026-01-01T00:00:00Z");
    let query = "query($period: PeriodInput!) { analytics(period: $period) { orderMix { orders firstOrders upsellOrders crossSellOrders } nps { responses promoters detractors score } csat { responses average } } }";
    let year = app
        .data(
            query,
            json!({ "period": { "from": "2025-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z" } }),
        )
        .await;
    let a = &year["analytics"];
    assert_eq!(
        a["orderMix"],
        json!({ "orders": 3, "firstOrders": 2, "upsellOrders": 1, "crossSellOrders": 0 }),
        "Ada's and Bob's first orders, Ada's Plan again"
    );
    assert_eq!(
        a["nps"],
        json!({ "responses": 2, "promoters": 1, "detractors": 1, "score": 0.0 })
    );
    assert_eq!(a["csat"], json!({ "responses": 1, "average": 4.0 }));
    let march = app
        .data(
            query,
            json!({ "period": { "from": "2025-03-01T00:00:00Z", "to": "2025-04-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(march["analytics"]["orderMix"]["orders"], 2);

    let again = import(&app, "orders", &orders, &[]);
    assert_eq!(count(&again, "skipped"), 3);
    let again = import(&app, "surveyResponses", &answers, &[]);
    assert_eq!(count(&again, "skipped"), 3);
}

on_both_databases!(with crate::helpers::manual_clock;
    engagements_rescore_at_their_dates_and_touch_their_campaigns,
);

async fn engagements_rescore_at_their_dates_and_touch_their_campaigns(app: TestApp) {
    fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "email": "ada@example.com" }),
    )
    .await;
    let rule = "mutation { createLeadScoringRule(input: { name: \"Clicks\", target: EMAIL_CLICK, points: 10, active: true }) { rescoredContacts } }";
    app.data(rule, json!({})).await;
    let campaign = "mutation { createCampaign(input: { name: \"Spring mail\", channel: EMAIL, startsOn: \"2025-03-01\", spend: \"100\", currency: \"EUR\" }) { campaign { id } } }";
    app.data(campaign, json!({})).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "engagements.csv",
        b"externalId,contactEmail,kind,occurredAt,detail,campaign\n\
          e1,ada@example.com,EMAIL_CLICK,2025-03-02T10:00:00Z,newsletter,spring mail\n\
          e2,ada@example.com,EMAIL_CLICK,2025-04-02T10:00:00Z,newsletter,\n\
          e3,ada@example.com,SHOUTING,2025-04-03T10:00:00Z,,\n\
          e4,ada@example.com,PAGE_VIEW,2025-04-04T10:00:00Z,/pricing,Winter mail\n",
    );
    let done = import(&app, "engagements", &file, &[]);
    assert_eq!(count(&done, "created"), 2, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![
            (4, "kind".into(), "BAD_USER_INPUT".into()),
            (5, "campaign".into(), "NOT_FOUND".into()),
        ]
    );
    // Each engagement rescored Ada at its own date; the first was a touch.
    let query = "{ contacts(filter: { email: { eq: \"ada@example.com\" } }) { nodes { leadScore leadScoreHistory(first: 5) { score changedAt } firstTouch { campaign { name } at } } } }";
    let data = app.data(query, json!({})).await;
    let ada = &data["contacts"]["nodes"][0];
    assert_eq!(ada["leadScore"], 20);
    let changes: Vec<&str> = ada["leadScoreHistory"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["changedAt"].as_str())
        .collect();
    assert!(
        changes.iter().any(|at| at.starts_with("2025-03-02")),
        "{changes:?}"
    );
    assert!(
        changes.iter().any(|at| at.starts_with("2025-04-02")),
        "{changes:?}"
    );
    assert_eq!(ada["firstTouch"]["campaign"]["name"], "Spring mail");
    assert!(
        ada["firstTouch"]["at"]
            .as_str()
            .unwrap()
            .starts_with("2025-03-02")
    );
    // A re-run changes nothing: the external ids are kept.
    let again = import(&app, "engagements", &file, &[]);
    assert_eq!(count(&again, "created"), 0, "{}", stdout(&again));
    assert_eq!(count(&again, "skipped"), 2, "{}", stdout(&again));
    let data = app.data(query, json!({})).await;
    assert_eq!(data["contacts"]["nodes"][0]["leadScore"], 20);
}
