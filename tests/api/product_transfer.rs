//! The catalogue in and out: `GET /export/products.csv` writes what
//! `rapport import --type products` reads, by SKU, with `--on-conflict`.

use entity::enums::Role;
use serde_json::json;

use crate::fixtures::mutate;
use crate::helpers::{TestApp, member_token, on_both_databases};
use crate::import::{count, import, refusals, stdout, write};
use crate::products::product;

on_both_databases!(an_exported_catalogue_imports_back_by_sku);

const CATALOGUE: &str = "{ products(orderBy: [{ field: SKU }]) { nodes { sku name category active listPrices { currency amount } } } }";

async fn export_csv(app: &TestApp, token: &str) -> String {
    let response = app
        .client
        .get(format!("{}/export/products.csv", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("answered");
    assert!(response.status().is_success(), "{}", response.status());
    response.text().await.expect("body")
}

async fn an_exported_catalogue_imports_back_by_sku(app: TestApp) {
    let prices =
        json!([{ "currency": "USD", "amount": "10" }, { "currency": "EUR", "amount": "9.5" }]);
    let widget = product(&app, json!({ "sku": "W-1", "name": "Widget, large", "category": "Hardware", "listPrices": prices })).await;
    let suite = product(
        &app,
        json!({ "sku": "S-1", "name": "Suite", "active": false }),
    )
    .await;
    let before = app.data(CATALOGUE, json!({})).await;
    let exported = export_csv(&app, &app.token).await;
    assert!(exported.contains("EUR 9.50; USD 10.00"), "{exported}");
    // SUPPORT's export has no prices.
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    assert!(!export_csv(&app, &support).await.contains("listPrices"));

    // Gone from the workspace, then back from the file as they were.
    let delete = "mutation($id: ID!) { deleteProduct(id: $id) { product { id } } }";
    for id in [&widget, &suite] {
        mutate(&app, delete, json!({ "id": id })).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "products.csv", exported.as_bytes());
    let done = import(&app, "products", &file, &[]);
    assert_eq!(count(&done, "created"), 2, "{}", stdout(&done));
    assert_eq!(app.data(CATALOGUE, json!({})).await, before);

    // Loaded again: skipped, or applied to the product of the SKU.
    assert_eq!(count(&import(&app, "products", &file, &[]), "skipped"), 2);
    let update = ["--on-conflict", "update"];
    let changed = write(
        dir.path(),
        "prices.csv",
        b"sku,listPrices,active\nW-1,EUR 8; USD 10,\nS-1,,true\nN-1,GBP 5,\nW-2,EUR ten,\n",
    );
    let done = import(&app, "products", &changed, &update);
    assert_eq!(count(&done, "updated"), 2, "{}", stdout(&done));
    assert_eq!(
        refusals(&done),
        vec![
            (4, "name".into(), "BAD_USER_INPUT".into()),
            (5, "listPrices".into(), "BAD_USER_INPUT".into()),
        ]
    );
    let after = app.data(CATALOGUE, json!({})).await;
    assert_eq!(
        after["products"]["nodes"],
        json!([
            { "sku": "S-1", "name": "Suite", "category": null, "active": true, "listPrices": [] },
            { "sku": "W-1", "name": "Widget, large", "category": "Hardware", "active": true,
              "listPrices": [{ "currency": "EUR", "amount": "8.00" }, { "currency": "USD", "amount": "10.00" }] },
        ])
    );
    assert_eq!(
        count(&import(&app, "products", &changed, &update), "unchanged"),
        2
    );
}
