//! A workspace's lists of reasons (why deals are won or lost, why customers
//! are satisfied): when a list exists, only its active codes are accepted.

use entity::enums::ReasonKind;
use entity::reason;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::table::scope;
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};

/// When the workspace keeps a list of `kind`, refuses a `code` that is not
/// one of its active entries (on input `field`).
pub async fn check_listed<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    kind: ReasonKind,
    code: &str,
    field: &str,
) -> CoreResult<()> {
    let list = || {
        reason::Entity::find()
            .filter(scope::<reason::Entity>(actor.workspace_id))
            .filter(reason::Column::Kind.eq(kind))
    };
    // No list of this kind: any reason is accepted.
    if list().count(db).await? == 0 {
        return Ok(());
    }
    let found = list()
        .filter(reason::Column::Code.eq(code))
        .filter(reason::Column::Active.eq(true))
        .count(db)
        .await?;
    if found == 0 {
        return Err(CoreError::bad_input(
            field,
            format!("{code} is not an active reason of the workspace's {kind:?} list"),
        ));
    }
    Ok(())
}
