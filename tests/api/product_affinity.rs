//! Who will buy what: co-purchase affinity (`Product.likelyBuyers`,
//! `recommendedProducts`) on a purchase history built by hand, where every
//! expected score is counted in the comments.

use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, on_both_databases};
use crate::products::{UPDATE_ORDER, UPDATE_PRODUCT, order, product, refusal};

on_both_databases!(buyers_of_what_they_bought_say_who_buys_what);

/// Placed purchases (company: products): Acme {A, B}, Bolt {A, B, C},
/// Core {A, C}, Dyna {A}, Echo {B, D}; Fern's C was cancelled and its D is a
/// cart, so Fern bought nothing. Buyers: A 4, B 3, C 2, D 1. Bought together:
/// A&B 2 (Acme, Bolt), A&C 2 (Bolt, Core), B&C 1 (Bolt), B&D 1 (Echo).
async fn buyers_of_what_they_bought_say_who_buys_what(app: TestApp) {
    let mut products = Vec::new();
    for sku in ["A", "B", "C", "D"] {
        let prices = json!([{ "currency": "USD", "amount": "1" }]);
        products.push(
            product(
                &app,
                json!({ "sku": sku, "name": format!("Product {sku}"), "listPrices": prices }),
            )
            .await,
        );
    }
    let bought: [(&str, &[usize], Option<&str>); 7] = [
        ("Acme", &[0, 1], None),
        ("Bolt", &[0, 1, 2], None),
        ("Core", &[0, 2], None),
        ("Dyna", &[0], None),
        ("Echo", &[1, 3], None),
        ("Fern", &[2], Some("CANCELLED")),
        ("Fern", &[3], Some("CART")),
    ];
    let mut companies: Vec<(String, String)> = Vec::new();
    for (name, items, status) in bought {
        if !companies.iter().any(|(n, _)| n == name) {
            let company = fixtures::company(&app, json!({ "name": name })).await;
            let person =
                fixtures::contact(&app, json!({ "firstName": name, "companyId": company })).await;
            companies.push((name.to_owned(), person));
        }
        let person = &companies.iter().find(|(n, _)| n == name).unwrap().1;
        // One order a product, so a buyer's repeat purchases count once.
        let placed = if status == Some("CART") {
            &[][..]
        } else {
            items
        };
        for item in placed.iter().chain(placed.iter().take(1)) {
            let made = order(&app, json!({ "contactId": person, "currency": "USD", "lines": [{ "productId": products[*item] }] })).await;
            if status == Some("CANCELLED") {
                mutate(
                    &app,
                    UPDATE_ORDER,
                    json!({ "id": made["id"], "input": { "status": "CANCELLED" } }),
                )
                .await;
            }
        }
        if status == Some("CART") {
            let cart = json!({ "contactId": person, "currency": "USD", "status": "CART", "lines": [{ "productId": products[3] }] });
            order(&app, cart).await;
        }
    }
    // C: Acme via A 2/4, Dyna via A 2/4 (tie: Acme is older), Echo via B 1/3.
    let likely = "query($id: ID!, $among: BuyerKind) { node(id: $id) { ... on Product { likelyBuyers(first: 5, among: $among) { company { name } contact { firstName } score evidence { boughtProductName buyers alsoBought text } } } } }";
    let found =
        app.data(likely, json!({ "id": products[2] })).await["node"]["likelyBuyers"].clone();
    assert_eq!(
        found,
        json!([
            { "company": { "name": "Acme" }, "contact": null, "score": 0.5, "evidence": { "boughtProductName": "Product A", "buyers": 4, "alsoBought": 2, "text": "2 of 4 buyers of Product A also bought Product C" } },
            { "company": { "name": "Dyna" }, "contact": null, "score": 0.5, "evidence": { "boughtProductName": "Product A", "buyers": 4, "alsoBought": 2, "text": "2 of 4 buyers of Product A also bought Product C" } },
            { "company": { "name": "Echo" }, "contact": null, "score": 0.3333, "evidence": { "boughtProductName": "Product B", "buyers": 3, "alsoBought": 1, "text": "1 of 3 buyers of Product B also bought Product C" } },
        ])
    );
    let people = app
        .data(likely, json!({ "id": products[2], "among": "CONTACTS" }))
        .await["node"]["likelyBuyers"]
        .clone();
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["contact"]["firstName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme", "Dyna", "Echo"]);

    // Every product's buyers at once: the page, the ranking, the companies.
    let all = "{ products(orderBy: [{ field: SKU }]) { nodes { sku likelyBuyers(first: 1) { company { name } score } } } }";
    let before = app.settled_statements().await;
    let data = app.data(all, json!({})).await;
    let statements = app.statements().await - before;
    let top: Vec<Value> = data["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["likelyBuyers"].clone())
        .collect();
    assert_eq!(
        top,
        vec![
            // A: Echo via B 2/3.
            json!([{ "company": { "name": "Echo" }, "score": 0.6667 }]),
            // B: Core and Dyna via A 2/4; Core is older.
            json!([{ "company": { "name": "Core" }, "score": 0.5 }]),
            json!([{ "company": { "name": "Acme" }, "score": 0.5 }]),
            // D: Acme and Bolt via B 1/3; Acme is older.
            json!([{ "company": { "name": "Acme" }, "score": 0.3333 }]),
        ]
    );
    assert_eq!(statements, 3, "products, their ranking, the companies");

    // The other way round. Acme: C via A 2/4, D via B 1/3. Dyna: B and C via
    // A 2/4 (B is older). Echo: A via B 2/3, C via B 1/3. Bolt bought all but
    // D: via B 1/3.
    let recommended = "{ companies(orderBy: [{ field: NAME }]) { nodes { name recommendedProducts { product { sku } score evidence { text } } } } }";
    let before = app.settled_statements().await;
    let data = app.data(recommended, json!({})).await;
    let statements = app.statements().await - before;
    let skus = |name: &str| -> Vec<(String, f64)> {
        let nodes = data["companies"]["nodes"].as_array().unwrap();
        let company = nodes.iter().find(|c| c["name"] == name).unwrap();
        company["recommendedProducts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["product"]["sku"].as_str().unwrap().to_owned(),
                    r["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        skus("Acme"),
        [("C".to_owned(), 0.5), ("D".to_owned(), 0.3333)]
    );
    assert_eq!(skus("Bolt"), [("D".to_owned(), 0.3333)]);
    assert_eq!(skus("Dyna"), [("B".to_owned(), 0.5), ("C".to_owned(), 0.5)]);
    assert_eq!(
        skus("Echo"),
        [("A".to_owned(), 0.6667), ("C".to_owned(), 0.3333)]
    );
    assert_eq!(skus("Fern"), Vec::<(String, f64)>::new());
    assert_eq!(
        statements, 3,
        "companies, their recommendations, the products"
    );

    // A product no longer sold is not recommended.
    mutate(
        &app,
        UPDATE_PRODUCT,
        json!({ "id": products[3], "input": { "active": false } }),
    )
    .await;
    let acme = "query($id: ID!) { node(id: $id) { ... on Contact { recommendedProducts(first: 5) { product { sku } evidence { text } } } } }";
    let person = &companies[0].1;
    let data = app.data(acme, json!({ "id": person })).await;
    assert_eq!(
        data["node"]["recommendedProducts"],
        json!([{ "product": { "sku": "C" }, "evidence": { "text": "2 of 4 buyers of Product A also bought Product C" } }])
    );
    let refused = app
        .gql(
            acme.replace("first: 5", "first: 51").as_str(),
            json!({ "id": person }),
        )
        .await;
    assert_eq!(refusal(&refused), ("BAD_USER_INPUT".into(), "first".into()));

    // A SALES role narrowed to its own companies ranks those it reads (its
    // own and unowned ones); the evidence still counts every buyer.
    let (sales, sales_id) = crate::visibility::sales(&app).await;
    let admin = app.data("{ me { id } }", json!({})).await["me"]["id"].clone();
    for (name, owner) in [("Acme", admin), ("Dyna", json!(sales_id))] {
        let found = app
            .data(
                "query($n: String!) { companies(filter: { name: { eq: $n } }) { nodes { id } } }",
                json!({ "n": name }),
            )
            .await;
        let id = found["companies"]["nodes"][0]["id"].clone();
        mutate(
            &app,
            "mutation($id: ID!, $o: ID) { updateCompany(id: $id, input: { ownerId: $o }) { company { id } } }",
            json!({ "id": id, "o": owner }),
        )
        .await;
    }
    mutate(&app, "mutation { setRoleVisibility(role: SALES, deals: ALL, companies: OWNED, contacts: ALL) { role } }", json!({})).await;
    let narrowed = app
        .gql_as(&sales, likely, json!({ "id": products[2] }))
        .await;
    let names: Vec<&str> = narrowed["data"]["node"]["likelyBuyers"]
        .as_array()
        .unwrap_or_else(|| panic!("{narrowed}"))
        .iter()
        .map(|b| b["company"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dyna", "Echo"]);
    assert_eq!(
        narrowed["data"]["node"]["likelyBuyers"][0]["evidence"]["text"],
        "2 of 4 buyers of Product A also bought Product C"
    );
}
