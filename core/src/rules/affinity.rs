//! Who will buy what, by co-purchase affinity. A buyer (a company, or a
//! contact) has bought a product when a live PLACED order of theirs has a
//! line of it. For a product Y and a buyer B who has not bought Y:
//!
//! - for each product X that B bought, *confidence(X → Y)* = of the buyers
//!   of X, the share that also bought Y ("7 of 9 buyers of X also bought Y");
//! - B's *score* for Y is the best confidence over the X's B bought, and that
//!   X with its two counts is the evidence;
//! - ties go to the larger count of buyers who bought both (more evidence),
//!   then to the larger count of X's buyers, then to the id.
//!
//! `Product.likelyBuyers` ranks the buyers for given products,
//! `recommendedProducts` the (live, active) products for given buyers, each
//! in ONE statement over all the parents of a level.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::access::{Actor, Owned};
use crate::error::CoreResult;
use crate::store::owned_sql;
use crate::store::placeholders::for_backend;

/// Who the buyers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buyers {
    Companies,
    Contacts,
}

impl Buyers {
    fn column(self) -> &'static str {
        match self {
            Self::Companies => "company_id",
            Self::Contacts => "contact_id",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Companies => "company",
            Self::Contacts => "contact",
        }
    }

    fn area(self) -> Owned {
        match self {
            Self::Companies => Owned::Companies,
            Self::Contacts => Owned::Contacts,
        }
    }
}

/// One scored pair: `buyer` has not bought `product`; of the `x_buyers`
/// buyers of `because` (which `buyer` bought), `also_bought` also bought
/// `product`.
#[derive(Debug, Clone, PartialEq)]
pub struct Affinity {
    pub buyer: Uuid,
    pub product: Uuid,
    pub product_name: String,
    pub because: Uuid,
    pub because_name: String,
    pub also_bought: i64,
    pub x_buyers: i64,
}

impl Affinity {
    /// also_bought ÷ x_buyers, 0 to 1.
    pub fn score(&self) -> f64 {
        if self.x_buyers == 0 {
            return 0.0;
        }
        self.also_bought as f64 / self.x_buyers as f64
    }
}

/// The `first` likeliest buyers of each of `products`, best first.
pub async fn likely_buyers<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    buyers: Buyers,
    products: &[Uuid],
    first: u32,
) -> CoreResult<Vec<Affinity>> {
    let workspace_id = actor.workspace_id;
    let targets = marks(products.len());
    let pairs = format!(r#"b."product" IN ({targets})"#);
    let scored = format!(r#"p."y" IN ({targets})"#);
    // The buyer must still be live (a merged or deleted one is not there),
    // and one the reader reads; what others bought still makes the evidence.
    let (read, owners) = owned_sql(actor, buyers.area(), "who")
        .map(|(owned, owners)| (format!(" AND {owned}"), owners))
        .unwrap_or_default();
    let live = format!(
        r#"JOIN "{table}" AS who ON who."id" = s."buyer" AND who."workspace_id" = ? AND who."deleted_at" IS NULL{read}"#,
        table = buyers.table()
    );
    let sql = statement(buyers, &pairs, &scored, &live, "product", "buyer");
    let mut values = common(workspace_id);
    values.extend(products.iter().map(|id| Value::from(*id)));
    values.extend(products.iter().map(|id| Value::from(*id)));
    values.push(workspace_id.into());
    values.extend(owners);
    // The products named, each in the workspace (on Citus: its shard).
    values.extend([Value::from(workspace_id), Value::from(workspace_id)]);
    values.push(i64::from(first).into());
    run(db, &sql, values).await
}

/// The `first` products each of `who` is likeliest to buy, best first
/// (live and active products only).
pub async fn recommended_products<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    buyers: Buyers,
    who: &[Uuid],
    first: u32,
) -> CoreResult<Vec<Affinity>> {
    let targets = marks(who.len());
    // Only pairs starting at what the buyers asked about bought.
    let pairs = format!(
        r#"a."product" IN (SELECT mine."product" FROM bought AS mine WHERE mine."buyer" IN ({targets}))"#
    );
    let scored = format!(r#"me."buyer" IN ({targets})"#);
    let live = r#"JOIN "product" AS sold ON sold."id" = s."product" AND sold."workspace_id" = ? AND sold."deleted_at" IS NULL AND sold."active" = ?"#;
    let sql = statement(buyers, &pairs, &scored, live, "buyer", "product");
    let mut values = common(workspace_id);
    values.extend(who.iter().map(|id| Value::from(*id)));
    values.extend(who.iter().map(|id| Value::from(*id)));
    values.push(workspace_id.into());
    values.push(true.into());
    // The products named, each in the workspace (on Citus: its shard).
    values.extend([Value::from(workspace_id), Value::from(workspace_id)]);
    values.push(i64::from(first).into());
    run(db, &sql, values).await
}

/// `?, ?, …` for `n` values.
fn marks(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// The workspace twice: for the orders and their lines.
fn common(workspace_id: Uuid) -> Vec<Value> {
    vec![workspace_id.into(), workspace_id.into()]
}

/// The statement: `pairs` narrows the co-purchase pairs, `scored` the
/// (buyer, product) candidates, `live` joins what must still be there;
/// results are ranked within each `partition` (tie: by `other`'s id).
fn statement(
    buyers: Buyers,
    pairs: &str,
    scored: &str,
    live: &str,
    partition: &str,
    other: &str,
) -> String {
    let buyer = buyers.column();
    let ratio = |also: &str, of: &str| format!("CAST({also} AS DOUBLE PRECISION) / {of}");
    let best_x = ratio(r#"p."both""#, r#"bx."n""#);
    let best = ratio(r#"s."also""#, r#"s."x_buyers""#);
    format!(
        r#"WITH bought AS (
  SELECT DISTINCT o."{buyer}" AS "buyer", l."product_id" AS "product"
  FROM "order_line" AS l JOIN "customer_order" AS o ON o."id" = l."order_id"
  WHERE o."workspace_id" = ? AND l."workspace_id" = ? AND o."deleted_at" IS NULL
    AND o."status" = 'PLACED' AND o."{buyer}" IS NOT NULL
),
buyers AS (SELECT "product", COUNT(*) AS "n" FROM bought GROUP BY "product"),
pairs AS (
  SELECT a."product" AS "x", b."product" AS "y", COUNT(*) AS "both"
  FROM bought AS a JOIN bought AS b ON b."buyer" = a."buyer" AND b."product" <> a."product"
  WHERE {pairs}
  GROUP BY a."product", b."product"
),
scored AS (
  SELECT me."buyer", p."y" AS "product", p."x" AS "because", p."both" AS "also", bx."n" AS "x_buyers",
    ROW_NUMBER() OVER (PARTITION BY me."buyer", p."y" ORDER BY {best_x} DESC, p."both" DESC, bx."n" DESC, p."x") AS "pick"
  FROM bought AS me
  JOIN pairs AS p ON p."x" = me."product"
  JOIN buyers AS bx ON bx."product" = p."x"
  WHERE {scored}
    AND NOT EXISTS (SELECT 1 FROM bought AS had WHERE had."buyer" = me."buyer" AND had."product" = p."y")
),
ranked AS (
  SELECT s."buyer", s."product", s."because", s."also", s."x_buyers",
    ROW_NUMBER() OVER (PARTITION BY s."{partition}" ORDER BY {best} DESC, s."also" DESC, s."x_buyers" DESC, s."{other}") AS "place"
  FROM scored AS s {live}
  WHERE s."pick" = 1
)
SELECT r."buyer", r."product", y."name" AS "product_name", r."because", x."name" AS "because_name",
  CAST(r."also" AS BIGINT) AS "also", CAST(r."x_buyers" AS BIGINT) AS "x_buyers"
FROM ranked AS r
JOIN "product" AS y ON y."id" = r."product" AND y."workspace_id" = ?
JOIN "product" AS x ON x."id" = r."because" AND x."workspace_id" = ?
WHERE r."place" <= ?
ORDER BY r."{partition}", r."place""#
    )
}

async fn run<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    values: Vec<Value>,
) -> CoreResult<Vec<Affinity>> {
    let backend: DbBackend = db.get_database_backend();
    let statement = Statement::from_sql_and_values(backend, for_backend(backend, sql), values);
    let mut found = Vec::new();
    for row in db.query_all_raw(statement).await? {
        found.push(Affinity {
            buyer: row.try_get("", "buyer")?,
            product: row.try_get("", "product")?,
            product_name: row.try_get("", "product_name")?,
            because: row.try_get("", "because")?,
            because_name: row.try_get("", "because_name")?,
            also_bought: row.try_get("", "also")?,
            x_buyers: row.try_get("", "x_buyers")?,
        });
    }
    Ok(found)
}
