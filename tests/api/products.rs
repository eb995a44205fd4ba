//! The product catalogue, order lines and what they feed: `orderGroups` by
//! catalogue product and category, and imports by SKU.

use entity::enums::Role;
use serde_json::{Value, json};

use crate::fixtures::{self, mutate};
use crate::helpers::{TestApp, error_code, member_token, on_both_databases};
use crate::import::{count, import, refusals, stdout, write};

on_both_databases!(
    the_catalogue_keeps_skus_unique_and_prices_per_currency,
    order_lines_price_and_add_up_to_the_order,
    orders_group_by_catalogue_product_and_category,
    an_import_names_products_by_sku,
);

const CREATE_PRODUCT: &str = "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id sku name category active listPrices { currency amount } } } }";
pub const UPDATE_PRODUCT: &str = "mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { id sku active listPrices { currency amount } version } } }";
const CREATE_ORDER: &str = "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id product quantity amount currency lines { product { sku } quantity unitPrice discount total currency } } } }";
pub const UPDATE_ORDER: &str = "mutation($id: ID!, $input: UpdateOrderInput!) { updateOrder(id: $id, input: $input) { order { id product quantity amount currency lines { product { sku } quantity unitPrice total } } } }";

pub async fn product(app: &TestApp, input: Value) -> String {
    let made = mutate(app, CREATE_PRODUCT, json!({ "input": input })).await;
    made["product"]["id"].as_str().expect("id").to_owned()
}

pub async fn order(app: &TestApp, input: Value) -> Value {
    mutate(app, CREATE_ORDER, json!({ "input": input })).await["order"].clone()
}

/// The first error's code and field.
pub fn refusal(response: &Value) -> (String, String) {
    let error = &response["errors"][0]["extensions"];
    (
        error_code(response).to_owned(),
        error["field"].as_str().unwrap_or("<none>").to_owned(),
    )
}

async fn the_catalogue_keeps_skus_unique_and_prices_per_currency(app: TestApp) {
    let made = mutate(
        &app,
        CREATE_PRODUCT,
        json!({ "input": { "sku": " W-1 ", "name": "Widget", "category": "Hardware", "listPrices": [
            { "currency": "usd", "amount": "10" }, { "currency": "EUR", "amount": "9.5" }
        ] } }),
    )
    .await["product"]
        .clone();
    assert_eq!(made["sku"], "W-1");
    assert_eq!(made["active"], true);
    assert_eq!(
        made["listPrices"],
        json!([{ "currency": "EUR", "amount": "9.50" }, { "currency": "USD", "amount": "10.00" }])
    );
    let id = made["id"].as_str().unwrap();
    let input = |sku: &str, prices: Value| json!({ "input": { "sku": sku, "name": "X", "listPrices": prices } });
    let taken = app.gql(CREATE_PRODUCT, input("W-1", json!([]))).await;
    assert_eq!(refusal(&taken), ("CONFLICT".into(), "input.sku".into()));
    let twice = json!([{ "currency": "USD", "amount": "1" }, { "currency": "usd", "amount": "2" }]);
    let twice = app.gql(CREATE_PRODUCT, input("X-1", twice)).await;
    let expected = (
        "BAD_USER_INPUT".into(),
        "input.listPrices.1.currency".into(),
    );
    assert_eq!(refusal(&twice), expected);
    let yen = app
        .gql(
            CREATE_PRODUCT,
            input("X-1", json!([{ "currency": "JPY", "amount": "1.5" }])),
        )
        .await;
    let expected = ("BAD_USER_INPUT".into(), "input.listPrices.0.amount".into());
    assert_eq!(refusal(&yen), expected);

    // SALES reads the catalogue but does not change it; SUPPORT sees no prices.
    let sales = member_token(&app.state, app.workspace_id, Role::Sales).await;
    let refused = app
        .gql_as(&sales, CREATE_PRODUCT, input("S-1", json!([])))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let support = member_token(&app.state, app.workspace_id, Role::Support).await;
    let read = "{ products { nodes { sku listPrices { amount } } } }";
    let seen = app.gql_as(&support, read, json!({})).await;
    assert_eq!(
        seen["data"]["products"]["nodes"][0]["listPrices"],
        Value::Null
    );

    // The whole set of prices is replaced; the change is in the history.
    let changed = mutate(
        &app,
        UPDATE_PRODUCT,
        json!({ "id": id, "input": { "listPrices": [{ "currency": "GBP", "amount": "8" }], "active": false } }),
    )
    .await["product"]
        .clone();
    assert_eq!(
        changed["listPrices"],
        json!([{ "currency": "GBP", "amount": "8.00" }])
    );
    assert_eq!(changed["active"], false);
    let history =
        "query($id: ID!) { node(id: $id) { ... on Product { history { nodes { kind } } } } }";
    let kinds = app.data(history, json!({ "id": id })).await;
    assert_eq!(
        kinds["node"]["history"]["nodes"].as_array().unwrap().len(),
        2
    );
    let filtered =
        "{ products(filter: { active: false, category: { eq: \"Hardware\" } }) { nodes { sku } } }";
    assert_eq!(
        app.data(filtered, json!({})).await["products"]["nodes"],
        json!([{ "sku": "W-1" }])
    );

    // A deleted product's SKU is free; restoring it while taken is refused.
    let delete = "mutation($id: ID!) { deleteProduct(id: $id) { product { deletedAt } } }";
    mutate(&app, delete, json!({ "id": id })).await;
    product(&app, json!({ "sku": "W-1", "name": "Widget 2" })).await;
    let restore = "mutation($id: ID!) { restoreProduct(id: $id) { product { id } } }";
    let again = app.gql(restore, json!({ "id": id })).await;
    assert_eq!(error_code(&again), "CONFLICT");
}

async fn order_lines_price_and_add_up_to_the_order(app: TestApp) {
    let buyer = fixtures::contact(&app, json!({ "firstName": "Ann" })).await;
    let widget = product(
        &app,
        json!({ "sku": "W-1", "name": "Widget", "listPrices": [
        { "currency": "USD", "amount": "10" }, { "currency": "EUR", "amount": "9" }] }),
    )
    .await;
    let gadget = product(&app, json!({ "sku": "G-1", "name": "Gadget", "listPrices": [{ "currency": "USD", "amount": "25" }] })).await;
    let suite = product(&app, json!({ "sku": "S-1", "name": "Suite" })).await;
    let line = |id: &str, extra: Value| {
        let mut l = json!({ "productId": id });
        if let (Some(l), Some(e)) = (l.as_object_mut(), extra.as_object()) {
            l.extend(e.clone());
        }
        l
    };
    // 3 × 10.00 (list) + 1 × 20.00 − 5.00 = 45.00.
    let made = order(
        &app,
        json!({ "contactId": buyer, "currency": "USD", "lines": [
        line(&widget, json!({ "quantity": 3 })),
        line(&gadget, json!({ "unitPrice": "20", "discount": "5" })),
    ] }),
    )
    .await;
    assert_eq!(made["amount"], "45.00");
    assert_eq!(made["quantity"], 4);
    assert_eq!(made["product"], "Widget, Gadget");
    assert_eq!(
        made["lines"],
        json!([
            { "product": { "sku": "W-1" }, "quantity": 3, "unitPrice": "10.00", "discount": "0.00", "total": "30.00", "currency": "USD" },
            { "product": { "sku": "G-1" }, "quantity": 1, "unitPrice": "20.00", "discount": "5.00", "total": "15.00", "currency": "USD" },
        ])
    );
    let create = |input: Value| json!({ "input": input });
    let cases = [
        // No list price in USD and no unit price.
        (
            json!({ "contactId": buyer, "currency": "USD", "lines": [line(&suite, json!({}))] }),
            "input.lines.0.unitPrice",
        ),
        // An amount beside lines.
        (
            json!({ "contactId": buyer, "currency": "USD", "amount": "1", "lines": [line(&widget, json!({}))] }),
            "input.amount",
        ),
        // A discount over the line's gross.
        (
            json!({ "contactId": buyer, "currency": "USD", "lines": [line(&gadget, json!({ "discount": "26" }))] }),
            "input.lines.0.discount",
        ),
        // Something that is not a product.
        (
            json!({ "contactId": buyer, "currency": "USD", "lines": [line(&buyer, json!({}))] }),
            "input.lines.0.productId",
        ),
        // No lines, no product text.
        (
            json!({ "contactId": buyer, "currency": "USD", "amount": "5" }),
            "input.product",
        ),
    ];
    for (input, field) in cases {
        let refused = app.gql(CREATE_ORDER, create(input)).await;
        assert_eq!(
            refusal(&refused),
            ("BAD_USER_INPUT".into(), field.into()),
            "{refused:#}"
        );
    }
    // An inactive product takes no new lines...
    mutate(
        &app,
        UPDATE_PRODUCT,
        json!({ "id": widget, "input": { "active": false } }),
    )
    .await;
    let inactive =
        json!({ "contactId": buyer, "currency": "EUR", "lines": [line(&widget, json!({}))] });
    let refused = app.gql(CREATE_ORDER, create(inactive)).await;
    let expected = ("BAD_USER_INPUT".into(), "input.lines.0.productId".into());
    assert_eq!(refusal(&refused), expected);
    // ...but an order that has it keeps it when its lines change.
    let id = made["id"].clone();
    let changed = mutate(
        &app,
        UPDATE_ORDER,
        json!({ "id": id, "input": { "lines": [line(&widget, json!({ "quantity": 2 }))] } }),
    )
    .await["order"]
        .clone();
    assert_eq!(
        (changed["amount"].clone(), changed["quantity"].clone()),
        (json!("20.00"), json!(2))
    );
    assert_eq!(changed["product"], "Widget");
    // What the lines decide is refused on its own.
    for (input, field) in [
        (json!({ "amount": "3" }), "input.amount"),
        (json!({ "quantity": 3 }), "input.quantity"),
        (json!({ "currency": "EUR" }), "input.currency"),
    ] {
        let refused = app
            .gql(UPDATE_ORDER, json!({ "id": id, "input": input }))
            .await;
        assert_eq!(refusal(&refused), ("BAD_USER_INPUT".into(), field.into()));
    }
    // New lines in a new currency price at its list prices: 2 × 9.00 EUR.
    let euros = mutate(&app, UPDATE_ORDER, json!({ "id": id, "input": { "currency": "EUR", "lines": [line(&widget, json!({ "quantity": 2 }))] } })).await["order"].clone();
    assert_eq!(
        (euros["amount"].clone(), euros["currency"].clone()),
        (json!("18.00"), json!("EUR"))
    );
    // No lines any more: the order keeps its amount and may change it.
    let bare = mutate(
        &app,
        UPDATE_ORDER,
        json!({ "id": id, "input": { "lines": [] } }),
    )
    .await["order"]
        .clone();
    assert_eq!(
        (bare["amount"].clone(), bare["lines"].clone()),
        (json!("18.00"), json!([]))
    );
    let amended = mutate(
        &app,
        UPDATE_ORDER,
        json!({ "id": id, "input": { "amount": "17" } }),
    )
    .await["order"]
        .clone();
    assert_eq!(amended["amount"], "17.00");
}

async fn orders_group_by_catalogue_product_and_category(app: TestApp) {
    let buyer = fixtures::contact(&app, json!({ "firstName": "Ann" })).await;
    let widget = product(
        &app,
        json!({ "sku": "W-1", "name": "Widget", "category": "Hardware", "listPrices": [
        { "currency": "USD", "amount": "10" }, { "currency": "EUR", "amount": "9" }] }),
    )
    .await;
    let gadget = product(
        &app,
        json!({ "sku": "G-1", "name": "Gadget", "category": "Hardware" }),
    )
    .await;
    // USD: W 3 × 10 = 30, G 20 − 5 = 15; EUR: W 2 × 9 = 18; USD 100 without lines.
    order(
        &app,
        json!({ "contactId": buyer, "currency": "USD", "lines": [
        { "productId": widget, "quantity": 3 },
        { "productId": gadget, "unitPrice": "20", "discount": "5" },
    ] }),
    )
    .await;
    order(&app, json!({ "contactId": buyer, "currency": "EUR", "lines": [{ "productId": widget, "quantity": 2 }] })).await;
    order(
        &app,
        json!({ "contactId": buyer, "currency": "USD", "product": "Legacy plan", "amount": "100" }),
    )
    .await;
    let query = "query($by: OrderGroupField!) { orderGroups(groupBy: [{ field: $by }]) { key count amounts { currency count sum avg min max } } }";
    let groups = |by: &'static str| {
        let app = &app;
        async move {
            let data = app.data(query, json!({ "by": by })).await;
            let mut groups = data["orderGroups"].as_array().unwrap().clone();
            // NULL sorts first on SQLite and last on PostgreSQL.
            groups.sort_by_key(|g| g["key"][0].as_str().unwrap_or("").to_owned());
            groups
        }
    };
    let stats = |currency: &str, count: i64, sum: &str, avg: &str, min: &str, max: &str| json!({ "currency": currency, "count": count, "sum": sum, "avg": avg, "min": min, "max": max });
    let by_category = groups("CATEGORY").await;
    assert_eq!(
        by_category,
        vec![
            json!({ "key": [null], "count": 1, "amounts": [stats("USD", 1, "100.00", "100.00", "100.00", "100.00")] }),
            json!({ "key": ["Hardware"], "count": 3, "amounts": [
                stats("EUR", 1, "18.00", "18.00", "18.00", "18.00"),
                stats("USD", 2, "45.00", "22.50", "15.00", "30.00"),
            ] }),
        ]
    );
    let by_product = groups("CATALOGUE_PRODUCT").await;
    let of = |id: &str| {
        by_product
            .iter()
            .find(|g| g["key"][0] == id)
            .cloned()
            .expect("group")
    };
    assert_eq!(of(&widget)["count"], 2);
    assert_eq!(
        of(&widget)["amounts"],
        json!([
            stats("EUR", 1, "18.00", "18.00", "18.00", "18.00"),
            stats("USD", 1, "30.00", "30.00", "30.00", "30.00")
        ])
    );
    assert_eq!(
        of(&gadget)["amounts"],
        json!([stats("USD", 1, "15.00", "15.00", "15.00", "15.00")])
    );
    assert_eq!(
        by_product.len(),
        3,
        "widget, gadget, and the order without lines"
    );
    // Grouping by the order's own fields still counts orders.
    let by_currency = groups("CURRENCY").await;
    assert_eq!(by_currency[1]["count"], 2);
    assert_eq!(by_currency[1]["amounts"][0]["sum"], "145.00");
}

async fn an_import_names_products_by_sku(app: TestApp) {
    fixtures::contact(
        &app,
        json!({ "firstName": "Ada", "email": "ada@example.com" }),
    )
    .await;
    product(&app, json!({ "sku": "W-1", "name": "Widget", "listPrices": [{ "currency": "USD", "amount": "25" }] })).await;
    let dir = tempfile::tempdir().unwrap();
    // 10.00 over 3 units: 3.34 a unit, 0.02 given back as a discount.
    let orders = write(
        dir.path(),
        "orders.csv",
        b"externalId,contactEmail,sku,product,quantity,amount,currency,orderedAt\n\
          o1,ada@example.com,W-1,,3,10,USD,2025-02-01T00:00:00Z\n\
          o2,ada@example.com,W-1,,2,,USD,2025-02-02T00:00:00Z\n\
          o3,ada@example.com,,Legacy,1,7,USD,2025-02-03T00:00:00Z\n\
          o4,ada@example.com,NOPE,,1,7,USD,2025-02-04T00:00:00Z\n",
    );
    let done = import(&app, "orders", &orders, &[]);
    assert_eq!(count(&done, "created"), 3, "{}", stdout(&done));
    assert_eq!(refusals(&done), vec![(5, "sku".into(), "NOT_FOUND".into())]);
    let query = "{ orders(orderBy: [{ field: ORDERED_AT }]) { nodes { product amount quantity lines { quantity unitPrice discount total } } } }";
    let nodes = app.data(query, json!({})).await["orders"]["nodes"].clone();
    assert_eq!(
        nodes,
        json!([
            { "product": "Widget", "amount": "10.00", "quantity": 3, "lines": [{ "quantity": 3, "unitPrice": "3.34", "discount": "0.02", "total": "10.00" }] },
            { "product": "Widget", "amount": "50.00", "quantity": 2, "lines": [{ "quantity": 2, "unitPrice": "25.00", "discount": "0.00", "total": "50.00" }] },
            { "product": "Legacy", "amount": "7.00", "quantity": 1, "lines": [] },
        ])
    );
}
