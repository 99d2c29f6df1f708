//! The closed sets of words the language accepts.

use super::choice::choice;

choice! {
    /// What a feature measures.
    pub enum FeatureType {
        Metered => "metered",
        Boolean => "boolean",
    }
}

choice! {
    /// How an item's price is charged.
    pub enum Billing {
        /// Bought upfront, a quantity chosen at checkout.
        Prepaid => "prepaid",
        /// Charged in arrears for what was used.
        Usage => "usage",
    }
}

choice! {
    /// How often a price is charged.
    pub enum PriceInterval {
        OneOff => "one_off",
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        SemiAnnual => "semi_annual",
        Year => "year",
    }
}

choice! {
    /// How often included usage resets.
    pub enum ResetInterval {
        Minute => "minute",
        Hour => "hour",
        Day => "day",
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        SemiAnnual => "semi_annual",
        Year => "year",
    }
}

choice! {
    /// How tiers combine.
    pub enum TierMode {
        /// Each unit is charged at the tier it falls in.
        Graduated => "graduated",
        /// Every unit is charged at the tier the total falls in.
        Volume => "volume",
    }
}

choice! {
    /// Who a free trial is given to once.
    #[derive(Default)]
    pub enum TrialOncePer {
        /// Once per customer and plan (Autumn's rule): another plan's trial may still start.
        #[default]
        Plan => "plan",
        /// Once per customer: a customer who had any free trial gets no other.
        Customer => "customer",
    }
}

impl TrialOncePer {
    /// Whether this is the default, once per customer and plan.
    pub fn is_plan(&self) -> bool {
        *self == TrialOncePer::Plan
    }
}

choice! {
    /// What a quantity increase or an upgrade charges (Autumn's `on_increase`).
    pub enum OnIncrease {
        /// The unused part of the old price is credited and the new one charged, prorated, now.
        ProrateImmediately => "prorate_immediately",
        /// The full price of the added quantity is charged now.
        BillImmediately => "bill_immediately",
        /// The prorated difference is charged on the next invoice.
        ProrateNextCycle => "prorate_next_cycle",
        /// Nothing now; the new quantity is charged from the next cycle.
        BillNextCycle => "bill_next_cycle",
    }
}

choice! {
    /// What a quantity decrease or a downgrade credits (Autumn's `on_decrease`).
    pub enum OnDecrease {
        /// The unused part is credited, prorated, now.
        ProrateImmediately => "prorate_immediately",
        /// The prorated credit goes on the next invoice.
        ProrateNextCycle => "prorate_next_cycle",
        /// Nothing is credited; the lower quantity applies from the next cycle.
        None => "none",
    }
}

impl ResetInterval {
    /// The price interval of the same length, if there is one (`minute` has none).
    pub fn as_price_interval(self) -> Option<PriceInterval> {
        match self {
            ResetInterval::Minute | ResetInterval::Hour | ResetInterval::Day => None,
            ResetInterval::Week => Some(PriceInterval::Week),
            ResetInterval::Month => Some(PriceInterval::Month),
            ResetInterval::Quarter => Some(PriceInterval::Quarter),
            ResetInterval::SemiAnnual => Some(PriceInterval::SemiAnnual),
            ResetInterval::Year => Some(PriceInterval::Year),
        }
    }
}

impl PriceInterval {
    /// The reset of the same length; `one_off` has none (what is bought once never resets).
    pub fn as_reset_interval(self) -> Option<ResetInterval> {
        match self {
            PriceInterval::OneOff => None,
            PriceInterval::Week => Some(ResetInterval::Week),
            PriceInterval::Month => Some(ResetInterval::Month),
            PriceInterval::Quarter => Some(ResetInterval::Quarter),
            PriceInterval::SemiAnnual => Some(ResetInterval::SemiAnnual),
            PriceInterval::Year => Some(ResetInterval::Year),
        }
    }
}

choice! {
    /// The window an auto top-up's purchase limit counts in (Autumn's `purchase_limit.interval`).
    pub enum PurchaseLimitInterval {
        Hour => "hour",
        Day => "day",
        Week => "week",
        Month => "month",
    }
}

choice! {
    /// The window a usage limit counts in (Autumn's `usage_limits[].interval`).
    pub enum UsageLimitInterval {
        Day => "day",
        Week => "week",
        Month => "month",
        Year => "year",
    }
}

choice! {
    /// Where a usage limit's windows start (Autumn's `usage_limits[].anchor`).
    #[derive(Default)]
    pub enum LimitAnchor {
        /// Counted from the subscription's anchor, as its billing periods are (Autumn's
        /// `billing_cycle`).
        #[default]
        BillingCycle => "billing_cycle",
        /// Calendar windows in UTC: midnight, Monday, the 1st, January 1st (Autumn's `utc`).
        Calendar => "calendar",
    }
}
