//! The demo's web shop carts: some contacts start a cart across the year;
//! about half are placed, a third abandoned, the rest still open, so the
//! abandoned-cart rate of the README's dashboard answers a real number.

use entity::enums::OrderStatus;
use rapport_core::ops::order::{self, NewOrder, OrderChanges};
use uuid::Uuid;

use super::catalogue::Catalogue;
use super::records::{Demo, refused};

/// What goes into a demo cart: a training day, a hardware kit or a support
/// plan (by their index in the catalogue).
const CART_ITEMS: [usize; 3] = [3, 4, 1];

impl Demo<'_> {
    /// A cart for every third contact, at a moment of the year; then placed
    /// a day later, abandoned, or left open.
    pub(super) async fn carts(
        &self,
        catalogue: &Catalogue,
        contacts: &[(Uuid, Uuid)],
    ) -> anyhow::Result<()> {
        for (contact_id, company_id) in contacts.iter().step_by(3) {
            let item = self.pick(&CART_ITEMS);
            let started = self.moment();
            self.at(started);
            let new = NewOrder {
                contact_id: Some(*contact_id),
                company_id: Some(*company_id),
                product: None,
                quantity: None,
                amount: None,
                currency: "USD".into(),
                ordered_at: Some(started),
                status: Some(OrderStatus::Cart),
                cart_started_at: None,
                lines: vec![catalogue.line(item, 1)],
            };
            let cart = order::create(self.core, &self.team.admin, new)
                .await
                .map_err(refused)?;
            let next = match self.below(6) {
                0..=2 => OrderStatus::Placed,
                3 | 4 => OrderStatus::Abandoned,
                _ => continue,
            };
            self.at(started + chrono::Duration::days(1));
            let changes = OrderChanges {
                status: Some(next),
                ..OrderChanges::default()
            };
            order::update(self.core, &self.team.admin, cart.id, changes, None)
                .await
                .map_err(refused)?;
        }
        Ok(())
    }
}
