//! A form submission's answers once checked: by record field, and by
//! custom field (whose values the record operations check by type).

use std::collections::HashMap;

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::fields::Target;
use crate::error::CoreResult;
use crate::ops::custom_field::values::Given;

/// A submission's answers, checked: by record field, and by custom field.
#[derive(Debug, Default)]
pub struct Answers {
    pub fixed: HashMap<Target, String>,
    /// (CONTACT_/COMPANY_CUSTOM_FIELD, key, answer).
    pub custom: Vec<(Target, String, String)>,
}

impl Answers {
    pub fn get(&self, target: &Target) -> Option<&String> {
        self.fixed.get(target)
    }

    /// Without the answers to custom fields deleted since the form was
    /// saved: a visitor cannot fix the form, and its other answers stand.
    pub async fn of_live_fields(
        mut self,
        txn: &DatabaseTransaction,
        workspace_id: Uuid,
    ) -> CoreResult<Self> {
        for target in [Target::ContactCustomField, Target::CompanyCustomField] {
            let Some(record_type) = target.custom_record_type() else {
                continue;
            };
            if !self.custom.iter().any(|(t, _, _)| *t == target) {
                continue;
            }
            let live = crate::ops::custom_field::definitions(txn, workspace_id, record_type, false)
                .await?;
            self.custom
                .retain(|(t, key, _)| *t != target || live.iter().any(|f| &f.key == key));
        }
        Ok(self)
    }

    /// The custom field values of `target`'s record, as the record
    /// operation takes them (each checked there as its field's type).
    pub fn custom_for(&self, target: Target) -> Given {
        self.custom
            .iter()
            .filter(|(t, _, _)| *t == target)
            .map(|(_, key, answer)| (key.clone(), serde_json::Value::String(answer.clone())))
            .collect()
    }
}
