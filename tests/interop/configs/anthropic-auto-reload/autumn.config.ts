// pricing-examples/anthropic-auto-reload/pricing.toml in atmn's syntax (feature/plan/item),
// without its billing controls: `pricectl serve` does not map the auto top-up, the alert, the
// usage limit and the purchase expiry to Autumn's `billingControls` yet, so `pricectl plan`
// after a push names them as what the push left out. `display` and `prepaid.min` have no
// place here: Autumn's CLI cannot say them.
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
});
