//! Response completion: the executor's answer made spec-true before it
//! leaves, for every operation over HTTP and websockets.
//!
//! async-graphql 7 resolves an object's fields concurrently and inserts
//! each value when its future finishes (`do_resolve_container`), so keys
//! come out in completion order (`{ tags me companies }` answered `me,
//! companies, tags`); and a field whose resolver fails is left out of its
//! object with its error added, instead of being null. It never propagates
//! a null either: a failed non-null field left its parent standing. The
//! fast read path builds its lists in order and fails over to the executor
//! on any error, so both paths meet here.
//!
//! Completion walks the data against the query, with the schema's types
//! ([`collect`] plans each object's fields as the spec's CollectFields
//! does): keys follow the query (aliases, fragments, nested selections), a
//! missing key becomes null, and a null in a non-null position turns its
//! parent null, up to the nearest nullable field, list item or `data`
//! itself ([`walk`]). Objects whose keys are already in order are completed
//! in place. An abstract position (`node`, `nodes`) needs its object's
//! concrete type to plan it, which the answer does not carry: the executed
//! document selects it under a reserved alias ([`TYPE_KEY`]), read and
//! dropped here, so a client never sees it. A root list the fast path built
//! is in shape by construction and is kept as it is ([`Shaped`]).

mod collect;
mod walk;

use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{
    ContextSelectionSet, Name, OutputType, Positioned, Request, Response, SubscriptionType,
    Variables,
};

use collect::{Collector, field_type};
use walk::Completer;

/// The alias under which the executed document selects `__typename` at
/// abstract positions. Never part of an answer.
pub const TYPE_KEY: &str = "__rapportConcreteType";

/// The schema's types, as the executor registers them.
fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
        let mut registry = Registry {
            query_type: <super::Query as OutputType>::type_name().into_owned(),
            mutation_type: Some(<super::Mutation as OutputType>::type_name().into_owned()),
            subscription_type: Some(
                <super::live::Subscription as SubscriptionType>::type_name().into_owned(),
            ),
            ..Registry::default()
        };
        <super::Query as OutputType>::create_type_info(&mut registry);
        <super::Mutation as OutputType>::create_type_info(&mut registry);
        <super::live::Subscription as SubscriptionType>::create_type_info(&mut registry);
        registry
    });
    &REGISTRY
}

/// The root fields whose answer was built in the query's shape already
/// (the fast read path's lists, see [`note_shaped`]): completion keeps
/// them as they are rather than walk thousands of objects for nothing.
#[derive(Default)]
pub struct Shaped(Mutex<Vec<Name>>);

/// Notes that the answer of `field` was built in the query's shape, when it
/// is a root field of a request being completed.
pub fn note_shaped(ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) {
    let at_root = ctx.path_node.as_ref().is_some_and(|p| p.parent.is_none());
    let Some(shaped) = ctx.data_opt::<Arc<Shaped>>() else {
        return;
    };
    if at_root && let Ok(mut keys) = shaped.0.lock() {
        keys.push(field.node.response_key().node.clone());
    }
}

/// What completing a request's answers needs, kept from before it runs.
pub struct Shape {
    /// Root fields already in shape, as the executor notes them.
    shaped: Arc<Shaped>,
    /// The document as the client sent it (without the reserved selections).
    document: ExecutableDocument,
    operation_name: Option<String>,
    /// The variables `@skip`/`@include` conditions read (only those: the
    /// others can be large and are not needed).
    conditions: Variables,
}

impl Shape {
    /// Reads the request's document (once it is known to be safe to parse)
    /// and adds the reserved `__typename` selections the executor must
    /// answer. `None` when the document does not parse: execution reports it.
    pub fn prepare(request: &mut Request) -> Option<Shape> {
        let mut executed = request.parsed_query().ok()?.clone();
        let document = if select_concrete_types(&mut executed) {
            let sent = request.parsed_query().ok()?.clone();
            request.set_parsed_query(executed);
            sent
        } else {
            executed
        };
        let mut names = Vec::new();
        for (_, operation) in document.operations.iter() {
            condition_variables(&operation.node.selection_set.node, &mut names);
        }
        for fragment in document.fragments.values() {
            condition_variables(&fragment.node.selection_set.node, &mut names);
        }
        let mut conditions = Variables::default();
        for name in names {
            if let Some(value) = request.variables.get(&name) {
                conditions.insert(name, value.clone());
            }
        }
        let shaped = Arc::new(Shaped::default());
        request.data.insert(shaped.clone());
        Some(Shape {
            shaped,
            document,
            operation_name: request.operation_name.clone(),
            conditions,
        })
    }

    /// Completes `response`'s data in place (see the module doc). An
    /// operation that never ran keeps its answer: no `data`, only errors.
    pub fn complete(&self, response: &mut Response) {
        if super::error::never_ran(response) {
            return;
        }
        let Some(operation) = operation(&self.document, self.operation_name.as_deref()) else {
            return;
        };
        let registry = registry();
        let root = match operation.node.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let Some(root) = root else {
            return;
        };
        let mut completer = Completer::new(Collector {
            registry,
            fragments: &self.document.fragments,
            variables: &self.conditions,
        });
        let shaped = match self.shaped.0.lock() {
            Ok(mut keys) => std::mem::take(&mut *keys),
            Err(_) => Vec::new(),
        };
        let data = std::mem::take(&mut response.data);
        response.data = completer.root(root, &operation.node.selection_set.node, data, &shaped);
    }
}

/// The operation a request runs: the one named, or the only one.
pub fn operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (name, &document.operations) {
        (None, DocumentOperations::Single(operation)) => Some(operation),
        (None, DocumentOperations::Multiple(map)) if map.len() == 1 => map.values().next(),
        (Some(name), DocumentOperations::Multiple(map)) => map.get(name),
        _ => None,
    }
}

/// Adds `TYPE_KEY: __typename` to the selection of every field whose type
/// is abstract, in every operation and fragment; whether any was added.
fn select_concrete_types(document: &mut ExecutableDocument) -> bool {
    let registry = registry();
    let root = |ty: OperationType| match ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let mut added = false;
    let operations: Vec<&mut Positioned<OperationDefinition>> = match &mut document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(map) => map.values_mut().collect(),
    };
    for operation in operations {
        if let Some(root) = root(operation.node.ty) {
            added |= select_in(registry, root, &mut operation.node.selection_set.node);
        }
    }
    for fragment in document.fragments.values_mut() {
        let on = fragment.node.type_condition.node.on.node.clone();
        added |= select_in(registry, &on, &mut fragment.node.selection_set.node);
    }
    added
}

fn select_in(registry: &'static Registry, parent: &str, set: &mut SelectionSet) -> bool {
    let mut added = false;
    for selection in &mut set.items {
        match &mut selection.node {
            Selection::Field(field) => {
                let pos = field.pos;
                let field = &mut field.node;
                let Some(ty) = field_type(registry, parent, &field.name.node) else {
                    continue;
                };
                let named = MetaTypeName::concrete_typename(ty);
                let set = &mut field.selection_set.node;
                // An empty selection on an object type is the validator's
                // to refuse; selecting something would hide the mistake.
                let is_abstract = registry.types.get(named).is_some_and(|t| t.is_abstract());
                if is_abstract && !set.items.is_empty() {
                    set.items.push(Positioned::new(
                        Selection::Field(Positioned::new(typename_field(pos), pos)),
                        pos,
                    ));
                    added = true;
                }
                added |= select_in(registry, named, set);
            }
            Selection::InlineFragment(inline) => {
                let inline = &mut inline.node;
                let on = inline
                    .type_condition
                    .as_ref()
                    .map(|c| c.node.on.node.clone());
                let on = on.as_deref().unwrap_or(parent);
                added |= select_in(registry, on, &mut inline.selection_set.node);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    added
}

fn typename_field(pos: async_graphql::Pos) -> Field {
    Field {
        alias: Some(Positioned::new(Name::new(TYPE_KEY), pos)),
        name: Positioned::new(Name::new("__typename"), pos),
        arguments: Vec::new(),
        directives: Vec::new(),
        selection_set: Positioned::new(SelectionSet::default(), pos),
    }
}

/// The variables named by `@skip(if:)`/`@include(if:)` anywhere in `set`.
fn condition_variables(set: &SelectionSet, names: &mut Vec<Name>) {
    for selection in &set.items {
        for directive in selection.node.directives() {
            let directive = &directive.node;
            if !matches!(directive.name.node.as_str(), "skip" | "include") {
                continue;
            }
            if let Some(condition) = directive.get_argument("if") {
                // Only to learn the names: each variable read is noted.
                let _ = condition.node.clone().into_const_with(|name| {
                    names.push(name);
                    Ok::<_, ()>(async_graphql::Value::Null)
                });
            }
        }
        match &selection.node {
            Selection::Field(field) => {
                condition_variables(&field.node.selection_set.node, names);
            }
            Selection::InlineFragment(inline) => {
                condition_variables(&inline.node.selection_set.node, names);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}
