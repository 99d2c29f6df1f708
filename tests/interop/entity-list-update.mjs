// `entities.list` and `entities.update` with Autumn's own SDK (autumn-js), against the
// `pricectl serve` at AUTUMN_URL, on the pricing of
// tests/fixtures/autumn-corpus/support-desk-seats: each response goes through the SDK's own
// validation (zod schemas generated from Autumn's API), so a missing or mistyped key throws.
// Fail-open is off. Prints one JSON line per step.
import { autumn, step } from "./sdk.mjs";

const page = (listed) => ({
  entities: listed.list.map((entity) => `${entity.customerId}/${entity.id}`),
  replies: listed.list.map((entity) => entity.balances?.["ai-replies"]?.remaining ?? null),
  more: listed.nextCursor !== null,
});

for (const [customerId, seats, entities] of [
  ["desk-one", 3, [["ada", "Ada"], ["bo", null], ["cy", "Cy Adams"]]],
  ["desk-two", 1, [["ada", "Ada Two"]]],
]) {
  await autumn.customers.getOrCreate({ customerId });
  await autumn.billing.attach({
    customerId,
    planId: "business",
    featureQuantities: [{ featureId: "seats", quantity: seats }],
  });
  for (const [entityId, name] of entities) {
    await autumn.entities.create({ customerId, entityId, featureId: "seats", name });
  }
}
await autumn.track({ customerId: "desk-one", entityId: "ada", featureId: "ai-replies", value: 20 });

const first = await autumn.entities.list({ limit: 3 });
step("list 3", page(first));
const second = await autumn.entities.list({ limit: 3, startCursor: first.nextCursor });
step("list the next 3", page(second));
step("list desk-one's", page(await autumn.entities.list({ customerId: "desk-one" })));
step("search ada", page(await autumn.entities.list({ search: "ada" })));
step("on business", page(await autumn.entities.list({ plans: [{ id: "business" }] })));
step("on team", page(await autumn.entities.list({ plans: [{ id: "team" }] })));

const updated = await autumn.entities.update({
  customerId: "desk-one",
  entityId: "ada",
  billingControls: { spendLimits: [], usageAlerts: [] },
});
step("update ada with no controls of its own", {
  id: updated.id,
  replies: updated.balances?.["ai-replies"]?.remaining ?? null,
});
try {
  await autumn.entities.update({
    customerId: "desk-one",
    entityId: "ada",
    billingControls: { spendLimits: [{ featureId: "ai-replies", enabled: true, overageLimit: 25 }] },
  });
  step("a spend limit of ada's own", { refused: false });
} catch (error) {
  const body = JSON.parse(error.body);
  step("a spend limit of ada's own", { status: error.statusCode, code: body.code });
}
