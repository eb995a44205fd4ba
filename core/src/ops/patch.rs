//! A change to an optional field: leave it, clear it, or set it.

/// What an update does to one optional field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not mentioned: the field keeps its value.
    #[default]
    Keep,
    /// Cleared.
    Clear,
    /// Replaced.
    Set(T),
}

impl<T> Patch<T> {
    /// The field's new value, given its `current` one.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::Set(value) => Some(value),
        }
    }

    /// Sets the field to `value`, clearing it when `None` (a whole-record write).
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Patch::Clear, Patch::Set)
    }

    /// The patch with its value converted (or refused) by `f`.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(value) => Patch::Set(f(value)?),
        })
    }
}
