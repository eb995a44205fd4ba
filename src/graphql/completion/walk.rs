//! Completing the executor's value tree against the query: every object's
//! keys in the order the query asks for them, a key the executor dropped
//! (its field failed) put back as null, and a null where the schema forbids
//! one turning its parent null, up to the nearest nullable position.

use std::collections::HashMap;
use std::rc::Rc;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::SelectionSet;
use async_graphql::registry::MetaTypeName;
use async_graphql::{Name, Value};

use super::TYPE_KEY;
use super::collect::{Collector, FieldType, Kind, Planned};

type Plan<'d> = Rc<Vec<Planned<'d>>>;

/// Walks one response. Each field's plan keeps the plan of the objects it
/// answers (so the items of a list share one); objects at an abstract
/// position are planned per concrete type, remembered here.
pub struct Completer<'d> {
    collector: Collector<'d>,
    by_concrete_type: HashMap<(usize, usize, usize), Plan<'d>>,
}

impl<'d> Completer<'d> {
    pub fn new(collector: Collector<'d>) -> Self {
        Self {
            collector,
            by_concrete_type: HashMap::new(),
        }
    }

    /// The completed `data` of an operation whose root type is `root`; the
    /// root fields named in `shaped` are in shape already.
    pub fn root(
        &mut self,
        root: &'static str,
        set: &'d SelectionSet,
        data: Value,
        shaped: &[Name],
    ) -> Value {
        let ty = self.collector.type_of(root);
        let operation = Planned::new(Name::new(""), Some(ty), vec![set]);
        match data {
            Value::Object(map) => {
                let plan = self.plan(root, &operation);
                self.fields(&plan, map, shaped)
            }
            // Every root field skipped: the executor answers null, the spec `{}`.
            Value::Null if self.plan(root, &operation).is_empty() => Value::Object(IndexMap::new()),
            other => other,
        }
    }

    /// The completed value of `field` (of named type `of`) at a position of
    /// type `ty`: its own type or, inside lists, an item's. Null means the
    /// position is null: its parent turns null too when `ty` is non-null.
    fn value(
        &mut self,
        of: FieldType,
        ty: &'static str,
        field: &Planned<'d>,
        value: Value,
    ) -> Value {
        let (inner, non_null) = match ty.strip_suffix('!') {
            Some(inner) => (inner, true),
            None => (ty, false),
        };
        if let MetaTypeName::List(item_ty) = MetaTypeName::create(inner) {
            let Value::List(mut items) = value else {
                return value;
            };
            let item_non_null = item_ty.ends_with('!');
            for item in &mut items {
                let done = self.value(of, item_ty, field, std::mem::take(item));
                if item_non_null && matches!(done, Value::Null) {
                    return Value::Null;
                }
                *item = done;
            }
            return Value::List(items);
        }
        match value {
            Value::Object(map) => self.object(of, field, map),
            // A non-null object the executor answered null without an
            // error: all its fields were skipped, which the spec answers `{}`.
            Value::Null
                if non_null && of.kind == Kind::Object && self.plan(of.named, field).is_empty() =>
            {
                Value::Object(IndexMap::new())
            }
            other => other,
        }
    }

    /// An object of `ty` answered for `field` (at an abstract type, the
    /// executed document names the concrete one under [`TYPE_KEY`]), with
    /// its keys completed; null when a non-null field is.
    fn object(&mut self, of: FieldType, field: &Planned<'d>, map: IndexMap<Name, Value>) -> Value {
        let concrete: &'static str = match of.kind {
            Kind::Object => of.named,
            Kind::Abstract => {
                let registry = self.collector.registry;
                let named = match map.get(TYPE_KEY) {
                    Some(Value::String(named)) => registry.types.get_key_value(named.as_str()),
                    _ => None,
                };
                match named {
                    Some((named, _)) => named.as_str(),
                    // Without its concrete type the object cannot be
                    // planned: it stays as the executor answered it.
                    None => return Value::Object(map),
                }
            }
            // A scalar whose values are objects (none today): as it is.
            Kind::Leaf => return Value::Object(map),
        };
        let plan = self.plan(concrete, field);
        self.fields(&plan, map, &[])
    }

    /// An object's `map` completed by its `plan`; the fields named in
    /// `shaped` are already in shape and kept as they are.
    fn fields(
        &mut self,
        plan: &[Planned<'d>],
        mut map: IndexMap<Name, Value>,
        shaped: &[Name],
    ) -> Value {
        let in_order = map.len() == plan.len()
            && map
                .keys()
                .zip(plan.iter())
                .all(|(key, field)| same(key, &field.key));
        if in_order {
            // The common case: nothing moves, and only objects and lists
            // below need a look (a leaf that is there is as it should be).
            for (value, field) in map.values_mut().zip(plan.iter()) {
                let Some(ty) = field.ty.filter(|ty| ty.kind != Kind::Leaf) else {
                    continue;
                };
                if shaped.contains(&field.key) {
                    continue;
                }
                *value = self.value(ty, ty.written, field, std::mem::take(value));
                if matches!(value, Value::Null) && ty.non_null() {
                    return Value::Null;
                }
            }
            return Value::Object(map);
        }
        let mut completed = IndexMap::with_capacity(plan.len());
        for field in plan.iter() {
            // A key the executor left out is a field that failed: its error
            // is in `errors`, and its value is null.
            let mut value = map.swap_remove(&field.key).unwrap_or_default();
            if let Some(ty) = field.ty {
                if ty.kind != Kind::Leaf && !shaped.contains(&field.key) {
                    value = self.value(ty, ty.written, field, value);
                }
                if matches!(value, Value::Null) && ty.non_null() {
                    return Value::Null;
                }
            }
            completed.insert(field.key.clone(), value);
        }
        Value::Object(completed)
    }

    /// The fields an object of type `concrete` answers for `field`.
    fn plan(&mut self, concrete: &'static str, field: &Planned<'d>) -> Plan<'d> {
        let declared = field.ty.map_or("", |ty| ty.named);
        if std::ptr::eq(declared, concrete) || declared == concrete {
            let collector = &self.collector;
            return field
                .objects
                .get_or_init(|| Rc::new(collector.collect(concrete, &field.sets)))
                .clone();
        }
        // An abstract position: per concrete type. `field` lives in a plan
        // kept as long as this completer, so its address names it.
        let key = (
            concrete.as_ptr() as usize,
            concrete.len(),
            field as *const Planned<'d> as usize,
        );
        if let Some(plan) = self.by_concrete_type.get(&key) {
            return plan.clone();
        }
        let plan = Rc::new(self.collector.collect(concrete, &field.sets));
        self.by_concrete_type.insert(key, plan.clone());
        plan
    }
}

/// Whether two response keys are the same: usually the very same name, as
/// the executor and the fast path take keys from the document completion reads.
fn same(a: &Name, b: &Name) -> bool {
    std::ptr::eq(a.as_str(), b.as_str()) || a == b
}
