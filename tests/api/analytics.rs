//! Analytics and the leaderboard over a small dataset built at controlled
//! times, every expected figure computed by hand (the comments show how).

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    every_metric_matches_the_hand_computed_figures,
);

const MOVE: &str =
    "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id } } }";
const CLOSE: &str = "mutation($id: ID!, $outcome: DealOutcome!, $reason: String!) { closeDeal(id: $id, outcome: $outcome, reason: $reason) { deal { id } } }";
const ORDER: &str =
    "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }";
const SURVEY: &str = "mutation($input: CreateSurveyResponseInput!) { createSurveyResponse(input: $input) { surveyResponse { id } } }";
const RESOLVE: &str =
    "mutation($id: ID!) { setTicketStatus(id: $id, status: RESOLVED) { ticket { id } } }";

pub const FIGURES: &str = "from to
    leadConversion { leads converted rate }
    dealOutcomes { won lost winRate }
    wonRevenue { currency amount count }
    netNewRevenue { currency amount count }
    averageDealSize { currency amount count }
    pipelineValue { currency amount count }
    weightedForecast { currency amount count }
    averageSalesCycleDays
    timeInStage { stage { name } stays averageDays }
    closeReasons { outcome reason count }
    nps { responses promoters passives detractors score }
    csat { responses average }
    churn { customersAtStart churned rate }
    averageResolutionHours
    ticketVolume { category count }
    orderMix { orders firstOrders upsellOrders crossSellOrders upsellRate crossSellRate }";

async fn analytics(app: &TestApp, from: &str, to: &str, extra: Value) -> Value {
    let mut variables = json!({ "period": { "from": from, "to": to } });
    if let (Some(v), Some(e)) = (variables.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    app.data(
        &format!("query($period: PeriodInput!, $pipelineId: ID, $ownerId: ID) {{ analytics(period: $period, pipelineId: $pipelineId, ownerId: $ownerId) {{ {FIGURES} }} }}"),
        variables,
    )
    .await["analytics"]
        .clone()
}

fn sorted(value: &Value) -> Vec<String> {
    let mut items: Vec<String> = value
        .as_array()
        .expect("a list")
        .iter()
        .map(Value::to_string)
        .collect();
    items.sort();
    items
}

async fn deal(app: &TestApp, pipeline: &str, input: Value) -> String {
    let mut input = input;
    input["pipelineId"] = json!(pipeline);
    fixtures::deal(app, input).await
}

pub(crate) async fn every_metric_matches_the_hand_computed_figures(app: TestApp) {
    let (pipeline, stages) = fixtures::pipeline(&app, "Sales").await;
    let (qualification, proposal) = (&stages[0], &stages[1]);
    let (other_pipeline, _) = fixtures::pipeline(&app, "Partners").await;
    let sam = mutate(
        &app,
        "mutation { inviteMember(input: { email: \"sam@example.com\", name: \"Sam\", role: SALES, commissionBps: 1000 }) { member { id } } }",
        json!({}),
    )
    .await["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let exits = "mutation($kind: ReasonKind!, $code: String!) { createReason(input: { kind: $kind, code: $code, label: $code }) { reason { id } } }";
    mutate(
        &app,
        exits,
        json!({ "kind": "CUSTOMER_EXIT", "code": "SWITCHED_VENDOR" }),
    )
    .await;
    let old_co = fixtures::company(&app, json!({ "name": "OldCo" })).await;
    let new_co = fixtures::company(&app, json!({ "name": "NewCo" })).await;
    let lost_co = fixtures::company(&app, json!({ "name": "LostCo" })).await;
    let prospect = fixtures::company(&app, json!({ "name": "Prospect" })).await;
    let veteran =
        fixtures::contact(&app, json!({ "firstName": "Veteran", "companyId": old_co })).await;

    // December: OldCo becomes a customer by a won deal, LostCo by an order.
    let d0 = deal(&app, &pipeline, json!({ "name": "D0", "amount": "1000", "currency": "EUR", "companyId": old_co, "ownerId": sam })).await;
    app.at("2025-12-10T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": d0, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2025-12-05T00:00:00Z");
    mutate(&app, ORDER, json!({ "input": { "companyId": lost_co, "product": "Plan", "amount": "100", "currency": "EUR" } })).await;
    app.at("2025-12-20T00:00:00Z");
    let december_ticket =
        fixtures::ticket(&app, json!({ "subject": "Old", "contactId": veteran })).await;
    mutate(&app, SURVEY, json!({ "input": { "contactId": veteran, "kind": "NPS", "score": 0, "respondedAt": "2025-12-20T00:00:00Z" } })).await;

    // January: three leads, two of them reach a deal.
    app.at("2026-01-02T00:00:00Z");
    let lead1 = fixtures::contact(&app, json!({ "firstName": "Lead1", "companyId": new_co })).await;
    let lead2 = fixtures::contact(&app, json!({ "firstName": "Lead2" })).await;
    let lead3 = fixtures::contact(&app, json!({ "firstName": "Lead3", "companyId": old_co })).await;
    mutate(&app, RESOLVE, json!({ "id": december_ticket })).await; // 13 days = 312 h
    // D1: Q 2d, P 3d, back to Q 1d, P 4d, won on Jan 12 (cycle 10 days).
    let d1 = deal(&app, &pipeline, json!({ "name": "D1", "amount": "500", "currency": "EUR", "companyId": new_co, "ownerId": sam, "contacts": [{ "contactId": lead1, "role": "CHAMPION" }] })).await;
    app.at("2026-01-03T00:00:00Z");
    // D2: USD at an existing customer, Q 6d, won Jan 9 (cycle 6 days).
    let d2 = deal(&app, &pipeline, json!({ "name": "D2", "amount": "300", "currency": "USD", "companyId": old_co, "ownerId": sam, "contacts": [{ "contactId": lead3, "role": "USER" }] })).await;
    mutate(&app, ORDER, json!({ "input": { "companyId": old_co, "product": "Plan", "amount": "10", "currency": "EUR" } })).await;
    app.at("2026-01-04T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": d1, "stage": proposal })).await;
    app.at("2026-01-05T00:00:00Z");
    // D3: lost after 1 day in Q.
    let d3 = deal(
        &app,
        &pipeline,
        json!({ "name": "D3", "amount": "200", "currency": "EUR", "companyId": prospect }),
    )
    .await;
    app.at("2026-01-06T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": d3, "outcome": "LOST", "reason": "Budget" }),
    )
    .await;
    mutate(&app, ORDER, json!({ "input": { "companyId": lost_co, "product": "Plan", "amount": "100", "currency": "EUR" } })).await;
    app.at("2026-01-07T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": d1, "stage": qualification })).await;
    mutate(&app, ORDER, json!({ "input": { "companyId": lost_co, "product": "Support", "amount": "50", "currency": "EUR" } })).await;
    app.at("2026-01-08T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": d1, "stage": proposal })).await;
    mutate(&app, ORDER, json!({ "input": { "contactId": lead2, "product": "Plan", "amount": "10", "currency": "EUR" } })).await;
    app.at("2026-01-09T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": d2, "outcome": "WON", "reason": "Expansion" }),
    )
    .await;
    app.at("2026-01-10T00:00:00Z");
    // D4: won after 1 day, reopened two days later: open again at 50%.
    let d4 = deal(&app, &pipeline, json!({ "name": "D4", "amount": "400", "currency": "EUR", "companyId": new_co, "ownerId": sam, "expectedCloseDate": "2026-01-25" })).await;
    app.at("2026-01-11T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": d4, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2026-01-12T00:00:00Z");
    mutate(
        &app,
        CLOSE,
        json!({ "id": d1, "outcome": "WON", "reason": "Price" }),
    )
    .await;
    app.at("2026-01-13T00:00:00Z");
    mutate(&app, MOVE, json!({ "id": d4, "stage": proposal })).await;
    app.at("2026-01-14T00:00:00Z");
    deal(&app, &pipeline, json!({ "name": "D5", "amount": "1000", "currency": "EUR", "expectedCloseDate": "2026-02-15" })).await;
    // A win in another pipeline, left out whenever the Sales pipeline is asked for.
    let partner = deal(
        &app,
        &other_pipeline,
        json!({ "name": "P1", "amount": "50", "currency": "EUR" }),
    )
    .await;
    mutate(
        &app,
        CLOSE,
        json!({ "id": partner, "outcome": "WON", "reason": "Referral" }),
    )
    .await;

    // Support: tickets of Lead1, two resolved in 6 h and 24 h.
    app.at("2026-01-15T10:00:00Z");
    let t1 = fixtures::ticket(
        &app,
        json!({ "subject": "T1", "contactId": lead1, "category": "billing" }),
    )
    .await;
    let t2 = fixtures::ticket(
        &app,
        json!({ "subject": "T2", "contactId": lead1, "category": "billing" }),
    )
    .await;
    app.at("2026-01-15T16:00:00Z");
    mutate(&app, RESOLVE, json!({ "id": t1 })).await;
    app.at("2026-01-16T10:00:00Z");
    mutate(&app, RESOLVE, json!({ "id": t2 })).await;
    fixtures::ticket(
        &app,
        json!({ "subject": "T3", "contactId": lead1, "category": "bug" }),
    )
    .await;
    app.at("2026-01-20T00:00:00Z");
    fixtures::ticket(&app, json!({ "subject": "T4", "contactId": lead1 })).await;
    let exit = "mutation($id: ID!, $reason: String!) { recordCompanyExit(id: $id, reason: $reason, churnedAt: \"2026-01-20T00:00:00Z\") { company { churnedAt exitReason } } }";
    let refused = app
        .gql(exit, json!({ "id": lost_co, "reason": "TOO_EXPENSIVE" }))
        .await;
    assert_eq!(
        error_code(&refused),
        "BAD_USER_INPUT",
        "not on the exit list: {refused}"
    );
    mutate(
        &app,
        exit,
        json!({ "id": lost_co, "reason": "SWITCHED_VENDOR" }),
    )
    .await;

    // Satisfaction: NPS 10, 9, 7, 3 → (2 − 1) / 4 = 25; CSAT 4 and 2 → 3.0.
    let answers = [
        (&lead1, "NPS", 10),
        (&lead3, "NPS", 9),
        (&lead2, "NPS", 7),
        (&lead2, "NPS", 3),
        (&lead1, "CSAT", 4),
        (&lead2, "CSAT", 2),
    ];
    for (contact, kind, score) in answers {
        mutate(&app, SURVEY, json!({ "input": { "contactId": contact, "kind": kind, "score": score, "respondedAt": "2026-01-21T00:00:00Z" } })).await;
    }
    mutate(&app, SURVEY, json!({ "input": { "contactId": lead1, "kind": "CSAT", "score": 5, "respondedAt": "2026-02-02T00:00:00Z" } })).await;

    // Goals: January 1,000 EUR and Q1 3,000 USD for Sam.
    let goal = "mutation($input: CreateGoalInput!) { createGoal(input: $input) { goal { id } } }";
    mutate(&app, goal, json!({ "input": { "memberId": sam, "periodStart": "2026-01-01", "periodEnd": "2026-01-31", "quota": "1000", "currency": "EUR" } })).await;
    mutate(&app, goal, json!({ "input": { "memberId": sam, "periodStart": "2026-01-01", "periodEnd": "2026-03-31", "quota": "3000", "currency": "USD" } })).await;

    app.at("2026-02-01T00:00:00Z");
    let (jan, feb) = ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
    let a = analytics(&app, jan, feb, json!({ "pipelineId": pipeline })).await;
    assert_eq!(
        a["leadConversion"],
        json!({ "leads": 3, "converted": 2, "rate": 2.0 / 3.0 })
    );
    assert_eq!(
        a["dealOutcomes"],
        json!({ "won": 2, "lost": 1, "winRate": 2.0 / 3.0 }),
        "D4 reopened: open, counted nowhere"
    );
    assert_eq!(
        a["wonRevenue"],
        json!([{ "currency": "EUR", "amount": "500.00", "count": 1 }, { "currency": "USD", "amount": "300.00", "count": 1 }])
    );
    assert_eq!(
        a["netNewRevenue"],
        json!([{ "currency": "EUR", "amount": "500.00", "count": 1 }]),
        "OldCo won D0 before D2"
    );
    assert_eq!(a["averageDealSize"], a["wonRevenue"]);
    assert_eq!(
        a["pipelineValue"],
        json!([{ "currency": "EUR", "amount": "1400.00", "count": 2 }]),
        "D4 + D5"
    );
    assert_eq!(
        a["weightedForecast"],
        json!([{ "currency": "EUR", "amount": "200.00", "count": 1 }]),
        "D4 × 50%; D5 closes in February"
    );
    assert_eq!(a["averageSalesCycleDays"], json!(8.0), "(10 + 6) / 2");
    // Q: D1 2 + 1, D2 6, D3 1, D4 1 → 11 / 5; P: D1 3 + 4 → 3.5; Won: D4 2.
    assert_eq!(
        a["timeInStage"],
        json!([
            { "stage": { "name": "Qualification" }, "stays": 5, "averageDays": 2.2 },
            { "stage": { "name": "Proposal" }, "stays": 2, "averageDays": 3.5 },
            { "stage": { "name": "Won" }, "stays": 1, "averageDays": 2.0 },
        ])
    );
    assert_eq!(
        a["closeReasons"],
        json!([
            { "outcome": "WON", "reason": "Expansion", "count": 1 },
            { "outcome": "WON", "reason": "Price", "count": 1 },
            { "outcome": "LOST", "reason": "Budget", "count": 1 },
        ])
    );
    assert_eq!(
        a["nps"],
        json!({ "responses": 4, "promoters": 2, "passives": 1, "detractors": 1, "score": 25.0 })
    );
    assert_eq!(a["csat"], json!({ "responses": 2, "average": 3.0 }));
    assert_eq!(
        a["churn"],
        json!({ "customersAtStart": 2, "churned": 1, "rate": 0.5 }),
        "OldCo and LostCo; LostCo left"
    );
    assert_eq!(
        a["averageResolutionHours"],
        json!(114.0),
        "(312 + 6 + 24) / 3"
    );
    assert_eq!(
        sorted(&a["ticketVolume"]),
        sorted(
            &json!([{ "category": "billing", "count": 2 }, { "category": "bug", "count": 1 }, { "category": null, "count": 1 }])
        )
    );
    assert_eq!(
        a["orderMix"],
        json!({ "orders": 4, "firstOrders": 2, "upsellOrders": 1, "crossSellOrders": 1, "upsellRate": 0.25, "crossSellRate": 0.25 }),
        "OldCo first, LostCo Plan again, LostCo Support new, Lead2 first"
    );

    // Every pipeline: the partner win joins; one member: Sam's deals only.
    let all = analytics(&app, jan, feb, json!({})).await;
    assert_eq!(
        all["dealOutcomes"],
        json!({ "won": 3, "lost": 1, "winRate": 0.75 })
    );
    let sams = analytics(
        &app,
        jan,
        feb,
        json!({ "ownerId": sam, "pipelineId": pipeline }),
    )
    .await;
    assert_eq!(
        sams["dealOutcomes"],
        json!({ "won": 2, "lost": 0, "winRate": 1.0 }),
        "all won"
    );
    let admins_only = analytics(
        &app,
        jan,
        feb,
        json!({ "pipelineId": pipeline, "ownerId": admin_id(&app).await }),
    )
    .await;
    assert_eq!(
        admins_only["dealOutcomes"],
        json!({ "won": 0, "lost": 1, "winRate": 0.0 }),
        "all lost (D3 defaults to its creator)"
    );

    // A period with nothing in it.
    let march = analytics(
        &app,
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
        json!({}),
    )
    .await;
    assert_eq!(
        march["dealOutcomes"],
        json!({ "won": 0, "lost": 0, "winRate": null })
    );
    assert_eq!(march["wonRevenue"], json!([]));
    assert_eq!(march["averageSalesCycleDays"], json!(null));
    assert_eq!(march["nps"]["score"], json!(null));
    assert_eq!(march["averageResolutionHours"], json!(null));
    assert_eq!(march["ticketVolume"], json!([]));
    assert_eq!(
        march["churn"],
        json!({ "customersAtStart": 2, "churned": 0, "rate": 0.0 }),
        "OldCo and NewCo; LostCo left in January"
    );

    // Calculated fields agree with the analytics over the same records.
    let lead = app
        .data("query($id: ID!) { node(id: $id) { ... on Contact { ticketStats { count averageResolutionHours } } } }", json!({ "id": lead1 }))
        .await;
    let second_half = analytics(&app, "2026-01-15T00:00:00Z", feb, json!({})).await;
    let volume: i64 = second_half["ticketVolume"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_i64().unwrap())
        .sum();
    assert_eq!(lead["node"]["ticketStats"]["count"], json!(volume));
    assert_eq!(
        lead["node"]["ticketStats"]["averageResolutionHours"],
        second_half["averageResolutionHours"]
    );

    // The leaderboard: Sam won D1 (500 EUR) and D2 (300 USD) at 10%.
    let board = app
        .data(
            "query($period: PeriodInput!, $p: ID) { leaderboard(period: $period, pipelineId: $p) { member { name commissionRate } wonCount wonAmount { currency amount } commission { currency amount } goals { goal { currency quota } won attainment } } }",
            json!({ "period": { "from": jan, "to": feb }, "p": pipeline }),
        )
        .await;
    let lines = board["leaderboard"].as_array().expect("lines");
    assert_eq!(
        lines.len(),
        1,
        "the admin won nothing in Sales and has no goal: {board}"
    );
    let sam_line = &lines[0];
    assert_eq!(
        sam_line["member"],
        json!({ "name": "Sam", "commissionRate": "10.00" })
    );
    assert_eq!(sam_line["wonCount"], 2);
    assert_eq!(
        sam_line["wonAmount"],
        json!([{ "currency": "EUR", "amount": "500.00" }, { "currency": "USD", "amount": "300.00" }])
    );
    assert_eq!(
        sam_line["commission"],
        json!([{ "currency": "EUR", "amount": "50.00" }, { "currency": "USD", "amount": "30.00" }])
    );
    let goals = sorted_goals(&board);
    assert_eq!(
        goals[0],
        json!({ "goal": { "currency": "EUR", "quota": "1000.00" }, "won": "500.00", "attainment": 0.5 })
    );
    assert_eq!(
        goals[1],
        json!({ "goal": { "currency": "USD", "quota": "3000.00" }, "won": "300.00", "attainment": 0.1 })
    );

    // Who may see what, and bad input.
    let support = member_token(&app.state, app.workspace_id, entity::enums::Role::Support).await;
    let counts =
        "query($period: PeriodInput!) { analytics(period: $period) { dealOutcomes { won } } }";
    let answer = app
        .gql_as(
            &support,
            counts,
            json!({ "period": { "from": jan, "to": feb } }),
        )
        .await;
    assert_eq!(
        answer["data"]["analytics"]["dealOutcomes"]["won"], 3,
        "counts are fine: {answer}"
    );
    // Amounts are not: a role-gated figure is nullable, so the refusal
    // nulls `wonRevenue` alone, its error in `errors`, and the counts of
    // the same request still answer.
    let query = "query($period: PeriodInput!) { analytics(period: $period) { dealOutcomes { won } wonRevenue { amount } } }";
    let answer = app
        .gql_as(
            &support,
            query,
            json!({ "period": { "from": jan, "to": feb } }),
        )
        .await;
    assert_eq!(
        answer["data"]["analytics"],
        json!({ "dealOutcomes": { "won": 3 }, "wonRevenue": null }),
        "{answer}"
    );
    assert_eq!(
        error_code(&answer),
        "FORBIDDEN",
        "amounts are not: {answer}"
    );
    assert_eq!(
        answer["errors"][0]["path"],
        json!(["analytics", "wonRevenue"])
    );
    let answer = app
        .gql_as(
            &support,
            "query($period: PeriodInput!) { me { role } leaderboard(period: $period) { wonCount } }",
            json!({ "period": { "from": jan, "to": feb } }),
        )
        .await;
    assert_eq!(error_code(&answer), "FORBIDDEN");
    assert_eq!(
        answer["data"],
        json!({ "me": { "role": "SUPPORT" }, "leaderboard": null }),
        "a refused leaderboard leaves the rest of the answer: {answer}"
    );
    let backwards = app
        .gql(query, json!({ "period": { "from": feb, "to": jan } }))
        .await;
    assert_eq!(error_code(&backwards), "BAD_USER_INPUT");
    assert_eq!(backwards["errors"][0]["extensions"]["field"], "period.to");
}

fn sorted_goals(board: &Value) -> Vec<Value> {
    let mut goals = board["leaderboard"][0]["goals"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    goals.sort_by_key(|g| {
        g["goal"]["currency"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    goals
}

async fn admin_id(app: &TestApp) -> String {
    app.data("{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .expect("me")
        .to_owned()
}
