//! The permission matrix: what each role may change. Every role reads every
//! record of its workspace, except that SUPPORT sees no deal amounts and a
//! workspace may narrow the deals, companies and contacts a role reads
//! (see [`super::sight`]).
//!
//! | area        | ADMIN | MANAGER | SALES              | SUPPORT | VIEWER |
//! |-------------|-------|---------|--------------------|---------|--------|
//! | companies   | write | write   | write              | read    | read   |
//! | contacts    | write | write   | write              | read    | read   |
//! | deals       | write | write   | own and unowned    | read¹   | read   |
//! | tickets     | write | write   | read               | write   | read   |
//! | activities  | write | write   | write              | write   | read   |
//! | orders      | write | write   | write              | read    | read   |
//! | surveys     | write | write   | write              | write   | read   |
//! | pipelines   | write | write   | read               | read    | read   |
//! | members     | write | read    | read               | read    | read   |
//! | settings²   | write | write   | read               | read³   | read   |
//! | views⁴      | write | write   | own                | own     | —      |
//! | history     | read  | read    | —                  | —       | —      |
//!
//! ¹ without amounts: `amount` is null, and filtering or sorting by it,
//! amount totals, the dashboard and deal events are refused.
//! ² goals, standardised reasons, lead scoring rules and triggers.
//! ⁴ segments and lists: each member makes its own, private or shared; a
//! shared view of another member is ADMIN's and MANAGER's to change.
//! ³ goals and the leaderboard excepted: they are deal amounts.

use entity::enums::Role;
use uuid::Uuid;

use super::Actor;
use crate::error::{CoreError, CoreResult};

/// A part of the data that is written as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Companies,
    Contacts,
    Deals,
    Tickets,
    Activities,
    Orders,
    Surveys,
    Pipelines,
    Members,
    Settings,
    /// Marketing campaigns (ADMIN and MANAGER).
    Campaigns,
    /// The product catalogue (ADMIN and MANAGER).
    Products,
    /// Saved views: segments and lists (every role but VIEWER; a shared
    /// view of another member is ADMIN's and MANAGER's to change).
    Views,
    /// Custom field definitions (ADMIN): they shape every record of a type.
    CustomFields,
}

impl Area {
    /// How the area is named in a refusal.
    pub fn name(self) -> &'static str {
        match self {
            Self::Companies => "companies",
            Self::Contacts => "contacts",
            Self::Deals => "deals",
            Self::Tickets => "tickets",
            Self::Activities => "activities",
            Self::Orders => "orders",
            Self::Surveys => "survey responses",
            Self::Pipelines => "pipelines and stages",
            Self::Members => "members and API keys",
            Self::Settings => "goals, reasons, scoring rules and triggers",
            Self::Campaigns => "campaigns",
            Self::Products => "products",
            Self::Views => "segments and lists",
            Self::CustomFields => "custom fields",
        }
    }
}

impl Actor {
    /// Whether the role may create and change records of `area` (for deals,
    /// SALES further needs [`Actor::may_edit_deal`]).
    pub fn may_write(&self, area: Area) -> bool {
        use Area::*;
        match self.role {
            Role::Admin => true,
            Role::Manager => !matches!(area, Members | CustomFields),
            Role::Sales => matches!(
                area,
                Companies | Contacts | Deals | Activities | Orders | Surveys | Views
            ),
            Role::Support => matches!(area, Tickets | Activities | Surveys | Views),
            Role::Viewer => false,
        }
    }

    /// `FORBIDDEN` unless the role may change records of `area`.
    pub fn require(&self, area: Area) -> CoreResult<()> {
        if self.may_write(area) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!(
                "the {:?} role may not change {}",
                self.role,
                area.name()
            )))
        }
    }

    /// Whether the role may change a deal owned by `owner`: SALES only its
    /// own deals and unowned ones.
    pub fn may_edit_deal(&self, owner: Option<Uuid>) -> bool {
        self.role != Role::Sales || owner.is_none_or(|owner| owner == self.member_id)
    }

    /// Whether the role may give a deal to `owner`: SALES only to itself.
    pub fn may_assign_deal(&self, owner: Option<Uuid>) -> bool {
        self.may_edit_deal(owner)
    }

    /// Whether deal amounts are visible (all but SUPPORT).
    pub fn sees_amounts(&self) -> bool {
        self.role != Role::Support
    }

    /// Whether the role may read who changed what (ADMIN and MANAGER).
    pub fn may_read_history(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

/// Whether everything `role` may do, `other` may do too. VIEWER is below
/// SALES, MANAGER and ADMIN, but not below SUPPORT: VIEWER reads deal
/// amounts, SUPPORT does not.
fn within(role: Role, other: Role) -> bool {
    role == other
        || other == Role::Admin
        || (other == Role::Manager && role != Role::Admin)
        || (role == Role::Viewer && other == Role::Sales)
}

/// The role allowing only what both roles allow: the lower one. `None` when
/// no role does (SUPPORT with SALES or VIEWER: the one reads no deal amounts,
/// the other writes or reads what SUPPORT may not). An API key acts with the
/// lesser of its own role and its creator's current one, so a key never
/// outranks its creator, and acts not at all while there is no such role.
pub fn lesser_role(a: Role, b: Role) -> Option<Role> {
    if within(a, b) {
        Some(a)
    } else if within(b, a) {
        Some(b)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor::member(Uuid::nil(), Uuid::from_u128(1), role)
    }

    #[test]
    fn the_matrix_holds() {
        use Area::*;
        let areas = [
            Companies, Contacts, Deals, Tickets, Activities, Pipelines, Members,
        ];
        let expected: [(Role, [bool; 7]); 5] = [
            (Role::Admin, [true; 7]),
            (Role::Manager, [true, true, true, true, true, true, false]),
            (Role::Sales, [true, true, true, false, true, false, false]),
            (
                Role::Support,
                [false, false, false, true, true, false, false],
            ),
            (Role::Viewer, [false; 7]),
        ];
        for (role, allowed) in expected {
            for (area, allowed) in areas.iter().zip(allowed) {
                assert_eq!(actor(role).may_write(*area), allowed, "{role:?} {area:?}");
            }
        }
    }

    #[test]
    fn sales_edits_its_own_and_unowned_deals_only() {
        let sales = actor(Role::Sales);
        assert!(sales.may_edit_deal(None));
        assert!(sales.may_edit_deal(Some(Uuid::from_u128(1))));
        assert!(!sales.may_edit_deal(Some(Uuid::from_u128(2))));
        assert!(actor(Role::Manager).may_edit_deal(Some(Uuid::from_u128(2))));
    }

    #[test]
    fn a_key_never_outranks_its_creator() {
        use Role::*;
        let roles = [Admin, Manager, Sales, Support, Viewer];
        for a in roles {
            assert_eq!(lesser_role(a, a), Some(a));
            assert_eq!(lesser_role(a, Admin), Some(a));
            for b in roles {
                assert_eq!(lesser_role(a, b), lesser_role(b, a), "{a:?} {b:?}");
                let Some(lesser) = lesser_role(a, b) else {
                    assert!(matches!(
                        (a, b),
                        (Support, Sales | Viewer) | (Sales | Viewer, Support)
                    ));
                    continue;
                };
                // Nothing the lesser role may do is beyond either role.
                for c in [a, b] {
                    for area in [Area::Companies, Area::Deals, Area::Tickets, Area::Members] {
                        assert!(!actor(lesser).may_write(area) || actor(c).may_write(area));
                    }
                    assert!(!actor(lesser).may_read_history() || actor(c).may_read_history());
                    assert!(!actor(lesser).sees_amounts() || actor(c).sees_amounts());
                }
            }
        }
        assert_eq!(lesser_role(Admin, Viewer), Some(Viewer));
        assert_eq!(lesser_role(Support, Manager), Some(Support));
    }
}
