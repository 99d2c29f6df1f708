// pricing-examples/capped-overage/pricing.toml in atmn's syntax (feature/plan/item), without
// its billing controls: `pricectl serve` does not map the spend limit, the alerts, the usage
// limit and the rollover to Autumn's `billingControls` and item `rollover` yet, so
// `pricectl plan` after a push names them as what the push left out. `display` has no place
// here: Autumn's CLI cannot say it.
import { feature, item, plan } from "atmn";

export const premiumRequests = feature({
  id: "premium-requests",
  name: "Premium requests",
  type: "metered",
  consumable: true,
});

// 500 requests a month, then 4 cents a request billed at the month's end.
export const pro = plan({
  id: "pro",
  name: "Pro",
  group: "main",
  price: { amount: 20, interval: "month" },
  items: [
    item({
      featureId: premiumRequests.id,
      included: 500,
      reset: { interval: "month" },
      price: {
        amount: 0.04,
        billingMethod: "usage_based",
        interval: "month",
        billingUnits: 1,
      },
    }),
  ],
});

// Billed once a year; 500 requests granted every month.
export const proAnnual = plan({
  id: "pro-annual",
  name: "Pro annual",
  group: "main",
  price: { amount: 200, interval: "year" },
  items: [
    item({
      featureId: premiumRequests.id,
      included: 500,
      reset: { interval: "month" },
    }),
  ],
});
