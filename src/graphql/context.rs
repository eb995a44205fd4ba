//! What resolvers read from the request context.

use async_graphql::Context;
use rapport_core::error::CoreError;
use sea_orm::DatabaseConnection;

use super::error::{ApiError, ApiResult};
use crate::auth::{Actor, Area, Refused};
use crate::services::Services;
use rapport_core::Core;

/// The request's actor; `UNAUTHENTICATED` when the request carried no
/// credential, or one that was refused (with the reason).
pub fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    ctx.data_opt::<Actor>().ok_or_else(|| {
        ApiError(match ctx.data_opt::<Refused>() {
            Some(refused) => CoreError::Refused(*refused),
            None => CoreError::Unauthenticated,
        })
    })
}

/// The actor, refused unless its role may change records of `area`.
pub fn writer<'a>(ctx: &Context<'a>, area: Area) -> ApiResult<&'a Actor> {
    let actor = actor(ctx)?;
    actor.require(area)?;
    Ok(actor)
}

/// The core the request's operations run against, and the actor they run
/// as, refused unless its role may change records of `area`. The operation
/// checks the role again (other doors call it too); checking here first
/// keeps the API's order: a refused role hears `FORBIDDEN` before anything
/// about its input.
pub fn acting<'a>(ctx: &Context<'a>, area: Area) -> ApiResult<(&'a Core, &'a Actor)> {
    let actor = writer(ctx, area)?;
    Ok((&state(ctx)?.core, actor))
}

/// The services resolvers share (the core, credentials, configuration).
pub fn state<'a>(ctx: &Context<'a>) -> ApiResult<&'a Services> {
    ctx.data::<Services>()
        .map_err(|_| ApiError(CoreError::Internal("no Services in the schema".into())))
}

/// The database pool.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    Ok(&state(ctx)?.db)
}

/// The client's network address, when known (for login lockouts): the TCP
/// peer, or behind a trusted proxy the address it forwarded.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

/// The request's client address, when known.
pub fn client_address(ctx: &Context<'_>) -> Option<std::net::IpAddr> {
    ctx.data_opt::<ClientAddress>()
        .and_then(|ClientAddress(a)| *a)
}
