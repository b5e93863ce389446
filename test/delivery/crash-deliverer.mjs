// Delivers the due webhooks of the store at argv[2] (a SQLite path or a postgres:// URL), signing with argv[3]. The crash test
// holds the receiver's answer and kills this process with SIGKILL while the request is in flight;
// its claim lasts 300 ms, so another deliverer may take the delivery soon after the crash.
import { WebhookDeliverer } from "../../dist/delivery/index.js";
import { openStore } from "../../dist/store/index.js";

const [url, secret] = process.argv.slice(2);
const store = await openStore(url);
const deliverer = new WebhookDeliverer(store.webhookDeliveries(), {
  policy: { allowHttp: true, allowPrivate: true },
  secrets: { byTenant: {}, fallback: secret },
  maxAttempts: 5,
  timeoutMs: 30_000,
  leaseMs: 300,
});
// Should nobody kill it (the test died), it ends by itself.
setTimeout(() => process.exit(3), 20_000).unref();
await deliverer.deliverDue();
await store.close();
process.exit(4);
