//! The contacts on a deal, each with a role; changing them changes the deal
//! (its version, and a `deal.updated` event).

use entity::enums::DealContactRole;
use entity::{contact, deal, deal_contact};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use super::{current, save};
use crate::access::{Actor, Area};
use crate::error::{CoreError, CoreResult};
use crate::store::{Core, check_reference, col, now, update_in_workspace};

/// Puts contact `contact_id` on deal `deal_id` with `role`, or changes the
/// role of one already on it.
pub async fn add(
    core: &Core,
    actor: &Actor,
    deal_id: Uuid,
    contact_id: Uuid,
    role: DealContactRole,
    expected_version: Option<i32>,
) -> CoreResult<deal::Model> {
    actor.require(Area::Deals)?;
    let txn = core.begin().await?;
    let current = current(&txn, actor, deal_id, expected_version).await?;
    check_reference::<contact::Entity>(&txn, actor, Some(contact_id), "contactId").await?;
    let at = now();
    let existing = deal_contact::Entity::find()
        .filter(col("deal_contact", "workspace_id").eq(actor.workspace_id))
        .filter(col("deal_contact", "deal_id").eq(deal_id))
        .filter(col("deal_contact", "contact_id").eq(contact_id))
        .one(&txn)
        .await?;
    match existing {
        Some(link) => {
            let id = link.id;
            let mut change = link.into_active_model();
            change.role = Set(role);
            change.updated_at = Set(at);
            let workspace = actor.workspace_id;
            update_in_workspace::<deal_contact::Entity>(&txn, workspace, id, change).await?;
        }
        None => {
            deal_contact::ActiveModel {
                id: Set(crate::store::new_id()),
                workspace_id: Set(actor.workspace_id),
                deal_id: Set(deal_id),
                contact_id: Set(contact_id),
                role: Set(role),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&txn)
            .await?;
        }
    }
    let row = save(&txn, actor, &current, Default::default()).await?;
    core.finish::<deal::Entity>(txn, actor, row, "updated")
        .await
}

/// Takes contact `contact_id` off deal `deal_id`.
pub async fn remove(
    core: &Core,
    actor: &Actor,
    deal_id: Uuid,
    contact_id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<deal::Model> {
    actor.require(Area::Deals)?;
    let txn = core.begin().await?;
    let current = current(&txn, actor, deal_id, expected_version).await?;
    let removed = deal_contact::Entity::delete_many()
        .filter(col("deal_contact", "workspace_id").eq(actor.workspace_id))
        .filter(col("deal_contact", "deal_id").eq(deal_id))
        .filter(col("deal_contact", "contact_id").eq(contact_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if removed == 0 {
        return Err(CoreError::bad_input("contactId", "is not on this deal"));
    }
    let row = save(&txn, actor, &current, Default::default()).await?;
    core.finish::<deal::Entity>(txn, actor, row, "updated")
        .await
}
