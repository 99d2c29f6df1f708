// pricing-examples/capped-overage/pricing.toml in atmn's syntax (feature/plan/item), its
// spend limit, alerts and usage limit as the plan's `billingControls` and its rollover as the
// item's. Autumn counts a spend limit in units of overage (`overage_limit`): 100% of the $20
// base price is 500 requests at 4 cents, which `pricectl plan` after a push reads as
// `{ amount = 20 }`, the pricing's `{ percent = 100 }` being what atmn cannot say (pricectl
// keeps it in the plan's `metadata.pricectl`, which atmn never sends). `display` has no place
// here either.
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
      rollover: { max: 250, expiryDurationType: "month", expiryDurationLength: 1 },
    }),
  ],
  billingControls: {
    spend_limits: [{ feature_id: premiumRequests.id, enabled: true, overage_limit: 500 }],
    usage_limits: [{ feature_id: premiumRequests.id, limit: 200, interval: "day", anchor: "utc" }],
    usage_alerts: [
      { feature_id: premiumRequests.id, threshold: 80, threshold_type: "usage_percentage" },
      { feature_id: premiumRequests.id, threshold: 0, threshold_type: "remaining" },
    ],
  },
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
