// pricing-examples/api-tiered/pricing.toml in atmn's syntax (feature/plan/item). The pricing
// language's `display` has no place here: Autumn's CLI cannot say it.
import { feature, item, plan } from "atmn";

export const apiRequests = feature({
  id: "api-requests",
  name: "API requests",
  type: "metered",
  consumable: true,
  eventNames: ["api_request"],
});

export const dedicatedSupport = feature({
  id: "dedicated-support",
  name: "Dedicated support",
  type: "boolean",
});

// A tier's `to` counts the included requests, as in the pricing language.
export const api = plan({
  id: "api",
  name: "API",
  description: "Pay as you go: 1,000 free requests a month, then tiered per-request pricing.",
  group: "api",
  items: [
    item({
      featureId: apiRequests.id,
      included: 1000,
      reset: { interval: "month" },
      price: {
        billingMethod: "usage_based",
        interval: "month",
        billingUnits: 1000,
        tierBehavior: "graduated",
        tiers: [
          { to: 100000, amount: 0.5 },
          { to: 1000000, amount: 0.4 },
          { to: "inf", amount: 0.3 },
        ],
      },
    }),
  ],
});

export const apiEnterprise = plan({
  id: "api-enterprise",
  name: "API Enterprise",
  description: "High volume: 1M requests a month included, lower rates and dedicated support.",
  group: "api",
  price: { amount: 500, interval: "month" },
  items: [
    item({
      featureId: apiRequests.id,
      included: 1000000,
      reset: { interval: "month" },
      price: {
        billingMethod: "usage_based",
        interval: "month",
        billingUnits: 1000,
        tierBehavior: "graduated",
        tiers: [
          { to: 10000000, amount: 0.25 },
          { to: "inf", amount: 0.2 },
        ],
      },
    }),
    item({ featureId: dedicatedSupport.id }),
  ],
});
