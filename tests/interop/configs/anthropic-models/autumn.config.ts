// pricing-examples/anthropic-models/pricing.toml in atmn's syntax (feature/plan/item). The
// pricing language's `display` and `prepaid.min` have no place here: Autumn's CLI cannot say
// them. Credit costs are per token: $3 per million tokens at 1 credit = 1 cent is 0.0003.
import { feature, item, plan } from "atmn";

export const claudeOpus41InputTokens = feature({
  id: "claude-opus-4-1-input-tokens",
  name: "Claude Opus 4.1 input tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus41OutputTokens = feature({
  id: "claude-opus-4-1-output-tokens",
  name: "Claude Opus 4.1 output tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus41CacheWriteTokens = feature({
  id: "claude-opus-4-1-cache-write-tokens",
  name: "Claude Opus 4.1 cache write tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus41CacheReadTokens = feature({
  id: "claude-opus-4-1-cache-read-tokens",
  name: "Claude Opus 4.1 cache read tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus4InputTokens = feature({
  id: "claude-opus-4-input-tokens",
  name: "Claude Opus 4 input tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus4OutputTokens = feature({
  id: "claude-opus-4-output-tokens",
  name: "Claude Opus 4 output tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus4CacheWriteTokens = feature({
  id: "claude-opus-4-cache-write-tokens",
  name: "Claude Opus 4 cache write tokens",
  type: "metered",
  consumable: true,
});

export const claudeOpus4CacheReadTokens = feature({
  id: "claude-opus-4-cache-read-tokens",
  name: "Claude Opus 4 cache read tokens",
  type: "metered",
  consumable: true,
});

export const claudeSonnet45InputTokens = feature({
  id: "claude-sonnet-4-5-input-tokens",
  name: "Claude Sonnet 4.5 input tokens",
  type: "metered",
  consumable: true,
});

export const claudeSonnet45OutputTokens = feature({
  id: "claude-sonnet-4-5-output-tokens",
  name: "Claude Sonnet 4.5 output tokens",
  type: "metered",
  consumable: true,
});

export const claudeSonnet45CacheWriteTokens = feature({
  id: "claude-sonnet-4-5-cache-write-tokens",
  name: "Claude Sonnet 4.5 cache write tokens",
  type: "metered",
  consumable: true,
});

export const claudeSonnet45CacheReadTokens = feature({
  id: "claude-sonnet-4-5-cache-read-tokens",
  name: "Claude Sonnet 4.5 cache read tokens",
  type: "metered",
  consumable: true,
});

export const claudeHaiku45InputTokens = feature({
  id: "claude-haiku-4-5-input-tokens",
  name: "Claude Haiku 4.5 input tokens",
  type: "metered",
  consumable: true,
});

export const claudeHaiku45OutputTokens = feature({
  id: "claude-haiku-4-5-output-tokens",
  name: "Claude Haiku 4.5 output tokens",
  type: "metered",
  consumable: true,
});

export const claudeHaiku45CacheWriteTokens = feature({
  id: "claude-haiku-4-5-cache-write-tokens",
  name: "Claude Haiku 4.5 cache write tokens",
  type: "metered",
  consumable: true,
});

export const claudeHaiku45CacheReadTokens = feature({
  id: "claude-haiku-4-5-cache-read-tokens",
  name: "Claude Haiku 4.5 cache read tokens",
  type: "metered",
  consumable: true,
});

export const claude35HaikuInputTokens = feature({
  id: "claude-3-5-haiku-input-tokens",
  name: "Claude Haiku 3.5 input tokens",
  type: "metered",
  consumable: true,
});

export const claude35HaikuOutputTokens = feature({
  id: "claude-3-5-haiku-output-tokens",
  name: "Claude Haiku 3.5 output tokens",
  type: "metered",
  consumable: true,
});

export const claude35HaikuCacheWriteTokens = feature({
  id: "claude-3-5-haiku-cache-write-tokens",
  name: "Claude Haiku 3.5 cache write tokens",
  type: "metered",
  consumable: true,
});

export const claude35HaikuCacheReadTokens = feature({
  id: "claude-3-5-haiku-cache-read-tokens",
  name: "Claude Haiku 3.5 cache read tokens",
  type: "metered",
  consumable: true,
});

export const credits = feature({
  id: "credits",
  name: "Credits",
  type: "credit_system",
  creditSchema: [
    { meteredFeatureId: claudeOpus41InputTokens.id, creditCost: 0.0015 },
    { meteredFeatureId: claudeOpus41OutputTokens.id, creditCost: 0.0075 },
    { meteredFeatureId: claudeOpus41CacheWriteTokens.id, creditCost: 0.001875 },
    { meteredFeatureId: claudeOpus41CacheReadTokens.id, creditCost: 0.00015 },
    { meteredFeatureId: claudeOpus4InputTokens.id, creditCost: 0.0015 },
    { meteredFeatureId: claudeOpus4OutputTokens.id, creditCost: 0.0075 },
    { meteredFeatureId: claudeOpus4CacheWriteTokens.id, creditCost: 0.001875 },
    { meteredFeatureId: claudeOpus4CacheReadTokens.id, creditCost: 0.00015 },
    { meteredFeatureId: claudeSonnet45InputTokens.id, creditCost: 0.0003 },
    { meteredFeatureId: claudeSonnet45OutputTokens.id, creditCost: 0.0015 },
    { meteredFeatureId: claudeSonnet45CacheWriteTokens.id, creditCost: 0.000375 },
    { meteredFeatureId: claudeSonnet45CacheReadTokens.id, creditCost: 0.00003 },
    { meteredFeatureId: claudeHaiku45InputTokens.id, creditCost: 0.0001 },
    { meteredFeatureId: claudeHaiku45OutputTokens.id, creditCost: 0.0005 },
    { meteredFeatureId: claudeHaiku45CacheWriteTokens.id, creditCost: 0.000125 },
    { meteredFeatureId: claudeHaiku45CacheReadTokens.id, creditCost: 0.00001 },
    { meteredFeatureId: claude35HaikuInputTokens.id, creditCost: 0.00008 },
    { meteredFeatureId: claude35HaikuOutputTokens.id, creditCost: 0.0004 },
    { meteredFeatureId: claude35HaikuCacheWriteTokens.id, creditCost: 0.0001 },
    { meteredFeatureId: claude35HaikuCacheReadTokens.id, creditCost: 0.000008 },
  ],
});

export const build = plan({
  id: "build",
  name: "Build",
  description: "2,500 credits a month for building on Claude.",
  price: { amount: 25, interval: "month" },
  items: [item({ featureId: credits.id, included: 2500, reset: { interval: "month" } })],
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
