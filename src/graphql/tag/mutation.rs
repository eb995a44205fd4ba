//! Tag mutations: each calls one core operation.

use async_graphql::{Context, ID, Object};
use rapport_core::ops::{tag, tag_upkeep};

use super::Tag;
use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// The tags of a record, as the API shows them.
fn tags(rows: Vec<entity::tag::Model>) -> Vec<Tag> {
    Level::new(rows).all().into_iter().map(Tag).collect()
}

/// Tag mutations.
#[derive(Default)]
pub struct TagMutation;

#[Object]
impl TagMutation {
    /// Puts tags (by name, created when new) on a company, contact, deal or ticket; returns its tags.
    async fn add_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company, contact, deal or ticket to tag, by global id.")]
        record_id: ID,
        #[graphql(desc = "Tag labels; labels new to the workspace are created.")] names: Vec<
            String,
        >,
    ) -> ApiResult<Vec<Tag>> {
        // The role needed depends on the record's kind: the operation checks it.
        let actor = actor(ctx)?;
        let core = &state(ctx)?.core;
        let rows = tag::add(core, actor, ids::decode_any(&record_id), &names).await?;
        Ok(tags(rows))
    }

    /// Takes tags (by name) off a record; returns its remaining tags.
    async fn remove_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company, contact, deal or ticket, by global id.")] record_id: ID,
        #[graphql(desc = "Tag labels to take off.")] names: Vec<String>,
    ) -> ApiResult<Vec<Tag>> {
        let actor = actor(ctx)?;
        let core = &state(ctx)?.core;
        let rows = tag::remove(core, actor, ids::decode_any(&record_id), &names).await?;
        Ok(tags(rows))
    }

    /// Renames a tag everywhere it is used (ADMIN and MANAGER). A name another tag has is refused with `CONFLICT`: merge the two instead.
    async fn rename_tag(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tag, by global id.")] id: ID,
        #[graphql(desc = "Its new label.")] name: String,
    ) -> ApiResult<Tag> {
        let actor = actor(ctx)?;
        let core = &state(ctx)?.core;
        tag_upkeep::may_change_tags(actor)?;
        let id = ids::decode(&id, Kind::Tag, "id")?;
        let row = tag_upkeep::rename(core, actor, id, &name).await?;
        Ok(Tag(Level::single(row)))
    }

    /// Moves every record's `from` tags onto `into` (once per record) and deletes the `from` tags, in one transaction (ADMIN and MANAGER); returns `into`.
    async fn merge_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tag that stays, by global id.")] into: ID,
        #[graphql(desc = "The tags merged into it and deleted, by global id (1 to 50).")] from: Vec<
            ID,
        >,
    ) -> ApiResult<Tag> {
        let actor = actor(ctx)?;
        let core = &state(ctx)?.core;
        tag_upkeep::may_change_tags(actor)?;
        let into = ids::decode(&into, Kind::Tag, "into")?;
        let from = from
            .iter()
            .enumerate()
            .map(|(i, id)| ids::decode(id, Kind::Tag, &format!("from[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let row = tag_upkeep::merge(core, actor, into, &from).await?;
        Ok(Tag(Level::single(row)))
    }
}
