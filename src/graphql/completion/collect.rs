//! The spec's CollectFields: the fields an object of one type answers for a
//! selection, by response key, in the order the query first names them,
//! with `@skip`/`@include` applied and fragments spread where their type
//! condition holds.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Directive, FragmentDefinition, Selection, SelectionSet};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{InputType, Name, Positioned, Variables};

/// One response key of an object, as the query asks for it.
pub struct Planned<'d> {
    pub key: Name,
    /// The field's type; `None` for a field outside the schema's types
    /// (introspection's `__schema` and `__type`), whose value is kept as the
    /// executor gave it.
    pub ty: Option<FieldType>,
    /// The selection sets merged under this key, for its sub-fields.
    pub sets: Vec<&'d SelectionSet>,
    /// The plan of the objects this field answers, when their type is
    /// concrete: made once, for every item of a list.
    pub objects: OnceCell<Rc<Vec<Planned<'d>>>>,
}

/// A field's type, read once from the schema.
#[derive(Clone, Copy)]
pub struct FieldType {
    /// As the schema writes it: `[Deal!]!`.
    pub written: &'static str,
    /// The named type under the list and non-null wrappers: `Deal`.
    pub named: &'static str,
    pub kind: Kind,
}

/// What a named type's values are, for the walk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A scalar or an enum (or a type outside the schema): kept as it is.
    Leaf,
    /// An object type: planned from the selection.
    Object,
    /// An interface or a union: planned once the concrete type is known.
    Abstract,
}

impl FieldType {
    pub fn non_null(self) -> bool {
        self.written.ends_with('!')
    }
}

impl<'d> Planned<'d> {
    /// A field of type `ty` selecting `sets` (the root's, for an operation).
    pub fn new(key: Name, ty: Option<FieldType>, sets: Vec<&'d SelectionSet>) -> Self {
        Self {
            key,
            ty,
            sets,
            objects: OnceCell::new(),
        }
    }
}

/// What collecting reads: the schema's types and the request's document.
pub struct Collector<'d> {
    pub registry: &'static Registry,
    pub fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
    pub variables: &'d Variables,
}

impl<'d> Collector<'d> {
    /// The fields an object of type `ty` answers for `sets` (each the
    /// selection of one field merged under the same response key).
    pub fn collect(&self, ty: &'static str, sets: &[&'d SelectionSet]) -> Vec<Planned<'d>> {
        let mut fields = IndexMap::new();
        for set in sets {
            // Each field's selection collects with its own visited fragments.
            self.walk(ty, set, &mut fields, &mut HashSet::new());
        }
        fields.into_values().collect()
    }

    fn walk(
        &self,
        ty: &'static str,
        set: &'d SelectionSet,
        fields: &mut IndexMap<Name, Planned<'d>>,
        spread: &mut HashSet<&'d str>,
    ) {
        for selection in &set.items {
            if skipped(selection.node.directives(), self.variables) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = &field.response_key().node;
                    let planned = fields.entry(key.clone()).or_insert_with(|| {
                        Planned::new(
                            key.clone(),
                            self.field_type(ty, &field.name.node),
                            Vec::new(),
                        )
                    });
                    planned.sets.push(&field.selection_set.node);
                }
                Selection::FragmentSpread(spread_node) => {
                    let name = &spread_node.node.fragment_name.node;
                    if !spread.insert(name.as_str()) {
                        continue;
                    }
                    let Some(fragment) = self.fragments.get(name) else {
                        continue;
                    };
                    if self.applies(ty, &fragment.node.type_condition.node.on.node) {
                        self.walk(ty, &fragment.node.selection_set.node, fields, spread);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let applies = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| self.applies(ty, &condition.node.on.node));
                    if applies {
                        self.walk(ty, &inline.selection_set.node, fields, spread);
                    }
                }
            }
        }
    }

    /// The type of field `name` of `ty`.
    fn field_type(&self, ty: &str, name: &str) -> Option<FieldType> {
        let written = field_type(self.registry, ty, name)?;
        Some(self.type_of(written))
    }

    /// A type as the schema writes it (`[Deal!]!`), read.
    pub fn type_of(&self, written: &'static str) -> FieldType {
        let named = MetaTypeName::concrete_typename(written);
        let kind = match self.registry.types.get(named) {
            Some(t) if t.is_abstract() => Kind::Abstract,
            Some(t) if t.is_composite() => Kind::Object,
            _ => Kind::Leaf,
        };
        FieldType {
            written,
            named,
            kind,
        }
    }

    /// Whether a fragment on `condition` applies to an object of type `ty`.
    fn applies(&self, ty: &str, condition: &str) -> bool {
        condition == ty
            || self
                .registry
                .types
                .get(condition)
                .is_some_and(|t| t.is_possible_type(ty))
    }
}

/// The type of field `name` of `ty` in `registry`, as the schema writes it.
pub fn field_type(registry: &'static Registry, ty: &str, name: &str) -> Option<&'static str> {
    if name == "__typename" {
        return Some("String!");
    }
    let field = registry.types.get(ty)?.field_by_name(name)?;
    Some(field.ty.as_str())
}

/// Whether `@skip`/`@include` leave this selection out, evaluated as
/// async-graphql does before it executes (a condition that cannot be read
/// counts as false).
fn skipped(directives: &[Positioned<Directive>], variables: &Variables) -> bool {
    directives.iter().any(|directive| {
        let include = match directive.node.name.node.as_str() {
            "skip" => false,
            "include" => true,
            _ => return false,
        };
        let Some(condition) = directive.node.get_argument("if") else {
            return false;
        };
        let value = condition
            .node
            .clone()
            .into_const_with(|name| variables.get(&name).cloned().ok_or(()))
            .unwrap_or_default();
        let value: bool = InputType::parse(Some(value)).unwrap_or_default();
        include != value
    })
}
