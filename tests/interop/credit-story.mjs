// The credit story with Autumn's own SDK (autumn-js), against the `pricectl serve` at
// AUTUMN_URL. Every response goes through the SDK's own validation (zod schemas generated from
// Autumn's API): a missing or mistyped key throws ResponseValidationError. Fail-open is off, so
// an error answer throws instead of reading as "allowed". Prints one JSON line per step.
import { autumn } from "./sdk.mjs";

const customerId = "story-customer";
const steps = [];
const step = (name, value) => {
  steps.push({ step: name, ...value });
  console.log(JSON.stringify({ step: name, ...value }));
};

const customer = await autumn.customers.getOrCreate({ customerId });
step("customer", { id: customer.id, env: customer.env });

const before = await autumn.check({ customerId, featureId: "o1-input-tokens" });
step("check before", { allowed: before.allowed, remaining: before.balance?.remaining ?? null });

const attach = await autumn.billing.attach({
  customerId,
  planId: "credit-top-up",
  featureQuantities: [{ featureId: "credits", quantity: 500 }],
});
step("attach 500 credits", {
  paymentUrl: attach.paymentUrl,
  total: attach.invoice?.total ?? null,
  currency: attach.invoice?.currency ?? null,
});

const track = await autumn.track({ customerId, featureId: "o1-input-tokens", value: 100000 });
step("track 100,000 o1 input tokens", {
  value: track.value,
  remaining: track.balance?.remaining ?? null,
});

const after = await autumn.check({ customerId, featureId: "o1-input-tokens" });
step("check after", { allowed: after.allowed, remaining: after.balance?.remaining ?? null });

const listed = await autumn.customers.getOrCreate({ customerId });
step("customer after", {
  credits: listed.balances?.credits?.remaining ?? null,
  purchases: listed.purchases.map((purchase) => purchase.planId),
});
