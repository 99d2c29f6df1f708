// pricing-examples/saas-seats-credits/pricing.toml in atmn's syntax (feature/plan/item). The
// pricing language's `display` and `prepaid.min` have no place here: Autumn's CLI cannot say
// them.
import { feature, item, plan } from "atmn";

export const aiMessages = feature({
  id: "ai-messages",
  name: "AI messages",
  type: "metered",
  consumable: true,
  eventNames: ["ai_message"],
});

export const imageGenerations = feature({
  id: "image-generations",
  name: "Image generations",
  type: "metered",
  consumable: true,
  eventNames: ["image_generation"],
});

// Seats are allocated, not used up: they never reset.
export const seats = feature({
  id: "seats",
  name: "Seats",
  type: "metered",
  consumable: false,
});

export const sso = feature({
  id: "sso",
  name: "Single sign-on (SSO)",
  type: "boolean",
});

export const credits = feature({
  id: "credits",
  name: "Credits",
  type: "credit_system",
  creditSchema: [
    { meteredFeatureId: aiMessages.id, creditCost: 1 },
    { meteredFeatureId: imageGenerations.id, creditCost: 5 },
  ],
});

// Everyone starts on Free (auto-enabled); upgrading to Pro replaces it (same group).
export const free = plan({
  id: "free",
  name: "Free",
  description: "Try it out: 50 credits a month for one person.",
  group: "main",
  autoEnable: true,
  items: [
    item({ featureId: credits.id, included: 50, reset: { interval: "month" } }),
    item({ featureId: seats.id, included: 1 }),
  ],
});

export const pro = plan({
  id: "pro",
  name: "Pro",
  description: "For teams: 500 credits a month, 3 seats and SSO.",
  group: "main",
  price: { amount: 20, interval: "month" },
  items: [
    // 500 credits a month included; more bought upfront at $10 per 1,000 credits.
    item({
      featureId: credits.id,
      included: 500,
      reset: { interval: "month" },
      price: {
        amount: 10,
        billingMethod: "prepaid",
        interval: "month",
        billingUnits: 1000,
        maxPurchase: 100000,
      },
    }),
    // 3 seats included; each extra seat bought upfront at $5 a month.
    item({
      featureId: seats.id,
      included: 3,
      price: { amount: 5, billingMethod: "prepaid", interval: "month", billingUnits: 1 },
    }),
    item({ featureId: sso.id }),
  ],
});
