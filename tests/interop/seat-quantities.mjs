// Changing a subscription's prepaid quantity with Autumn's own SDK (autumn-js): `billing.update`
// with `featureQuantities`, against the `pricectl serve` at AUTUMN_URL, over the
// saas-seats-credits example (Pro: 3 seats included, more at $5 a month, prepaid). Every
// response goes through the SDK's own validation; an error answer throws. Prints one JSON line
// per step.
import { autumn, step } from "./sdk.mjs";

const customerId = "seat-customer";
const seats = async () => {
  const customer = await autumn.customers.getOrCreate({ customerId });
  return customer.balances?.seats?.remaining ?? null;
};

await autumn.customers.getOrCreate({ customerId });
const attach = await autumn.billing.attach({
  customerId,
  planId: "pro",
  featureQuantities: [{ featureId: "seats", quantity: 5 }],
});
step("attach pro with 5 seats", { total: attach.invoice?.total ?? null, seats: await seats() });

const more = await autumn.billing.update({
  customerId,
  planId: "pro",
  featureQuantities: [{ featureId: "seats", quantity: 8 }],
});
step("update to 8 seats", {
  paymentUrl: more.paymentUrl,
  total: more.invoice?.total ?? null,
  seats: await seats(),
});

// No plan named: Autumn picks the customer's paid main subscription that has the item.
const fewer = await autumn.billing.update({
  customerId,
  featureQuantities: [{ featureId: "seats", quantity: 4 }],
});
step("update to 4 seats, no plan named", {
  total: fewer.invoice?.total ?? null,
  seats: await seats(),
});

const same = await autumn.billing.update({
  customerId,
  planId: "pro",
  featureQuantities: [{ featureId: "seats", quantity: 4 }],
});
step("update to the same 4 seats", { invoice: same.invoice ?? null, seats: await seats() });
