// The plans of the `pricectl serve` at AUTUMN_URL through Autumn's own SDK (autumn-js), whose
// response validation (zod schemas generated from Autumn's API) checks every key of the billing
// controls, rollovers and expiries served. Prints each plan's controls as the SDK reads them,
// one JSON line per plan.
import { autumn } from "./sdk.mjs";

const plans = await autumn.plans.list();
for (const plan of plans.list) {
  console.log(
    JSON.stringify({
      plan: plan.id,
      billingControls: plan.billingControls ?? null,
      items: plan.items.map((item) => ({
        featureId: item.featureId,
        rollover: item.rollover ?? null,
        expiry: item.expiry ?? null,
      })),
    }),
  );
}
