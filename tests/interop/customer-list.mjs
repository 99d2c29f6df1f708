// `customers.list` with Autumn's own SDK (autumn-js), against the `pricectl serve` at
// AUTUMN_URL, on the pricing of tests/fixtures/autumn-corpus/support-desk-seats. The SDK sends
// API 2.4.0 and always a `start_cursor` (`""` for the first page): pages go by cursor, each
// response through the SDK's own validation (zod schemas generated from Autumn's API), so a
// missing or mistyped key throws. Fail-open is off. Prints one JSON line per step.
import { autumn, step } from "./sdk.mjs";

const page = (listed) => ({
  customers: listed.list.map((customer) => customer.id),
  seats: listed.list.map((customer) => customer.balances?.seats?.granted ?? null),
  more: listed.nextCursor !== null,
});

// Created in the order of their ids, so customers created in the same millisecond (listed by
// id, the highest first) come in the same order whatever the clock says.
for (const customerId of ["desk-1", "desk-2", "desk-3", "desk-4", "desk-5"]) {
  await autumn.customers.getOrCreate({ customerId });
}
await autumn.billing.attach({
  customerId: "desk-2",
  planId: "business",
  featureQuantities: [{ featureId: "seats", quantity: 4 }],
});

let cursor = undefined;
for (let number = 1; ; number += 1) {
  const listed = await autumn.customers.list({ limit: 2, startCursor: cursor });
  step(`page ${number}, 2 a page`, page(listed));
  if (listed.nextCursor === null) break;
  cursor = listed.nextCursor;
}
step("every customer", page(await autumn.customers.list({})));
try {
  await autumn.customers.list({ startCursor: "not a cursor" });
  step("a cursor the server never wrote", { refused: false });
} catch (error) {
  const body = JSON.parse(error.body);
  step("a cursor the server never wrote", { status: error.statusCode, code: body.code });
}
