//! Resolver shapes the API repeats, written once.
//!
//! Why a procedural macro rather than `macro_rules!`: async-graphql binds
//! `child_complexity` and the field's arguments inside its own expansion,
//! and an expression written in a `macro_rules!` expansion cannot see those
//! bindings (hygiene). Tokens made here carry the call site's hygiene, the
//! same as the `#[Object]` beside them.

mod lists;

use lists::{Connection, Listing, Paged, Relay};
use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, ImplItem, ItemImpl, Token, Type, parse_macro_input, parse_quote};

/// On an `#[Object]` impl (written above `#[Object]`), four kinds of item.
///
/// `lifecycle!(delete_x: XPayload, Area, Kind, op, true);` becomes the
/// mutation `deleteX(id, expectedVersion)` (or, with `false`, a restore):
/// the role is checked for `Area`, `id` decoded as a `Kind`, then
/// `op(core, actor, id, expected_version, flag)` runs and its row is wrapped
/// with `XPayload::of`.
///
/// `by_id!(name: Payload, Area, Kind, answer);` becomes the mutation
/// `name(id, expectedVersion)` with the same checks, answering `answer`, an
/// expression over `core`, `actor`, `id` and `expected_version`.
///
/// `field!(name: Type);` becomes the field `name` reading the row's column
/// of the same name: `&str` borrows a `String` column, `Option<&str>` an
/// optional one, any other type is copied out of the row.
///
/// `listing!(name: Record, RecordFilter, RecordOrderField);` becomes the
/// top-level list field `name(first, after, last, before, filter, orderBy)`
/// of the workspace's records; `, fast` at the end serves it through the
/// fast read path.
///
/// Each item
/// `connection!(name: Child, ChildFilter, ChildOrderField, of |p: &Model| p.id, "parent_id");`
/// becomes the nested-connection field `name(first, after, last, before,
/// filter, orderBy)`: the children whose `parent_id` is the parent's id, for
/// every parent of the level in one statement, at the page cost of every
/// list. `, where <condition>` at the end adds a condition the field always
/// applies. Doc comments on the item document the field; items keep their
/// place, so the schema lists fields in source order.
///
/// `paged!(name: Output, Filter, Order, call);` becomes a list field with
/// the same arguments whose answer is `call`, an expression that reads
/// `ctx` and `args` (the `ListArgs`): for lists read some other way than
/// the two above (a join table, a role check first).
///
/// `relay!(name: Output, call);` becomes a field with the Relay arguments
/// alone (short descriptions), bound as `page` (`PageArgs`) for `call`.
///
/// `history!(Kind);` becomes the field `history(first, after, last,
/// before)`: the record's change log, newest first, paged both ways.
#[proc_macro_attribute]
pub fn connections(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut object = parse_macro_input!(item as ItemImpl);
    for item in &mut object.items {
        let ImplItem::Macro(call) = item else {
            continue;
        };
        let docs = &call.attrs;
        let resolver = if call.mac.path.is_ident("connection") {
            call.mac
                .parse_body::<Connection>()
                .map(|c| c.resolver(docs))
        } else if call.mac.path.is_ident("paged") {
            call.mac.parse_body::<Paged>().map(|p| p.resolver(docs))
        } else if call.mac.path.is_ident("relay") {
            call.mac.parse_body::<Relay>().map(|r| r.resolver(docs))
        } else if call.mac.path.is_ident("listing") {
            call.mac.parse_body::<Listing>().map(|l| l.resolver(docs))
        } else if call.mac.path.is_ident("by_id") {
            call.mac.parse_body::<ById>().map(|b| b.resolver(docs))
        } else if call.mac.path.is_ident("lifecycle") {
            call.mac.parse_body::<Lifecycle>().map(|l| l.resolver(docs))
        } else if call.mac.path.is_ident("field") {
            call.mac.parse_body::<Field>().map(|f| f.resolver(docs))
        } else if call.mac.path.is_ident("history") {
            call.mac
                .parse_body::<Ident>()
                .map(|kind| history(docs, &kind))
        } else {
            continue;
        };
        match resolver {
            Ok(resolver) => *item = resolver,
            Err(error) => return error.to_compile_error().into(),
        }
    }
    quote!(#object).into()
}

/// `name: Payload, Area, Kind`, how an item acting on one record starts:
/// the mutation, its payload, the area whose role it needs and the kind of
/// global id it takes.
struct Acting {
    name: Ident,
    payload: Type,
    area: Ident,
    kind: Ident,
}

impl Parse for Acting {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let payload = input.parse()?;
        input.parse::<Token![,]>()?;
        let area = input.parse()?;
        input.parse::<Token![,]>()?;
        let kind = input.parse()?;
        Ok(Acting {
            name,
            payload,
            area,
            kind,
        })
    }
}

impl Acting {
    /// The mutation `name(id, expectedVersion)` (`id` described as
    /// `id_desc`): the role checked, `id` decoded, then `Ok(answer)`, which
    /// reads `core`, `actor`, `id` and `expected_version`.
    fn mutation(&self, docs: &[syn::Attribute], id_desc: &str, answer: TokenStream2) -> ImplItem {
        let Acting {
            name,
            payload,
            area,
            kind,
        } = self;
        parse_quote! {
            #(#docs)*
            async fn #name(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = #id_desc)]
                id: async_graphql::ID,
                #[graphql(
                    desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
                )]
                expected_version: Option<i32>,
            ) -> crate::graphql::error::ApiResult<#payload> {
                let (core, actor) = crate::graphql::context::acting(ctx, crate::auth::Area::#area)?;
                let id = crate::graphql::ids::decode(&id, crate::graphql::ids::Kind::#kind, "id")?;
                Ok(#answer)
            }
        }
    }
}

/// `name: Payload, Area, Kind, operation, delete`.
struct Lifecycle {
    acting: Acting,
    operation: syn::Path,
    delete: syn::LitBool,
}

impl Parse for Lifecycle {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let acting = input.parse()?;
        input.parse::<Token![,]>()?;
        let operation = input.parse()?;
        input.parse::<Token![,]>()?;
        let delete = input.parse()?;
        Ok(Lifecycle {
            acting,
            operation,
            delete,
        })
    }
}

impl Lifecycle {
    fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let Lifecycle {
            acting,
            operation,
            delete,
        } = self;
        let payload = &acting.payload;
        let answer = quote! {
            <#payload>::of(#operation(core, actor, id, expected_version, #delete).await?)
        };
        acting.mutation(docs, "The global id of the record.", answer)
    }
}

/// `name: Payload, Area, Kind, answer`.
struct ById {
    acting: Acting,
    answer: Expr,
}

impl Parse for ById {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let acting = input.parse()?;
        input.parse::<Token![,]>()?;
        let answer = input.parse()?;
        Ok(ById { acting, answer })
    }
}

impl ById {
    fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let answer = &self.answer;
        let id_desc = "The global id of the record to act on.";
        self.acting.mutation(docs, id_desc, quote!(#answer))
    }
}

/// `name: Type`.
struct Field {
    name: Ident,
    ty: Type,
}

impl Parse for Field {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty = input.parse()?;
        Ok(Field { name, ty })
    }
}

impl Field {
    fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let Field { name, ty } = self;
        let written = quote!(#ty).to_string().replace(' ', "");
        let read = match written.as_str() {
            "&str" => quote!(&self.0.model().#name),
            "Option<&str>" => quote!(self.0.model().#name.as_deref()),
            // A calendar date column answers as the schema's `Date` scalar.
            "Date" => quote!(crate::graphql::scalars::Date(self.0.model().#name)),
            "Option<Date>" => quote!(self.0.model().#name.map(crate::graphql::scalars::Date)),
            _ => quote!(self.0.model().#name),
        };
        parse_quote! {
            #(#docs)*
            async fn #name(&self) -> #ty {
                #read
            }
        }
    }
}

/// The `history` field of a record whose global ids are of `kind`.
fn history(docs: &[syn::Attribute], kind: &Ident) -> ImplItem {
    parse_quote! {
        #(#docs)*
        #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
        async fn history(
            &self,
            ctx: &async_graphql::Context<'_>,
            #[graphql(desc = "Newest first: at most this many entries after `after`; 0 to 100, and 20 when neither `first` nor `last` is given.")]
            first: Option<i32>,
            #[graphql(desc = "The entries older than this cursor.")]
            after: Option<String>,
            #[graphql(desc = "At most this many entries before `before` (the oldest of the log when `before` is not given); 0 to 100.")]
            last: Option<i32>,
            #[graphql(desc = "The entries newer than this cursor.")]
            before: Option<String>,
        ) -> crate::graphql::error::ApiResult<Option<crate::graphql::history::HistoryConnection>> {
            let page = crate::graphql::page::PageArgs { first, after, last, before };
            crate::graphql::history::history(ctx, crate::graphql::ids::Kind::#kind, self.0.model().id, page).await.map(Some)
        }
    }
}
