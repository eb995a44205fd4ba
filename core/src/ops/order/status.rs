//! Where an order may go from where it stands. A cart is placed or
//! abandoned (and an abandoned cart may come back as a cart or be placed);
//! a placed order may be cancelled or refunded; cancelled and refunded
//! orders stay as they are.

use chrono::{DateTime, Utc};
use entity::enums::OrderStatus;
use sea_orm::ActiveEnum;

use crate::error::{CoreError, CoreResult};

/// Whether `from` may become `to` (staying put is always allowed).
pub fn may_become(from: OrderStatus, to: OrderStatus) -> bool {
    use OrderStatus::{Abandoned, Cancelled, Cart, Placed, Refunded};
    from == to
        || matches!(
            (from, to),
            (Cart, Placed | Abandoned)
                | (Abandoned, Cart | Placed)
                | (Placed, Cancelled | Refunded)
        )
}

/// Refuses a change of status the order cannot make, naming `field`.
pub fn check_transition(from: OrderStatus, to: OrderStatus, field: &str) -> CoreResult<()> {
    if may_become(from, to) {
        return Ok(());
    }
    Err(CoreError::bad_input(
        field,
        format!(
            "an order that is {} cannot become {}",
            from.to_value(),
            to.to_value()
        ),
    ))
}

/// Whether an order with this status began as a cart by nature: carts and
/// abandoned carts always did.
pub fn is_cart(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Cart | OrderStatus::Abandoned)
}

/// The cart start of a new order: the one given, or the order's own time
/// for a cart; none for an order placed directly. A cart cannot start
/// after the order it became.
pub fn cart_start(
    status: OrderStatus,
    given: Option<DateTime<Utc>>,
    ordered_at: DateTime<Utc>,
) -> CoreResult<Option<DateTime<Utc>>> {
    let start = match given {
        Some(at) if at > ordered_at && !is_cart(status) => {
            return Err(CoreError::bad_input(
                "input.cartStartedAt",
                "a cart cannot start after the order was placed",
            ));
        }
        Some(at) => Some(at),
        None if is_cart(status) => Some(ordered_at),
        None => None,
    };
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn carts_are_placed_or_abandoned_and_placed_orders_cancelled_or_refunded() {
        assert!(may_become(Cart, Placed));
        assert!(may_become(Cart, Abandoned));
        assert!(may_become(Abandoned, Placed));
        assert!(may_become(Placed, Refunded));
        assert!(may_become(Placed, Cancelled));
        assert!(may_become(Refunded, Refunded));
        assert!(!may_become(Placed, Cart));
        assert!(!may_become(Refunded, Placed));
        assert!(!may_become(Cancelled, Placed));
        assert!(!may_become(Cart, Refunded));
    }

    #[test]
    fn a_cart_starts_when_given_or_at_its_own_time() {
        let at = chrono::Utc::now();
        let earlier = at - chrono::Duration::hours(1);
        assert_eq!(cart_start(Cart, None, at).ok(), Some(Some(at)));
        assert_eq!(cart_start(Placed, None, at).ok(), Some(None));
        assert_eq!(
            cart_start(Placed, Some(earlier), at).ok(),
            Some(Some(earlier))
        );
        assert!(cart_start(Placed, Some(at + chrono::Duration::hours(1)), at).is_err());
    }
}
