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

    /// The patch with its value converted (or refused) by `f`.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(value) => Patch::Set(f(value)?),
        })
    }
}
