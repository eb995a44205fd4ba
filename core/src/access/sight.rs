//! What a reader sees of the records that have owners: a workspace may
//! narrow a role's deals, companies and contacts to its team's (`TEAM`) or
//! its own (`OWNED`); unowned records stay visible to every reader. The
//! [`Sight`] is settled when the credential is looked up (see
//! `Directory`), so every read path turns it into the same condition
//! without a statement of its own.

use entity::enums::Visibility;
use uuid::Uuid;

use crate::kind::Kind;

/// The three kinds of record a workspace may narrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    Deals,
    Companies,
    Contacts,
}

impl Owned {
    /// The area records of `kind` belong to; `None` for kinds without owners.
    pub fn of_kind(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Deal => Some(Self::Deals),
            Kind::Company => Some(Self::Companies),
            Kind::Contact => Some(Self::Contacts),
            _ => None,
        }
    }

    /// The area's table.
    pub fn table(self) -> &'static str {
        match self {
            Self::Deals => "deal",
            Self::Companies => "company",
            Self::Contacts => "contact",
        }
    }

    /// How the area is named in a refusal.
    pub fn name(self) -> &'static str {
        match self {
            Self::Deals => "deals",
            Self::Companies => "companies",
            Self::Contacts => "contacts",
        }
    }
}

/// A reader's visibility of deals, companies and contacts, and the owners
/// whose records a narrowed one shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sight {
    pub deals: Visibility,
    pub companies: Visibility,
    pub contacts: Visibility,
    /// The reader and the other members of its team: the owners `TEAM`
    /// shows (the reader alone without a team).
    pub team: Vec<Uuid>,
    /// The reader: the owner `OWNED` shows.
    pub member: Uuid,
}

impl Sight {
    /// Everything: the default, and ADMIN's always.
    pub fn everything(member: Uuid) -> Self {
        Self {
            deals: Visibility::All,
            companies: Visibility::All,
            contacts: Visibility::All,
            team: vec![member],
            member,
        }
    }

    /// The visibility of `area`.
    pub fn of(&self, area: Owned) -> Visibility {
        match area {
            Owned::Deals => self.deals,
            Owned::Companies => self.companies,
            Owned::Contacts => self.contacts,
        }
    }

    /// The owners whose records of `area` the reader sees besides unowned
    /// ones; `None` when it sees every record.
    pub fn owners(&self, area: Owned) -> Option<&[Uuid]> {
        match self.of(area) {
            Visibility::All => None,
            Visibility::Team => Some(&self.team),
            Visibility::Owned => Some(std::slice::from_ref(&self.member)),
        }
    }

    /// Whether a record of `area` owned by `owner` is visible.
    pub fn sees(&self, area: Owned, owner: Option<Uuid>) -> bool {
        match (self.owners(area), owner) {
            (None, _) | (_, None) => true,
            (Some(owners), Some(owner)) => owners.contains(&owner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowed_readers_see_their_circle_and_unowned_records() {
        let me = Uuid::from_u128(1);
        let mate = Uuid::from_u128(2);
        let other = Uuid::from_u128(3);
        let mut sight = Sight::everything(me);
        sight.team = vec![me, mate];
        assert!(sight.sees(Owned::Deals, Some(other)));
        sight.deals = Visibility::Team;
        sight.contacts = Visibility::Owned;
        assert!(sight.sees(Owned::Deals, Some(mate)));
        assert!(sight.sees(Owned::Deals, None));
        assert!(!sight.sees(Owned::Deals, Some(other)));
        assert!(!sight.sees(Owned::Contacts, Some(mate)));
        assert!(sight.sees(Owned::Contacts, Some(me)));
        assert!(sight.sees(Owned::Companies, Some(other)));
    }
}
