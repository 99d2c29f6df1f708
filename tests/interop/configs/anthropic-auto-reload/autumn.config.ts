// pricing-examples/anthropic-auto-reload/pricing.toml in atmn's syntax (feature/plan/item),
// its auto top-up, alert and usage limit as the plan's `billingControls`. What atmn 1.1.25
// cannot say, `pricectl plan` after a push names: `display`, `prepaid.min`, and the expiry of
// purchased credits (Autumn's item `expiry`, which atmn's `item()` has no field for:
// `PlanItemSchema` in `dist/src/compose/models/planModels.d.ts`, `transformPlanItem` in
// `dist/cli.js`).
import { feature, item, plan } from "atmn";

export const sonnetInputTokens = feature({
  id: "sonnet-input-tokens",
  name: "Claude Sonnet input tokens",
  type: "metered",
  consumable: true,
});

export const sonnetOutputTokens = feature({
  id: "sonnet-output-tokens",
  name: "Claude Sonnet output tokens",
  type: "metered",
  consumable: true,
});

// $3 and $15 per million tokens at 1 credit = 1 cent.
export const credits = feature({
  id: "credits",
  name: "Credits",
  type: "credit_system",
  creditSchema: [
    { meteredFeatureId: sonnetInputTokens.id, creditCost: 0.0003 },
    { meteredFeatureId: sonnetOutputTokens.id, creditCost: 0.0015 },
  ],
});

export const apiCredits = plan({
  id: "api-credits",
  name: "API credits",
  addOn: true,
  items: [
    item({
      featureId: credits.id,
      price: {
        amount: 0.01,
        billingMethod: "prepaid",
        interval: "one_off",
        billingUnits: 1,
        maxPurchase: 1000000,
      },
    }),
  ],
  billingControls: {
    auto_topups: [
      {
        feature_id: credits.id,
        enabled: true,
        threshold: 1000,
        quantity: 2000,
        purchase_limit: { interval: "day", limit: 3 },
      },
    ],
    usage_limits: [
      { feature_id: sonnetOutputTokens.id, limit: 2000000, interval: "day", anchor: "utc" },
    ],
    usage_alerts: [{ feature_id: credits.id, threshold: 500, threshold_type: "remaining" }],
  },
});
