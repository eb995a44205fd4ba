//! The list fields: top-level lists, nested connections and other paged
//! lists, each with the Relay arguments, `filter`, `orderBy` and the page
//! cost written once in [`list_field`].

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, ImplItem, LitStr, Token, Type, parse_quote};

mod kw {
    syn::custom_keyword!(of);
    syn::custom_keyword!(fast);
}

/// `name: Type, Filter, Order`, how every list item starts: the field, the
/// type it lists (or answers), its filter input and its order field.
pub(crate) struct Head {
    name: Ident,
    ty: Type,
    filter: Type,
    order: Type,
}

impl Parse for Head {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty = input.parse()?;
        input.parse::<Token![,]>()?;
        let filter = input.parse()?;
        input.parse::<Token![,]>()?;
        let order = input.parse()?;
        Ok(Head {
            name,
            ty,
            filter,
            order,
        })
    }
}

/// Whether a comma follows, and something after it.
fn more(input: ParseStream) -> syn::Result<bool> {
    Ok(input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty())
}

/// `name: Record, Filter, Order [, fast]`.
pub(crate) struct Listing {
    head: Head,
    fast: bool,
}

impl Parse for Listing {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let head = input.parse()?;
        let fast = more(input)?;
        if fast {
            input.parse::<kw::fast>()?;
        }
        Ok(Listing { head, fast })
    }
}

impl Listing {
    pub(crate) fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let record = &self.head.ty;
        let (output, run) = if self.fast {
            (
                quote!(crate::graphql::fast::Fast<crate::graphql::level::Conn<#record>>),
                quote!(crate::graphql::fast::top_level),
            )
        } else {
            (
                quote!(crate::graphql::level::Conn<#record>),
                quote!(crate::graphql::list::top_level),
            )
        };
        let guard = quote!(crate::graphql::context::actor(ctx)?;);
        let call = quote!(#run(ctx, args).await);
        list_field(docs, &self.head, &output, &guard, None, &call)
    }
}

/// `name: Output, Filter, Order, call`.
pub(crate) struct Paged {
    head: Head,
    call: Expr,
}

impl Parse for Paged {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let head = input.parse()?;
        input.parse::<Token![,]>()?;
        let call = input.parse()?;
        Ok(Paged { head, call })
    }
}

impl Paged {
    pub(crate) fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let (output, call) = (&self.head.ty, &self.call);
        list_field(
            docs,
            &self.head,
            &quote!(#output),
            &quote!(),
            None,
            &quote!(#call),
        )
    }
}

/// `name: Child, Filter, Order, of parent_id, "foreign_key" [, where condition]`.
pub(crate) struct Connection {
    head: Head,
    parent_id: Expr,
    foreign_key: LitStr,
    extra: Option<Expr>,
}

impl Parse for Connection {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let head = input.parse()?;
        input.parse::<Token![,]>()?;
        input.parse::<kw::of>()?;
        let parent_id = input.parse()?;
        input.parse::<Token![,]>()?;
        let foreign_key = input.parse()?;
        let extra = if more(input)? {
            input.parse::<Token![where]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Connection {
            head,
            parent_id,
            foreign_key,
            extra,
        })
    }
}

impl Connection {
    pub(crate) fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let Connection {
            head,
            parent_id,
            foreign_key,
            extra,
        } = self;
        let (name, child) = (&head.name, &head.ty);
        let field = LitStr::new(&name.to_string(), name.span());
        let output = quote!(crate::graphql::level::Conn<#child>);
        let call = quote! {
            crate::graphql::list::children(ctx, &self.0, #field, #parent_id, #foreign_key, args)
                .await
        };
        list_field(docs, head, &output, &quote!(), extra.as_ref(), &call)
    }
}

/// A paged list field: the Relay arguments, `filter` and `orderBy`, the page
/// cost, and the `ListArgs` they make (with `extra` conditions), then
/// `call`, which reads `ctx` and `args`; `guard` runs first.
fn list_field(
    docs: &[syn::Attribute],
    head: &Head,
    output: &TokenStream,
    guard: &TokenStream,
    extra: Option<&Expr>,
    call: &TokenStream,
) -> ImplItem {
    let Head {
        name,
        filter,
        order,
        ..
    } = head;
    let extra = extra.into_iter();
    parse_quote! {
        #(#docs)*
        #[allow(clippy::too_many_arguments)]
        #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
        async fn #name(
            &self,
            ctx: &async_graphql::Context<'_>,
            #[graphql(
                desc = "Forward paging: at most this many records after `after`; 0 to 100, and 20 when neither `first` nor `last` is given."
            )]
            first: Option<i32>,
            #[graphql(desc = "Forward paging: the records after this cursor (an edge's `cursor` or `pageInfo.endCursor`).")]
            after: Option<String>,
            #[graphql(desc = "Backward paging: at most this many records before `before`; 0 to 100.")]
            last: Option<i32>,
            #[graphql(desc = "Backward paging: the records before this cursor (an edge's `cursor` or `pageInfo.startCursor`).")]
            before: Option<String>,
            #[graphql(desc = "Only the records matching this filter; `totalCount` counts the same records.")]
            filter: Option<#filter>,
            #[graphql(
                desc = "Sort fields, most significant first (at most 4, none twice); ties always end with the id. Without it the list's default order applies."
            )]
            order_by: Option<Vec<<#order as crate::graphql::order::OrderField>::Input>>,
        ) -> crate::graphql::error::ApiResult<#output> {
            #guard
            let args = crate::graphql::list::ListArgs {
                page: crate::graphql::page::PageArgs { first, after, last, before },
                filter: filter.as_ref(),
                keys: <#order>::keys(order_by.as_deref())?,
                extra: sea_orm::sea_query::Condition::all() #(.add(#extra))*,
            };
            #call
        }
    }
}

/// `name: Output, call`.
pub(crate) struct Relay {
    name: Ident,
    output: Type,
    call: Expr,
}

impl Parse for Relay {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let output = input.parse()?;
        input.parse::<Token![,]>()?;
        let call = input.parse()?;
        Ok(Relay { name, output, call })
    }
}

impl Relay {
    pub(crate) fn resolver(&self, docs: &[syn::Attribute]) -> ImplItem {
        let Relay { name, output, call } = self;
        parse_quote! {
            #(#docs)*
            #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
            async fn #name(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Forward paging: at most this many after `after`; 0 to 100 (20 by default).")]
                first: Option<i32>,
                #[graphql(desc = "Forward paging: the records after this cursor.")]
                after: Option<String>,
                #[graphql(desc = "Backward paging: at most this many before `before`; 0 to 100.")]
                last: Option<i32>,
                #[graphql(desc = "Backward paging: the records before this cursor.")]
                before: Option<String>,
            ) -> crate::graphql::error::ApiResult<#output> {
                let page = crate::graphql::page::PageArgs { first, after, last, before };
                #call
            }
        }
    }
}
