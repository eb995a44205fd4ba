//! `last_touched_at`: when the contact or company was last touched, the
//! newest of its activities (notes, calls, emails and meetings: a task is
//! work planned, not a touch), engagements, orders, tickets and survey
//! answers. A company's own activities, orders and tickets count, and the
//! engagements and answers of its live contacts (as its NPS and CSAT do).

use entity::enums::ActivityKind;
use sea_orm::ActiveEnum;

use super::super::figures::Of;

/// The assignment recomputing `last_touched_at` of the row being updated.
/// Every table read names the workspace `ws` (SQL), see `sql::assignment`.
pub(super) fn assignment(of: Of, ws: &str) -> String {
    let table = of.table();
    let own = |alias: &str, key: &str| {
        format!(r#""{alias}"."workspace_id" = {ws} AND "{alias}"."{key}" = "{table}"."id""#)
    };
    let live = |alias: &str| format!(r#""{alias}"."deleted_at" IS NULL"#);
    let key = match of {
        Of::Contact => "contact_id",
        Of::Company => "company_id",
    };
    let mut latest = vec![
        format!(
            r#"SELECT MAX("a"."occurred_at") AS "at" FROM "activity" AS "a" WHERE {} AND {} AND "a"."kind" <> '{}'"#,
            own("a", key),
            live("a"),
            ActivityKind::Task.to_value()
        ),
        format!(
            r#"SELECT MAX("o"."ordered_at") FROM "customer_order" AS "o" WHERE {} AND {}"#,
            own("o", key),
            live("o")
        ),
        format!(
            r#"SELECT MAX("k"."opened_at") FROM "ticket" AS "k" WHERE {} AND {}"#,
            own("k", key),
            live("k")
        ),
    ];
    match of {
        Of::Contact => {
            // Engagements are facts without soft delete.
            latest.push(format!(
                r#"SELECT MAX("e"."occurred_at") FROM "engagement" AS "e" WHERE {}"#,
                own("e", key)
            ));
            latest.push(format!(
                r#"SELECT MAX("s"."responded_at") FROM "survey_response" AS "s" WHERE {} AND {}"#,
                own("s", key),
                live("s")
            ));
        }
        Of::Company => {
            let contacts = |alias: &str| {
                format!(
                    r#"JOIN "contact" AS "tc" ON "tc"."workspace_id" = "{alias}"."workspace_id" AND "tc"."id" = "{alias}"."contact_id" AND "tc"."deleted_at" IS NULL WHERE "{alias}"."workspace_id" = {ws} AND {}"#,
                    own("tc", key)
                )
            };
            latest.push(format!(
                r#"SELECT MAX("e"."occurred_at") FROM "engagement" AS "e" {}"#,
                contacts("e")
            ));
            latest.push(format!(
                r#"SELECT MAX("s"."responded_at") FROM "survey_response" AS "s" {} AND {}"#,
                contacts("s"),
                live("s")
            ));
        }
    }
    format!(
        r#""last_touched_at" = (SELECT MAX("t"."at") FROM ({}) AS "t")"#,
        latest.join(" UNION ALL ")
    )
}
