//! The demo's product catalogue, and the lines its orders and carts are
//! made of. Buyers of the platform licence usually add a support plan and
//! buyers of the integration package a training day, so `likelyBuyers` and
//! `recommendedProducts` have a real pattern to find.

use rapport_core::ops::order::lines::NewLine;
use rapport_core::ops::product::prices::ListPrice;
use rapport_core::ops::product::{self, NewProduct};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::records::{Demo, refused};

/// (SKU, name, category, list price in each currency the demo sells in).
const CATALOGUE: [(&str, &str, &str, i64); 5] = [
    ("PLT-1", "Platform licence", "Software", 12_000),
    ("SUP-1", "Support plan", "Services", 3_000),
    ("INT-1", "Integration package", "Software", 5_000),
    ("TRN-1", "Training day", "Services", 1_500),
    ("HWK-1", "Hardware kit", "Hardware", 800),
];
/// What a buyer of each product (by index) usually adds.
const ADD_ON: [Option<usize>; 5] = [Some(1), None, Some(3), None, None];
/// The currencies the demo's companies buy in.
const CURRENCIES: [&str; 3] = ["EUR", "GBP", "USD"];

/// The demo's products, by their index in [`CATALOGUE`].
pub struct Catalogue(Vec<Uuid>);

impl Demo<'_> {
    /// Adds the catalogue, every product priced in every currency.
    pub(super) async fn catalogue(&self) -> anyhow::Result<Catalogue> {
        let mut ids = Vec::with_capacity(CATALOGUE.len());
        for (sku, name, category, price) in CATALOGUE {
            let list_prices = CURRENCIES
                .iter()
                .map(|currency| ListPrice {
                    currency: (*currency).into(),
                    amount: Decimal::from(price),
                })
                .collect();
            let new = NewProduct {
                sku: sku.into(),
                name: name.into(),
                category: Some(category.into()),
                list_prices,
                active: Some(true),
            };
            let row = product::create(self.core, &self.team.admin, new)
                .await
                .map_err(refused)?;
            ids.push(row.id);
        }
        Ok(Catalogue(ids))
    }

    /// An order's lines at list prices: one to three of a product, and two
    /// times in three its usual add-on.
    pub(super) fn order_lines(&self, catalogue: &Catalogue) -> Vec<NewLine> {
        let first = self.below(CATALOGUE.len());
        let mut lines = vec![catalogue.line(first, 1 + self.below(3) as i32)];
        if let Some(add_on) = ADD_ON[first].filter(|_| self.below(3) < 2) {
            lines.push(catalogue.line(add_on, 1));
        }
        lines
    }
}

impl Catalogue {
    /// `quantity` of product `index` at its list price.
    pub fn line(&self, index: usize, quantity: i32) -> NewLine {
        NewLine {
            product_id: self.0[index % self.0.len()],
            quantity: Some(quantity),
            unit_price: None,
            discount: None,
        }
    }
}
