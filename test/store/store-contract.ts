import { describe } from "vitest";
import { describeDecideAndRetention } from "./contract/decide-and-retention.js";
import { describeJournal } from "./contract/journal.js";
import { describeLeases } from "./contract/leases.js";
import { describePriorities } from "./contract/priorities.js";
import { describeSubmitAndList } from "./contract/submit-and-list.js";
import { describeTimers } from "./contract/timers.js";
import { describeWebhookOutbox } from "./contract/webhooks.js";
import { describeHumanInput } from "./contract/human-input.js";
import { describeChildRuns } from "./contract/child-runs.js";
import { describeForks } from "./contract/forks.js";
import type { MakeStore } from "./contract/context.js";

export type { MakeStore, StoreFixture } from "./contract/context.js";

/**
 * The behaviour every `Store` adapter must show, run unchanged against each of them. `makeStore`
 * returns a fresh, migrated store per test and a cleanup that closes and removes it.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} (store contract)`, () => {
    // One describe per area: each registers its own fresh-store hooks.
    describe("runs", () => describeSubmitAndList(makeStore));
    describe("leases", () => describeLeases(makeStore));
    describe("journal", () => describeJournal(makeStore));
    describe("decisions and retention", () => describeDecideAndRetention(makeStore));
    describe("timers", () => describeTimers(makeStore));
    describe("webhook outbox", () => describeWebhookOutbox(makeStore));
    describe("human input", () => describeHumanInput(makeStore));
    describe("priorities", () => describePriorities(makeStore));
    describe("child runs", () => describeChildRuns(makeStore));
    describe("forks", () => describeForks(makeStore));
  });
}
