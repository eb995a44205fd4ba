//! Order status: carts, abandoned carts, placed, cancelled and refunded
//! orders. Only placed orders count toward lifetime value and the order
//! figures; the abandoned-cart rate counts carts by when they started.
//! Every expected figure is counted by hand in the comments.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};

on_both_databases!(with crate::helpers::manual_clock;
    only_placed_orders_count_and_statuses_move_one_way,
    the_abandoned_cart_rate_matches_the_hand_count,
);

const CREATE: &str = "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id status orderedAt cartStartedAt } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateOrderInput!) { updateOrder(id: $id, input: $input) { order { id status orderedAt cartStartedAt } } }";
const STATS: &str = "query($id: ID!) { node(id: $id) { ... on Contact { orderStats { count lifetimeValue { amount currency } lastOrderedAt } } } }";
const CARTS: &str = "query($period: PeriodInput!, $ownerId: ID) { analytics(period: $period, ownerId: $ownerId) { carts { started abandoned placed open abandonedRate } orderMix { orders } } }";

const JAN: &str = "2026-01-01T00:00:00Z";
const FEB: &str = "2026-02-01T00:00:00Z";

async fn order(app: &TestApp, input: Value) -> Value {
    mutate(app, CREATE, json!({ "input": input })).await["order"].clone()
}

async fn set_status(app: &TestApp, id: &Value, status: &str) -> Value {
    mutate(
        app,
        UPDATE,
        json!({ "id": id, "input": { "status": status } }),
    )
    .await["order"]
        .clone()
}

async fn stats(app: &TestApp, contact: &str) -> Value {
    app.data(STATS, json!({ "id": contact })).await["node"]["orderStats"].clone()
}

async fn only_placed_orders_count_and_statuses_move_one_way(app: TestApp) {
    app.at("2026-01-05T00:00:00Z");
    let buyer = fixtures::contact(&app, json!({ "firstName": "Pat" })).await;
    let bought = |amount: &str, extra: Value| {
        let mut input =
            json!({ "contactId": buyer, "product": "Plan", "amount": amount, "currency": "USD" });
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        input
    };
    let first = order(&app, bought("100", json!({}))).await;
    assert_eq!(first["status"], "PLACED");
    assert_eq!(first["cartStartedAt"], Value::Null);

    // A cart started on the 10th: no value yet.
    app.at("2026-01-10T00:00:00Z");
    let cart = order(&app, bought("50", json!({ "status": "CART" }))).await;
    assert_eq!(cart["status"], "CART");
    assert_eq!(cart["cartStartedAt"], cart["orderedAt"]);
    let s = stats(&app, &buyer).await;
    assert_eq!(s["count"], 1);
    assert_eq!(
        s["lifetimeValue"],
        json!([{ "amount": "100.00", "currency": "USD" }])
    );

    // Placed on the 12th: it counts from then, and remembers its cart.
    app.at("2026-01-12T00:00:00Z");
    let placed = set_status(&app, &cart["id"], "PLACED").await;
    assert_eq!(placed["status"], "PLACED");
    assert!(
        placed["orderedAt"]
            .as_str()
            .expect("time")
            .starts_with("2026-01-12T00:00:00")
    );
    assert_eq!(placed["cartStartedAt"], cart["cartStartedAt"]);
    let s = stats(&app, &buyer).await;
    assert_eq!(s["count"], 2);
    assert_eq!(
        s["lifetimeValue"],
        json!([{ "amount": "150.00", "currency": "USD" }])
    );
    assert!(
        s["lastOrderedAt"]
            .as_str()
            .expect("last")
            .starts_with("2026-01-12")
    );

    // The first order refunded: 50 left, and the stored figure filter agrees.
    let refunded = set_status(&app, &first["id"], "REFUNDED").await;
    assert_eq!(refunded["status"], "REFUNDED");
    let s = stats(&app, &buyer).await;
    assert_eq!(
        (s["count"].clone(), s["lifetimeValue"][0]["amount"].clone()),
        (json!(1), json!("50.00"))
    );
    let valuable = app
        .data(
            "{ contacts(filter: { figures: { lifetimeValue: { gte: 60 } } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(valuable["contacts"]["totalCount"], 0);

    // Moves an order cannot make are refused on `input.status`, and nothing changes.
    for (id, to) in [(&first["id"], "PLACED"), (&placed["id"], "CART")] {
        let refused = app
            .gql(UPDATE, json!({ "id": id, "input": { "status": to } }))
            .await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused:#}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "input.status");
    }
    let cart2 = order(&app, bought("20", json!({ "status": "CART" }))).await;
    let refused = app
        .gql(
            UPDATE,
            json!({ "id": cart2["id"], "input": { "status": "REFUNDED" } }),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["field"], "input.status");

    // A cart cannot start after the order it became.
    let refused = app
        .gql(
            CREATE,
            json!({ "input": bought("10", json!({ "orderedAt": "2026-01-01T00:00:00Z", "cartStartedAt": "2026-01-02T00:00:00Z" })) }),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        "input.cartStartedAt"
    );

    // The list filters by status: the refunded first order, the placed cart, the open cart.
    let by_status = |status: &'static str| {
        let app = &app;
        async move {
            app.data(
                "query($s: OrderStatus!) { orders(filter: { status: { eq: $s } }) { totalCount } }",
                json!({ "s": status }),
            )
            .await["orders"]["totalCount"]
                .clone()
        }
    };
    assert_eq!(by_status("PLACED").await, 1);
    assert_eq!(by_status("REFUNDED").await, 1);
    assert_eq!(by_status("CART").await, 1);
}

async fn the_abandoned_cart_rate_matches_the_hand_count(app: TestApp) {
    let sam = mutate(
        &app,
        "mutation { inviteMember(input: { email: \"sam@example.com\", name: \"Sam\", role: SALES }) { member { id } } }",
        json!({}),
    )
    .await["member"]["id"]
        .as_str()
        .expect("sam")
        .to_owned();
    let mine = fixtures::contact(&app, json!({ "firstName": "Ann" })).await;
    let sams = fixtures::contact(&app, json!({ "firstName": "Bo", "ownerId": sam })).await;
    let cart = |buyer: &str, started: &str| json!({ "contactId": buyer, "product": "Box", "amount": "9.99", "currency": "EUR", "status": "CART", "orderedAt": started });

    // A December cart abandoned in January counts for December, not January.
    let december = order(&app, cart(&mine, "2025-12-20T00:00:00Z")).await;
    app.at("2026-01-03T00:00:00Z");
    set_status(&app, &december["id"], "ABANDONED").await;
    app.at("2026-01-10T00:00:00Z");
    // January: four live carts (two abandoned, one placed, one open) …
    let c1 = order(&app, cart(&mine, "2026-01-04T00:00:00Z")).await;
    set_status(&app, &c1["id"], "ABANDONED").await;
    let c2 = order(&app, cart(&mine, "2026-01-05T00:00:00Z")).await;
    set_status(&app, &c2["id"], "PLACED").await;
    order(&app, cart(&mine, "2026-01-06T00:00:00Z")).await;
    let c4 = order(&app, cart(&sams, "2026-01-07T00:00:00Z")).await;
    set_status(&app, &c4["id"], "ABANDONED").await;
    // … a deleted abandoned cart, which counts nowhere …
    let gone = order(&app, cart(&mine, "2026-01-08T00:00:00Z")).await;
    set_status(&app, &gone["id"], "ABANDONED").await;
    mutate(
        &app,
        "mutation($id: ID!) { deleteOrder(id: $id) { order { id } } }",
        json!({ "id": gone["id"] }),
    )
    .await;
    // … and an order placed directly, which was never a cart.
    order(
        &app,
        json!({ "contactId": mine, "product": "Box", "amount": "5", "currency": "USD", "orderedAt": "2026-01-09T00:00:00Z" }),
    )
    .await;

    let figures = |period: (&str, &str), owner: Option<&str>| json!({ "period": { "from": period.0, "to": period.1 }, "ownerId": owner });
    let january = app.data(CARTS, figures((JAN, FEB), None)).await;
    assert_eq!(
        january["analytics"]["carts"],
        json!({ "started": 4, "abandoned": 2, "placed": 1, "open": 1, "abandonedRate": 0.5 })
    );
    // The order mix counts placed orders only: c2 (placed on the 10th, by
    // the clock) and the direct order.
    assert_eq!(january["analytics"]["orderMix"]["orders"], 2);
    let december = app
        .data(CARTS, figures(("2025-12-01T00:00:00Z", JAN), None))
        .await;
    assert_eq!(
        december["analytics"]["carts"],
        json!({ "started": 1, "abandoned": 1, "placed": 0, "open": 0, "abandonedRate": 1.0 })
    );
    // Sam's buyers: only c4.
    let sams_january = app.data(CARTS, figures((JAN, FEB), Some(&sam))).await;
    assert_eq!(
        sams_january["analytics"]["carts"],
        json!({ "started": 1, "abandoned": 1, "placed": 0, "open": 0, "abandonedRate": 1.0 })
    );
    // An empty period: no rate.
    let march = app
        .data(
            CARTS,
            figures(("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"), None),
        )
        .await;
    assert_eq!(
        march["analytics"]["carts"],
        json!({ "started": 0, "abandoned": 0, "placed": 0, "open": 0, "abandonedRate": null })
    );
    // Counts, not money: SUPPORT reads the same figures.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let seen = app.gql_as(&support, CARTS, figures((JAN, FEB), None)).await;
    assert_eq!(
        seen["data"]["analytics"]["carts"], january["analytics"]["carts"],
        "{seen:#}"
    );
}
