//! What customers cost, per campaign channel (`analytics.acquisition`).
//! Computed by the core (`rapport_core::rules::analytics::acquisition`);
//! their shapes are here.

use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use entity::enums::CampaignChannel;
use rapport_core::rules::analytics::{Acquisition, AcquisitionByChannel};
use rust_decimal::Decimal;

/// An amount in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct CurrencyAmount {
    /// ISO 4217 code.
    pub currency: String,
    /// The amount, with the currency's decimals.
    pub amount: Decimal,
}

/// A ratio of two amounts in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct CurrencyRatio {
    /// ISO 4217 code of both amounts.
    pub currency: String,
    /// The ratio (3.5: three and a half times).
    pub ratio: f64,
}

/// A channel's (or all channels') acquisition figures for the period, by
/// first-touch attribution. Money is per currency, never converted.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct ChannelAcquisition {
    /// The channel; null for the figures over all channels.
    pub channel: Option<CampaignChannel>,
    /// Spend of the live campaigns that start on a day of the period.
    pub spend: Vec<CurrencyAmount>,
    /// Live contacts whose first touch lies in the period.
    pub leads: i64,
    /// Live contacts with a first touch whose first won deal or first placed
    /// order lies in the period.
    pub customers_acquired: i64,
    /// Amounts of deals won in the period, by their first touch.
    pub won_revenue: Vec<CurrencyAmount>,
    /// spend ÷ leads, per currency; empty without leads.
    pub cost_per_lead: Vec<CurrencyAmount>,
    /// Customer acquisition cost: spend ÷ customers acquired, per currency;
    /// empty without customers.
    pub cac: Vec<CurrencyAmount>,
    /// Return on spend: won revenue ÷ spend in the same currency.
    pub roi: Vec<CurrencyRatio>,
}

/// The acquisition figures over all channels and per channel.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct AcquisitionFigures {
    /// Over all channels.
    pub overall: ChannelAcquisition,
    /// Per channel with any figure in the period, by channel name.
    pub channels: Vec<ChannelAcquisition>,
}

fn amounts(map: BTreeMap<String, Decimal>) -> Vec<CurrencyAmount> {
    map.into_iter()
        .map(|(currency, amount)| CurrencyAmount { currency, amount })
        .collect()
}

fn shape(channel: Option<CampaignChannel>, a: &Acquisition) -> ChannelAcquisition {
    ChannelAcquisition {
        channel,
        spend: amounts(a.spend.clone()),
        leads: a.leads,
        customers_acquired: a.customers,
        won_revenue: amounts(a.won_revenue.clone()),
        cost_per_lead: amounts(a.cost_per_lead()),
        cac: amounts(a.cac()),
        roi: a
            .roi()
            .into_iter()
            .map(|(currency, ratio)| CurrencyRatio { currency, ratio })
            .collect(),
    }
}

impl From<AcquisitionByChannel> for AcquisitionFigures {
    fn from(figures: AcquisitionByChannel) -> Self {
        AcquisitionFigures {
            overall: shape(None, &figures.overall),
            channels: figures
                .channels
                .values()
                .map(|(channel, a)| shape(Some(*channel), a))
                .collect(),
        }
    }
}
