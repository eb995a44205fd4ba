//! What resolvers read from the request context.

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use super::error::{ApiError, ApiResult};
use crate::app::AppState;
use crate::auth::Actor;

/// The request's actor; `UNAUTHENTICATED` when the request carried no valid token.
pub fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    ctx.data_opt::<Actor>().ok_or(ApiError::Unauthenticated)
}

/// The actor, refused unless its role may change records.
pub fn writer<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let actor = actor(ctx)?;
    if !actor.can_write() {
        return Err(ApiError::Forbidden("this role may only read".into()));
    }
    Ok(actor)
}

/// The actor, refused unless its role may change pipelines and stages.
pub fn configurer<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let actor = actor(ctx)?;
    if !actor.can_configure() {
        return Err(ApiError::Forbidden(
            "only ADMIN and MANAGER may change pipelines and stages".into(),
        ));
    }
    Ok(actor)
}

/// The shared server state.
pub fn state<'a>(ctx: &Context<'a>) -> ApiResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| ApiError::Internal("no AppState in the schema".into()))
}

/// The database pool.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    Ok(&state(ctx)?.db)
}
