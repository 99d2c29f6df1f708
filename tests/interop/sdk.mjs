// What every interop script shares: Autumn's own SDK (autumn-js) pointed at the `pricectl
// serve` at AUTUMN_URL with the key in AUTUMN_SECRET_KEY, fail-open off (so a refused or
// malformed answer throws instead of being let through), and one JSON line printed per step.
import { Autumn } from "autumn-js";

export const autumn = new Autumn({
  secretKey: process.env.AUTUMN_SECRET_KEY,
  serverURL: process.env.AUTUMN_URL,
  failOpen: false,
});

export const step = (name, value) => console.log(JSON.stringify({ step: name, ...value }));
