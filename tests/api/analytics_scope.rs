//! `analytics(ownerId, pipelineId)`: every figure is narrowed by both, or
//! its description says why one does not narrow it (then the figure must
//! not change with it). Two members (the admin and Sam), two pipelines
//! (Sales and Partners), January 2026; each expected value is counted by
//! hand in the comments. A role narrowed to its own records reads, without
//! `ownerId`, the figures of the records it reads.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, member_token, on_both_databases};
use entity::enums::Role;

on_both_databases!(with crate::helpers::manual_clock;
    every_figure_narrows_by_owner_and_pipeline,
);

const CLOSE: &str = "mutation($id: ID!, $outcome: DealOutcome!, $reason: String!) { closeDeal(id: $id, outcome: $outcome, reason: $reason) { deal { id } } }";
const MOVE: &str =
    "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id } } }";
const ORDER: &str =
    "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";
const RESOLVE: &str =
    "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { ticket { id } } }";

const FIGURES: &str = "
    leadConversion { leads converted }
    dealOutcomes { won lost }
    wonRevenue { currency amount count }
    netNewRevenue { currency amount count }
    averageDealSize { currency amount count }
    pipelineValue { currency amount count }
    weightedForecast { currency amount count }
    averageSalesCycleDays
    timeInStage { stays }
    closeReasons { reason count }
    nps { responses score }
    csat { responses average satisfied satisfiedRate }
    churn { customersAtStart churned }
    averageResolutionHours
    ticketVolume { category count }
    orderMix { orders firstOrders upsellOrders crossSellOrders }";

async fn figures(app: &TestApp, narrowed: Value) -> Value {
    figures_as(app, &app.token, narrowed).await
}

/// The figures as read with `token`.
async fn figures_as(app: &TestApp, token: &str, narrowed: Value) -> Value {
    let mut variables =
        json!({ "period": { "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z" } });
    if let (Some(v), Some(n)) = (variables.as_object_mut(), narrowed.as_object()) {
        v.extend(n.clone());
    }
    let read = app.gql_as(
        token,
        &format!("query($period: PeriodInput!, $pipelineId: ID, $ownerId: ID) {{ analytics(period: $period, pipelineId: $pipelineId, ownerId: $ownerId) {{ {FIGURES} }} }}"),
        variables,
    )
    .await;
    assert!(read.get("errors").is_none(), "{read}");
    read["data"]["analytics"].clone()
}

fn eur(amount: &str, count: i64) -> Value {
    json!([{ "currency": "EUR", "amount": amount, "count": count }])
}

fn stays(figure: &Value) -> i64 {
    figure
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["stays"].as_i64().expect("stays"))
        .sum()
}

fn reasons(figure: &Value) -> Vec<String> {
    let mut reasons: Vec<String> = figure
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["reason"].as_str().expect("reason").to_owned())
        .collect();
    reasons.sort();
    reasons
}

async fn every_figure_narrows_by_owner_and_pipeline(app: TestApp) {
    let admin = app.data("{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .expect("me")
        .to_owned();
    let sams_token = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let sam = app.gql_as(&sams_token, "{ me { id } }", json!({})).await["data"]["me"]["id"]
        .as_str()
        .expect("sam")
        .to_owned();
    let (sales, sales_stages) = fixtures::pipeline(&app, "Sales").await;
    let (partners, _) = fixtures::pipeline(&app, "Partners").await;
    mutate(&app, "mutation { createReason(input: { kind: CUSTOMER_EXIT, code: \"GONE\", label: \"Gone\" }) { reason { id } } }", json!({})).await;

    // December: both companies become customers by an order of "Plan".
    let sams_co = fixtures::company(&app, json!({ "name": "Sam Co", "ownerId": sam })).await;
    let admins_co = fixtures::company(&app, json!({ "name": "Admin Co", "ownerId": admin })).await;
    let solo = fixtures::contact(&app, json!({ "firstName": "Solo", "ownerId": sam })).await;
    app.at("2025-12-05T00:00:00Z");
    for company in [&sams_co, &admins_co] {
        mutate(&app, ORDER, json!({ "input": { "companyId": company, "product": "Plan", "amount": "10", "currency": "EUR" } })).await;
    }

    // January: a lead each; Sam's reaches a Sales deal, the admin's a Partners one.
    app.at("2026-01-02T00:00:00Z");
    let sams_lead = fixtures::contact(
        &app,
        json!({ "firstName": "Lea", "ownerId": sam, "companyId": sams_co }),
    )
    .await;
    let admins_lead = fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "ownerId": admin, "companyId": admins_co }),
    )
    .await;
    let deal = |pipeline: &str, owner: &str, amount: &str, extra: Value| {
        let mut input = json!({ "name": amount, "amount": amount, "currency": "EUR", "pipelineId": pipeline, "ownerId": owner });
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        let app = &app;
        async move { fixtures::deal(app, input).await }
    };
    let s1 = deal(&sales, &sam, "100", json!({ "expectedCloseDate": "2026-01-20", "contacts": [{ "contactId": sams_lead, "role": "CHAMPION" }] })).await;
    let s2 = deal(&sales, &sam, "200", json!({ "companyId": sams_co })).await;
    let a1 = deal(&sales, &admin, "400", json!({})).await;
    deal(
        &sales,
        &admin,
        "50",
        json!({ "expectedCloseDate": "2026-01-20" }),
    )
    .await;
    deal(&partners, &sam, "800", json!({ "expectedCloseDate": "2026-01-20", "contacts": [{ "contactId": admins_lead, "role": "USER" }] })).await;
    let p2 = deal(&partners, &admin, "1600", json!({ "companyId": admins_co })).await;
    app.at("2026-01-03T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": s1, "stage": sales_stages[1] })).await;
    app.at("2026-01-05T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": s2, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2026-01-06T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": a1, "outcome": "LOST", "reason": "Budget" }),
    )
    .await;
    app.at("2026-01-07T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": p2, "outcome": "WON", "reason": "Referral" }),
    )
    .await;

    // Orders: Sam Co buys Plan again (upsell), Admin Co Support (cross-sell),
    // Solo (no company, Sam's) a first order.
    app.at("2026-01-08T00:00:00Z");
    for (company, product) in [(&sams_co, "Plan"), (&admins_co, "Support")] {
        mutate(&app, ORDER, json!({ "input": { "companyId": company, "product": product, "amount": "10", "currency": "EUR" } })).await;
    }
    mutate(&app, ORDER, json!({ "input": { "contactId": solo, "product": "Plan", "amount": "10", "currency": "EUR" } })).await;

    // Tickets: Sam's resolved in 6 h, the admin's in 24 h.
    app.at("2026-01-10T00:00:00Z");
    let sams_ticket = fixtures::ticket(
        &app,
        json!({ "subject": "S", "contactId": sams_lead, "assigneeId": sam, "category": "billing" }),
    )
    .await;
    let admins_ticket = fixtures::ticket(
        &app,
        json!({ "subject": "A", "contactId": admins_lead, "assigneeId": admin, "category": "bug" }),
    )
    .await;
    app.at("2026-01-10T06:00:00Z");
    mutate(&app, RESOLVE, json!({ "id": sams_ticket })).await;
    app.at("2026-01-11T00:00:00Z");
    mutate(&app, RESOLVE, json!({ "id": admins_ticket })).await;

    // Answers: Sam's lead NPS 10, CSAT 5; the admin's NPS 0, CSAT 2.
    for (contact, kind, score) in [
        (&sams_lead, "NPS", 10),
        (&sams_lead, "CSAT", 5),
        (&admins_lead, "NPS", 0),
        (&admins_lead, "CSAT", 2),
    ] {
        mutate(&app, SURVEY, json!({ "input": { "contactId": contact, "kind": kind, "score": score, "respondedAt": "2026-01-11T00:00:00Z" } })).await;
    }
    app.at("2026-01-20T00:00:00Z");
    mutate(&app, "mutation($id: ID!) { recordCompanyExit(id: $id, reason: \"GONE\", churnedAt: \"2026-01-20T00:00:00Z\") { company { id } } }", json!({ "id": admins_co })).await;
    app.at("2026-02-01T00:00:00Z");

    let all = figures(&app, json!({})).await;
    let sams = figures(&app, json!({ "ownerId": sam })).await;
    let in_sales = figures(&app, json!({ "pipelineId": sales })).await;

    // Leads are the owner's contacts; a pipeline narrows which deals convert.
    assert_eq!(all["leadConversion"], json!({ "leads": 2, "converted": 2 }));
    assert_eq!(
        sams["leadConversion"],
        json!({ "leads": 1, "converted": 1 })
    );
    assert_eq!(
        in_sales["leadConversion"],
        json!({ "leads": 2, "converted": 1 })
    );

    // Won: S2 (Sam, Sales, 200), P2 (admin, Partners, 1,600); lost: A1.
    assert_eq!(all["dealOutcomes"], json!({ "won": 2, "lost": 1 }));
    assert_eq!(sams["dealOutcomes"], json!({ "won": 1, "lost": 0 }));
    assert_eq!(in_sales["dealOutcomes"], json!({ "won": 1, "lost": 1 }));
    for figure in ["wonRevenue", "netNewRevenue"] {
        assert_eq!(all[figure], eur("1800.00", 2), "{figure}");
        assert_eq!(sams[figure], eur("200.00", 1), "{figure}");
        assert_eq!(in_sales[figure], eur("200.00", 1), "{figure}");
    }
    assert_eq!(all["averageDealSize"], eur("900.00", 2));
    assert_eq!(sams["averageDealSize"], eur("200.00", 1));
    assert_eq!(in_sales["averageDealSize"], eur("200.00", 1));

    // Open at the end: S1 100 (Sam, Sales), 50 (admin, Sales), 800 (Sam, Partners).
    assert_eq!(all["pipelineValue"], eur("950.00", 3));
    assert_eq!(sams["pipelineValue"], eur("900.00", 2));
    assert_eq!(in_sales["pipelineValue"], eur("150.00", 2));
    // Weighted: S1 100 × 50%, 50 × 10%, 800 × 10%.
    assert_eq!(all["weightedForecast"], eur("135.00", 3));
    assert_eq!(sams["weightedForecast"], eur("130.00", 2));
    assert_eq!(in_sales["weightedForecast"], eur("55.00", 2));

    // Cycles: S2 3 days, P2 5 days.
    assert_eq!(all["averageSalesCycleDays"], json!(4.0));
    assert_eq!(sams["averageSalesCycleDays"], json!(3.0));
    assert_eq!(in_sales["averageSalesCycleDays"], json!(3.0));
    // Stays ended: S1, S2, A1 in Sales' first stage, P2 in Partners'.
    assert_eq!(stays(&all["timeInStage"]), 4);
    assert_eq!(stays(&sams["timeInStage"]), 2);
    assert_eq!(stays(&in_sales["timeInStage"]), 3);
    assert_eq!(
        reasons(&all["closeReasons"]),
        ["Budget", "Price", "Referral"]
    );
    assert_eq!(reasons(&sams["closeReasons"]), ["Price"]);
    assert_eq!(reasons(&in_sales["closeReasons"]), ["Budget", "Price"]);

    // Answers narrow by their contact's owner.
    assert_eq!(all["nps"], json!({ "responses": 2, "score": 0.0 }));
    assert_eq!(sams["nps"], json!({ "responses": 1, "score": 100.0 }));
    assert_eq!(
        all["csat"],
        json!({ "responses": 2, "average": 3.5, "satisfied": 1, "satisfiedRate": 0.5 })
    );
    assert_eq!(
        sams["csat"],
        json!({ "responses": 1, "average": 5.0, "satisfied": 1, "satisfiedRate": 1.0 })
    );
    // Companies by their owner; Admin Co left.
    assert_eq!(all["churn"], json!({ "customersAtStart": 2, "churned": 1 }));
    assert_eq!(
        sams["churn"],
        json!({ "customersAtStart": 1, "churned": 0 })
    );
    // Tickets by their assignee.
    assert_eq!(all["averageResolutionHours"], json!(15.0));
    assert_eq!(sams["averageResolutionHours"], json!(6.0));
    assert_eq!(
        sams["ticketVolume"],
        json!([{ "category": "billing", "count": 1 }])
    );
    assert_eq!(all["ticketVolume"].as_array().map(Vec::len), Some(2));
    // Orders by their buyer's owner (the company's, else the contact's).
    assert_eq!(
        all["orderMix"],
        json!({ "orders": 3, "firstOrders": 1, "upsellOrders": 1, "crossSellOrders": 1 })
    );
    assert_eq!(
        sams["orderMix"],
        json!({ "orders": 2, "firstOrders": 1, "upsellOrders": 1, "crossSellOrders": 0 })
    );

    // Figures of things outside pipelines do not change with one, as their
    // descriptions say.
    for figure in [
        "nps",
        "csat",
        "churn",
        "averageResolutionHours",
        "ticketVolume",
        "orderMix",
    ] {
        assert_eq!(in_sales[figure], all[figure], "{figure} has no pipeline");
    }
    // Both at once: Sam's Sales deals only.
    let both = figures(&app, json!({ "ownerId": sam, "pipelineId": sales })).await;
    assert_eq!(both["pipelineValue"], eur("100.00", 1));
    assert_eq!(both["weightedForecast"], eur("50.00", 1));

    // Sam's role narrowed to its own records: without `ownerId`, Sam reads
    // the figures of what it reads, which here are its own (every record
    // has an owner). Tickets are not narrowed: their figures stay whole.
    mutate(&app, "mutation { setRoleVisibility(role: SALES, deals: OWNED, companies: OWNED, contacts: OWNED) { role } }", json!({})).await;
    let read = figures_as(&app, &sams_token, json!({})).await;
    for (figure, value) in sams.as_object().expect("figures") {
        let expected = match figure.as_str() {
            "averageResolutionHours" | "ticketVolume" => &all[figure],
            _ => value,
        };
        assert_eq!(&read[figure], expected, "{figure} as Sam reads it");
    }
    let in_sales = figures_as(&app, &sams_token, json!({ "pipelineId": sales })).await;
    assert_eq!(in_sales["pipelineValue"], eur("100.00", 1));
}
