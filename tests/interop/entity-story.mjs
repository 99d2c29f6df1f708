// Entities with Autumn's own SDK (autumn-js), against the `pricectl serve` at AUTUMN_URL, on
// the pricing of tests/fixtures/autumn-corpus/support-desk-seats (every seat holds its own AI
// replies): each response goes through the SDK's own validation (zod schemas generated from
// Autumn's API), so a missing or mistyped key throws. Fail-open is off. Prints one JSON line per
// step.
import { autumn, step } from "./sdk.mjs";

const customerId = "desk-customer";

await autumn.customers.getOrCreate({ customerId });
const attach = await autumn.billing.attach({
  customerId,
  planId: "business",
  featureQuantities: [{ featureId: "seats", quantity: 2 }],
});
step("attach business with 2 seats", { total: attach.invoice?.total ?? null });

for (const [entityId, name] of [["ada", "Ada"], ["bo", null]]) {
  const entity = await autumn.entities.create({ customerId, entityId, featureId: "seats", name });
  step(`create ${entityId}`, {
    id: entity.id,
    name: entity.name,
    replies: entity.balances?.["ai-replies"]?.remaining ?? null,
  });
}

const track = await autumn.track({ customerId, entityId: "ada", featureId: "ai-replies", value: 120 });
step("track 120 replies for ada", {
  entityId: track.entityId ?? null,
  remaining: track.balance?.remaining ?? null,
});

const ada = await autumn.check({ customerId, entityId: "ada", featureId: "ai-replies" });
step("check ada", { allowed: ada.allowed, remaining: ada.balance?.remaining ?? null });

const team = await autumn.check({ customerId, featureId: "ai-replies" });
step("check the team", { allowed: team.allowed, remaining: team.balance?.remaining ?? null });

const got = await autumn.entities.get({ customerId, entityId: "ada" });
step("get ada", { featureId: got.featureId, replies: got.balances?.["ai-replies"]?.remaining ?? null });

await autumn.entities.delete({ customerId, entityId: "bo" });
const seats = await autumn.check({ customerId, featureId: "seats" });
step("delete bo", { seatsFree: seats.balance?.remaining ?? null });
