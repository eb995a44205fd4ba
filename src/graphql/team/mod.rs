//! Teams, and what each role reads of deals, companies and contacts
//! (visibility per role).

mod mutation;

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{Role, Visibility};
use entity::{member, team};
use rapport_core::ops::visibility::{self, RoleVisibility as Setting};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::context::{actor, db};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{self, Record, in_ids};
use super::member::Member;

pub use mutation::TeamMutation;

/// A group of members (a sales team, a region).
pub struct Team(pub Row<team::Model>);

impl Record for Team {
    type Entity = team::Entity;
    type Model = team::Model;
    fn wrap(row: Row<team::Model>) -> Self {
        Self(row)
    }
}

/// A group of members. A role narrowed to `TEAM` reads the deals,
/// companies or contacts that members of the reader's team own.
#[Object]
impl Team {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Team, self.0.model().id)
    }
    /// Unique in the workspace.
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// Its members, by name (deactivated ones too), loaded for every team of
    /// the level in one statement.
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<Member>> {
        let actor = actor(ctx)?;
        let db = db(ctx)?;
        let loaded = self
            .0
            .level
            .load("members".to_owned(), |teams| async {
                let ids: Vec<Uuid> = teams.iter().map(|t| t.id).collect();
                let rows = member::Entity::find()
                    .filter(member::Column::WorkspaceId.eq(actor.workspace_id))
                    .filter(in_ids(
                        db.get_database_backend(),
                        super::filter::col("member", "team_id"),
                        ids,
                    ))
                    .order_by_asc(member::Column::Name)
                    .all(db)
                    .await?;
                let mut by_team: HashMap<Uuid, Vec<usize>> = HashMap::new();
                for (i, row) in rows.iter().enumerate() {
                    if let Some(team) = row.team_id {
                        by_team.entry(team).or_default().push(i);
                    }
                }
                Ok((Level::new(rows), by_team))
            })
            .await?;
        let (level, by_team) = &*loaded;
        let indexes = by_team.get(&self.0.model().id).cloned().unwrap_or_default();
        Ok(indexes
            .into_iter()
            .map(|index| {
                Member(Row {
                    level: level.clone(),
                    index,
                })
            })
            .collect())
    }
}

/// What one role reads of deals, companies and contacts.
#[derive(SimpleObject)]
pub struct RoleVisibility {
    /// The role.
    pub role: Role,
    /// Its deals: `ALL`, `TEAM` (its team's and unowned ones) or `OWNED`
    /// (its own and unowned ones).
    pub deals: Visibility,
    /// Its companies, likewise.
    pub companies: Visibility,
    /// Its contacts, likewise.
    pub contacts: Visibility,
}

impl From<Setting> for RoleVisibility {
    fn from(s: Setting) -> Self {
        Self {
            role: s.role,
            deals: s.deals,
            companies: s.companies,
            contacts: s.contacts,
        }
    }
}

/// Team and visibility queries.
#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    /// The workspace's teams, by name.
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<Team>> {
        let actor = actor(ctx)?;
        let rows = team::Entity::find()
            .filter(list::scope::<Team>(actor))
            .order_by_asc(team::Column::Name)
            .all(db(ctx)?)
            .await?;
        Ok(Level::new(rows).all().into_iter().map(Team).collect())
    }

    /// What each role reads of deals, companies and contacts (ADMIN always
    /// everything); every member may see it.
    async fn role_visibility(&self, ctx: &Context<'_>) -> ApiResult<Vec<RoleVisibility>> {
        let all = visibility::list(db(ctx)?, actor(ctx)?).await?;
        Ok(all.into_iter().map(RoleVisibility::from).collect())
    }
}
