//! `analytics.emailListGrowthRate`: (opt-ins − unsubscribes in the period) ÷
//! contacts opted in at its start. Contacts of two members (the admin and
//! Sam) consent and unsubscribe at chosen times around January 2026; each
//! expected value is counted by hand in the comments. The consent times
//! are contact filters too.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, member_token, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    email_list_growth_matches_the_hand_computed_figures,
);

const CONSENT: &str = "mutation($id: ID!, $at: DateTime!) { recordEmailConsent(id: $id, source: \"newsletter\", legalBasis: CONSENT, at: $at) { contact { id } } }";
const UNSUBSCRIBE: &str = "mutation($id: ID!, $at: DateTime!) { unsubscribeContact(id: $id, at: $at) { contact { id } } }";
const GROWTH: &str = "query($period: PeriodInput!, $pipelineId: ID, $ownerId: ID) { analytics(period: $period, pipelineId: $pipelineId, ownerId: $ownerId) { emailListGrowthRate { optedInAtStart optIns unsubscribes rate } } }";

const JAN: &str = "2026-01-01T00:00:00Z";
const FEB: &str = "2026-02-01T00:00:00Z";

fn period(from: &str, to: &str, narrowed: Value) -> Value {
    let mut variables = json!({ "period": { "from": from, "to": to } });
    if let (Some(v), Some(n)) = (variables.as_object_mut(), narrowed.as_object()) {
        v.extend(n.clone());
    }
    variables
}

async fn growth(app: &TestApp, from: &str, to: &str, narrowed: Value) -> Value {
    app.data(GROWTH, period(from, to, narrowed)).await["analytics"]["emailListGrowthRate"].clone()
}

fn figures(at_start: i64, opt_ins: i64, unsubscribes: i64, rate: Value) -> Value {
    json!({ "optedInAtStart": at_start, "optIns": opt_ins, "unsubscribes": unsubscribes, "rate": rate })
}

async fn email_list_growth_matches_the_hand_computed_figures(app: TestApp) {
    let admin = app.data("{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .expect("me")
        .to_owned();
    let sam = mutate(
        &app,
        "mutation { inviteMember(input: { email: \"sam@example.com\", name: \"Sam\", role: SALES }) { member { id } } }",
        json!({}),
    )
    .await["member"]["id"]
        .as_str()
        .expect("sam")
        .to_owned();
    let (pipeline, _) = fixtures::pipeline(&app, "Sales").await;

    app.at("2025-10-01T00:00:00Z");
    let contact = |name: &'static str, owner: &str| {
        let owner = owner.to_owned();
        let app = &app;
        async move { fixtures::contact(app, json!({ "firstName": name, "ownerId": owner })).await }
    };
    let consent = |id: String, at: &'static str| {
        let app = &app;
        async move { mutate(app, CONSENT, json!({ "id": id, "at": at })).await }
    };
    let unsubscribe = |id: String, at: &'static str| {
        let app = &app;
        async move { mutate(app, UNSUBSCRIBE, json!({ "id": id, "at": at })).await }
    };

    // On the list at the start of January: A (Sam), B (admin), H (Sam).
    let a = contact("A", &sam).await;
    consent(a, "2025-12-10T00:00:00Z").await;
    let b = contact("B", &admin).await;
    consent(b.clone(), "2025-12-15T00:00:00Z").await;
    unsubscribe(b, "2026-01-10T00:00:00Z").await; // leaves in January
    let h = contact("H", &sam).await;
    consent(h.clone(), "2025-12-01T00:00:00Z").await;
    unsubscribe(h, JAN).await; // leaves at January's first instant
    // Off the list before January: C left in December; F is deleted.
    let c = contact("C", &sam).await;
    consent(c.clone(), "2025-11-01T00:00:00Z").await;
    unsubscribe(c, "2025-12-20T00:00:00Z").await;
    let f = contact("F", &admin).await;
    consent(f.clone(), "2025-12-01T00:00:00Z").await;
    crate::fixtures::delete_contact(&app, &f).await;
    // Joining in January: D (admin), E and J (Sam); I joins at `to`, G in February.
    for (name, owner, at) in [
        ("D", &admin, "2026-01-05T00:00:00Z"),
        ("E", &sam, "2026-01-20T00:00:00Z"),
        ("J", &sam, "2026-01-25T00:00:00Z"),
        ("I", &admin, FEB),
        ("G", &sam, "2026-02-03T00:00:00Z"),
    ] {
        let id = contact(name, owner).await;
        consent(id, at).await;
    }
    // A contact that never consented counts nowhere.
    contact("N", &sam).await;

    // January: at start A, B, H = 3; opt-ins D, E, J = 3; unsubscribes B, H = 2.
    let january = growth(&app, JAN, FEB, json!({})).await;
    assert_eq!(january, figures(3, 3, 2, json!(1.0 / 3.0)));
    // A contact belongs to no pipeline: `pipelineId` changes nothing.
    assert_eq!(
        growth(&app, JAN, FEB, json!({ "pipelineId": pipeline })).await,
        january
    );
    // Sam: at start A, H = 2; opt-ins E, J = 2; unsubscribes H = 1: (2 − 1) ÷ 2.
    assert_eq!(
        growth(&app, JAN, FEB, json!({ "ownerId": sam })).await,
        figures(2, 2, 1, json!(0.5))
    );
    // The admin: at start B = 1; opt-ins D = 1; unsubscribes B = 1: 0 ÷ 1.
    assert_eq!(
        growth(&app, JAN, FEB, json!({ "ownerId": admin })).await,
        figures(1, 1, 1, json!(0.0))
    );
    // February: at start A, D, E, J = 4 (I consented at its first instant,
    // not before it); opt-ins I, G = 2; no unsubscribes: 2 ÷ 4.
    assert_eq!(
        growth(&app, FEB, "2026-03-01T00:00:00Z", json!({})).await,
        figures(4, 2, 0, json!(0.5))
    );
    // An empty period with nobody on the list: a null rate, not a division by zero.
    assert_eq!(
        growth(
            &app,
            "2025-06-01T00:00:00Z",
            "2025-07-01T00:00:00Z",
            json!({})
        )
        .await,
        figures(0, 0, 0, Value::Null)
    );

    // The consent times filter contacts like any other time.
    let named = |filter: Value| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($f: ContactFilter) { contacts(first: 50, filter: $f) { nodes { firstName } } }",
                    json!({ "f": filter }),
                )
                .await;
            let mut names: Vec<String> = data["contacts"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["firstName"].as_str().expect("name").to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(
        named(json!({ "emailOptInAt": { "gte": JAN, "lt": FEB } })).await,
        ["D", "E", "J"]
    );
    assert_eq!(
        named(json!({ "unsubscribedAt": { "gte": JAN, "lt": FEB } })).await,
        ["B", "H"]
    );
    // C's unsubscription is older; N never consented; F is deleted.
    assert_eq!(
        named(json!({ "emailOptInAt": { "isNull": true } })).await,
        ["N"]
    );
    assert_eq!(
        named(json!({ "unsubscribedAt": { "lt": JAN } })).await,
        ["C"]
    );

    // The list holds no amounts: SUPPORT sees the same figures.
    let support = member_token(&app.state, app.workspace_id, entity::enums::Role::Support).await;
    let answer = app
        .gql_as(&support, GROWTH, period(JAN, FEB, json!({})))
        .await;
    assert_eq!(
        answer["data"]["analytics"]["emailListGrowthRate"], january,
        "{answer}"
    );
    assert!(answer.get("errors").is_none(), "{answer}");
}
