// pricing-examples/openai-credits/pricing.toml in atmn's syntax (feature/plan/item). The
// pricing language's `display` and `prepaid.min` have no place here: Autumn's CLI cannot say
// them.
import { feature, item, plan } from "atmn";

export const o1InputTokens = feature({
  id: "o1-input-tokens",
  name: "o1 input tokens",
  type: "metered",
  consumable: true,
});

export const o1OutputTokens = feature({
  id: "o1-output-tokens",
  name: "o1 output tokens",
  type: "metered",
  consumable: true,
});

export const o3InputTokens = feature({
  id: "o3-input-tokens",
  name: "o3 input tokens",
  type: "metered",
  consumable: true,
});

export const o3OutputTokens = feature({
  id: "o3-output-tokens",
  name: "o3 output tokens",
  type: "metered",
  consumable: true,
});

// $15, $60, $10 and $40 per million tokens at 1 credit = 1 cent.
export const credits = feature({
  id: "credits",
  name: "Credits",
  type: "credit_system",
  creditSchema: [
    { meteredFeatureId: o1InputTokens.id, creditCost: 0.0015 },
    { meteredFeatureId: o1OutputTokens.id, creditCost: 0.006 },
    { meteredFeatureId: o3InputTokens.id, creditCost: 0.001 },
    { meteredFeatureId: o3OutputTokens.id, creditCost: 0.004 },
  ],
});

export const creditTopUp = plan({
  id: "credit-top-up",
  name: "Credit top-up",
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
});
