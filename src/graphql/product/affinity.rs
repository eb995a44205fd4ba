//! `Product.likelyBuyers` and `recommendedProducts` of companies and
//! contacts: the co-purchase ranking of `rapport_core::rules::affinity`,
//! loaded for a whole level at once (the ranking statement, then one for the
//! records it names).

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, SimpleObject};
use rapport_core::rules::affinity::{self, Affinity, Buyers};
use uuid::Uuid;

use super::Product;
use crate::graphql::company::Company;
use crate::graphql::contact::Contact;
use crate::graphql::context::{actor, db};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Row;
use crate::graphql::list::Record;
use crate::graphql::node::rows_by_ids;

/// Most results per parent.
const MAX_FIRST: i32 = 50;

/// Whom to rank as buyers.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuyerKind {
    /// Companies (an order counts for the company that bought).
    Companies,
    /// Contacts (an order counts for the contact that bought).
    Contacts,
}

impl From<BuyerKind> for Buyers {
    fn from(kind: BuyerKind) -> Self {
        match kind {
            BuyerKind::Companies => Buyers::Companies,
            BuyerKind::Contacts => Buyers::Contacts,
        }
    }
}

/// Why a product is recommended: what the buyer bought, and how often its
/// buyers also bought the product.
#[derive(SimpleObject, Clone)]
pub struct Evidence {
    /// The product the buyer bought (global id).
    pub bought_product_id: ID,
    /// Its name.
    pub bought_product_name: String,
    /// How many buyers bought it.
    pub buyers: i64,
    /// Of those, how many also bought the recommended product.
    pub also_bought: i64,
    /// In words: "7 of 9 buyers of X also bought Y".
    pub text: String,
}

/// A company or contact likely to buy a product.
#[derive(SimpleObject)]
pub struct LikelyBuyer {
    /// The company (when ranking companies).
    pub company: Option<Company>,
    /// The contact (when ranking contacts).
    pub contact: Option<Contact>,
    /// `evidence.alsoBought ÷ evidence.buyers`, 0 to 1: the higher, the likelier.
    pub score: f64,
    /// Why.
    pub evidence: Evidence,
}

/// A product a company or contact is likely to buy.
#[derive(SimpleObject)]
pub struct Recommendation {
    /// The product (live and active).
    pub product: Product,
    /// `evidence.alsoBought ÷ evidence.buyers`, 0 to 1: the higher, the likelier.
    pub score: f64,
    /// Why.
    pub evidence: Evidence,
}

/// A likely buyer as loaded: its row (company or contact) and its ranking.
type Buyer = (
    Option<Row<entity::company::Model>>,
    Option<Row<entity::contact::Model>>,
    Affinity,
);

fn evidence(found: &Affinity) -> Evidence {
    Evidence {
        bought_product_id: ids::encode(Kind::Product, found.because),
        bought_product_name: found.because_name.clone(),
        buyers: found.x_buyers,
        also_bought: found.also_bought,
        text: format!(
            "{} of {} buyers of {} also bought {}",
            found.also_bought, found.x_buyers, found.because_name, found.product_name
        ),
    }
}

fn score(found: &Affinity) -> f64 {
    (found.score() * 10_000.0).round() / 10_000.0
}

fn checked_first(first: i32) -> ApiResult<u32> {
    if !(1..=MAX_FIRST).contains(&first) {
        return Err(ApiError::bad_input("first", format!("1 to {MAX_FIRST}")));
    }
    Ok(first.unsigned_abs())
}

/// The likeliest buyers of `parent`'s product, for its whole level at once.
pub async fn likely_buyers(
    ctx: &Context<'_>,
    parent: &Row<entity::product::Model>,
    first: i32,
    among: BuyerKind,
) -> ApiResult<Vec<LikelyBuyer>> {
    let first = checked_first(first)?;
    let reader = actor(ctx)?;
    let key = format!("likely-buyers-{among:?}-{first}");
    let loaded = parent
        .level
        .load(key, |rows| async move {
            let products: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
            let found =
                affinity::likely_buyers(db(ctx)?, reader, among.into(), &products, first).await?;
            let who: Vec<Uuid> = found.iter().map(|f| f.buyer).collect();
            let (companies, contacts) = match among {
                BuyerKind::Companies => (rows_by_ids::<Company>(ctx, who).await?, HashMap::new()),
                BuyerKind::Contacts => (HashMap::new(), rows_by_ids::<Contact>(ctx, who).await?),
            };
            let mut by_product: HashMap<Uuid, Vec<Buyer>> = HashMap::new();
            for f in found {
                let company = companies.get(&f.buyer).cloned();
                let contact = contacts.get(&f.buyer).cloned();
                if company.is_none() && contact.is_none() {
                    continue;
                }
                by_product
                    .entry(f.product)
                    .or_default()
                    .push((company, contact, f));
            }
            Ok(by_product)
        })
        .await?;
    let mine = loaded.get(&parent.model().id).cloned().unwrap_or_default();
    Ok(mine
        .into_iter()
        .map(|(company, contact, f)| LikelyBuyer {
            company: company.map(Company::wrap),
            contact: contact.map(Contact::wrap),
            score: score(&f),
            evidence: evidence(&f),
        })
        .collect())
}

/// The products `parent` is likeliest to buy, for its whole level at once.
pub async fn recommended_products<M: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<M>,
    id: fn(&M) -> Uuid,
    buyers: Buyers,
    first: i32,
) -> ApiResult<Vec<Recommendation>> {
    let first = checked_first(first)?;
    let workspace_id = actor(ctx)?.workspace_id;
    let key = format!("recommended-products-{first}");
    let loaded = parent
        .level
        .load(key, |rows| async move {
            let who: Vec<Uuid> = rows.iter().map(id).collect();
            let found =
                affinity::recommended_products(db(ctx)?, workspace_id, buyers, &who, first).await?;
            let products = found.iter().map(|f| f.product).collect();
            let products = rows_by_ids::<Product>(ctx, products).await?;
            let mut by_buyer: HashMap<Uuid, Vec<(Row<entity::product::Model>, Affinity)>> =
                HashMap::new();
            for f in found {
                let Some(product) = products.get(&f.product).cloned() else {
                    continue;
                };
                by_buyer.entry(f.buyer).or_default().push((product, f));
            }
            Ok(by_buyer)
        })
        .await?;
    let mine = loaded.get(&id(parent.model())).cloned().unwrap_or_default();
    Ok(mine
        .into_iter()
        .map(|(product, f)| Recommendation {
            product: Product::wrap(product),
            score: score(&f),
            evidence: evidence(&f),
        })
        .collect())
}
