//! What the store knows of each record table: its name, its kind, its
//! events, and the row accessors the generic writes and reads use.

use chrono::{DateTime, Utc};
use entity::{
    activity, api_key, campaign, company, contact, custom_field, customer_order, deal,
    deal_stage_change, form, goal, lead_scoring_rule, member, pipeline, product, reason, segment,
    stage, survey_response, tag, team, ticket, trigger_rule,
};
use sea_orm::sea_query::{Condition, ExprTrait};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use super::narrowing::{col, linked_to_read, owned_in};
use crate::access::{Actor, Owned};
use crate::error::{CoreError, CoreResult};
use crate::kind::Kind;

/// A record table, implemented on its SeaORM entity.
pub trait Table:
    EntityTrait<Model: Serialize + Sync + 'static> + Default + Send + Sync + 'static
{
    /// The table's SQL name.
    const TABLE: &'static str;
    const KIND: Kind;
    /// The prefix of its event kinds, e.g. `deal` in `deal.moved`.
    const EVENT_NAME: &'static str;
    /// Whether the table has `deleted_at` and `version` (lists skip deleted rows).
    const SOFT_DELETE: bool = true;
    fn id(row: &Self::Model) -> Uuid;
    /// The event channel a change of `row` is published on.
    fn topic(row: &Self::Model) -> String {
        let _ = row;
        Self::EVENT_NAME.to_owned()
    }
    fn version(_row: &Self::Model) -> i32 {
        0
    }
    fn deleted_at(_row: &Self::Model) -> Option<DateTime<Utc>> {
        None
    }
    /// Refuses a change of `row` by `actor` beyond its role's area (which the
    /// operation checked already): SALES and deals it does not own.
    fn check_write(actor: &Actor, row: &Self::Model) -> CoreResult<()> {
        let _ = (actor, row);
        Ok(())
    }
    /// Which of the narrowable areas the table's rows are (deals, companies,
    /// contacts: rows with an `owner_id`); `None` for every other table.
    const OWNED: Option<Owned> = None;
    fn owner(_row: &Self::Model) -> Option<Uuid> {
        None
    }
    /// What `actor` reads of the rows (named `alias`) beyond the workspace's
    /// live ones; `None` when it reads them all. By default the rows of the
    /// table's own area its role reads (see [`owned_in`]).
    fn narrowing(actor: &Actor, alias: &'static str) -> Option<Condition> {
        owned_in(actor, Self::OWNED?, alias)
    }
}

/// What a workspace may see of `T`: its rows, not deleted.
pub fn scope<T: Table>(workspace_id: Uuid) -> Condition {
    let c = Condition::all().add(col(T::TABLE, "workspace_id").eq(workspace_id));
    if T::SOFT_DELETE {
        c.add(col(T::TABLE, "deleted_at").is_null())
    } else {
        c
    }
}

/// What `actor` may see of `T`: the workspace's live rows, narrowed to the
/// owners its role reads (see `access::sight`) for deals, companies and
/// contacts. Every read of a record on the actor's behalf starts here.
pub fn visible<T: Table>(actor: &Actor) -> Condition {
    let c = scope::<T>(actor.workspace_id);
    match T::narrowing(actor, T::TABLE) {
        Some(owners) => c.add(owners),
        None => c,
    }
}

/// A new row of a table whose rows carry `version` and `deleted_at`.
pub trait Fresh {
    /// The row's bookkeeping for its insert: version 1, live, created and
    /// updated at `at`. Every create sets these the same way.
    fn fresh(self, at: DateTime<Utc>) -> Self;
}

/// A table whose rows carry `version` and `deleted_at`.
macro_rules! editable {
    ($module:ident, $kind:ident, $event:literal $(, $($extra:tt)*)?) => {
        impl Table for $module::Entity {
            const TABLE: &'static str = stringify!($module);
            const KIND: Kind = Kind::$kind;
            const EVENT_NAME: &'static str = $event;
            fn id(row: &$module::Model) -> Uuid {
                row.id
            }
            fn version(row: &$module::Model) -> i32 {
                row.version
            }
            fn deleted_at(row: &$module::Model) -> Option<DateTime<Utc>> {
                row.deleted_at
            }
            $($($extra)*)?
        }
        impl Fresh for $module::ActiveModel {
            fn fresh(mut self, at: DateTime<Utc>) -> Self {
                self.version = Set(1);
                self.deleted_at = Set(None);
                self.created_at = Set(at);
                self.updated_at = Set(at);
                self
            }
        }
    };
}

/// A table whose rows are never edited or soft-deleted in place.
macro_rules! plain {
    ($module:ident, $kind:ident) => {
        impl Table for $module::Entity {
            const TABLE: &'static str = stringify!($module);
            const KIND: Kind = Kind::$kind;
            const EVENT_NAME: &'static str = stringify!($module);
            const SOFT_DELETE: bool = false;
            fn id(row: &$module::Model) -> Uuid {
                row.id
            }
        }
    };
}

editable! { company, Company, "company",
    const OWNED: Option<Owned> = Some(Owned::Companies);
    fn owner(row: &company::Model) -> Option<Uuid> {
        row.owner_id
    }
}
editable! { contact, Contact, "contact",
    const OWNED: Option<Owned> = Some(Owned::Contacts);
    fn owner(row: &contact::Model) -> Option<Uuid> {
        row.owner_id
    }
}
editable!(reason, Reason, "reason");
editable!(survey_response, SurveyResponse, "survey_response");
editable!(pipeline, Pipeline, "pipeline");
editable!(goal, Goal, "goal");
editable!(campaign, Campaign, "campaign");
editable!(product, Product, "product");
editable!(custom_field, CustomField, "custom_field");
editable!(customer_order, Order, "order");
editable!(lead_scoring_rule, LeadScoringRule, "lead_scoring_rule");
editable!(trigger_rule, TriggerRule, "trigger_rule");
editable!(form, Form, "form");
editable! { segment, Segment, "segment",
    /// A private view is its owner's; a shared one also ADMIN's and MANAGER's.
    fn check_write(actor: &Actor, row: &segment::Model) -> CoreResult<()> {
        crate::ops::segment::may_change(actor, row)
    }
}
editable!(ticket, Ticket, "ticket");
editable! { stage, Stage, "stage",
    /// Stage changes are configuration changes, like pipeline changes.
    fn topic(_row: &stage::Model) -> String {
        "pipeline".to_owned()
    }
}
editable! { activity, Activity, "activity",
    /// Activities on a ticket go out on the ticket channel, so that whoever
    /// watches tickets sees replies and notes arrive.
    fn topic(row: &activity::Model) -> String {
        if row.ticket_id.is_some() {
            "ticket".to_owned()
        } else {
            Self::EVENT_NAME.to_owned()
        }
    }
    /// What was said and done about a deal, company or contact is read with
    /// it: an activity linked to one the reader does not read is hidden.
    fn narrowing(actor: &Actor, alias: &'static str) -> Option<Condition> {
        linked_to_read(actor, alias, &ACTIVITY_LINKS)
    }
}

/// An activity's links to records that have owners.
const ACTIVITY_LINKS: [(&str, Owned); 3] = [
    ("deal_id", Owned::Deals),
    ("company_id", Owned::Companies),
    ("contact_id", Owned::Contacts),
];
editable! { deal, Deal, "deal",
    /// A pipeline board subscribes to the deals of its pipeline.
    fn topic(row: &deal::Model) -> String {
        format!("pipeline:{}", row.pipeline_id)
    }
    const OWNED: Option<Owned> = Some(Owned::Deals);
    fn owner(row: &deal::Model) -> Option<Uuid> {
        row.owner_id
    }
    fn check_write(actor: &Actor, row: &deal::Model) -> CoreResult<()> {
        if actor.may_edit_deal(row.owner_id) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(
                "SALES may change only its own deals and unowned ones".into(),
            ))
        }
    }
}
plain!(api_key, ApiKey);
plain!(tag, Tag);
plain!(team, Team);
plain!(member, Member);
// History is append-only: no `version`, no `deleted_at`.
plain!(deal_stage_change, DealStageChange);
