import { createRulesModel } from "../../src/agents/index.js";
import type { AgentModel, Decision, TurnContext } from "../../src/agents/index.js";

export interface TypingModelOptions {
  /** The first decision stops after its first piece until `release()`: the test looks while the model is still writing. */
  readonly holdFirst?: boolean;
  /** Each decision is made only once the client has had its pieces (`received()` once per decision). */
  readonly awaitDelivery?: boolean;
}

/**
 * The rules model's decisions, journaled like an LLM's (not deterministic), each written out
 * through `onText` in two pieces, "turn <n>: " and "<agent> decides", as an LLM streams them.
 * Nothing is written before `start()`: pieces are not kept, so one sent before the test
 * follows the run would reach nobody.
 */
export class TypingModel implements AgentModel {
  readonly name = "typing";
  readonly deterministic = false;
  readonly #inner = createRulesModel();
  readonly #options: TypingModelOptions;
  #turns = 0;
  #received = 0;
  #delivered: { n: number; resolve: () => void }[] = [];
  #start: () => void = () => undefined;
  readonly #started = new Promise<void>((resolve) => (this.#start = resolve));
  #release: () => void = () => undefined;
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));

  constructor(options: TypingModelOptions = {}) {
    this.#options = options;
  }

  async decide(context: TurnContext): Promise<Decision> {
    await this.#started;
    const turn = ++this.#turns;
    context.onText?.(`turn ${turn}: `);
    if (turn === 1 && this.#options.holdFirst === true) await this.#released;
    context.onText?.(`${context.agent.name} decides`);
    if (this.#options.awaitDelivery === true) {
      await new Promise<void>((resolve) => {
        this.#delivered.push({ n: turn, resolve });
        this.#settle();
      });
    }
    return this.#inner.decide(context);
  }

  /** The test follows the run now. */
  start(): void {
    this.#start();
  }

  /** Lets the held first decision go on (and starts, if not started). */
  release(): void {
    this.#start();
    this.#release();
  }

  /** The client has had every piece of one more decision. */
  received(): void {
    this.#received += 1;
    this.#settle();
  }

  #settle(): void {
    for (const waiting of this.#delivered.filter((w) => w.n <= this.#received)) waiting.resolve();
    this.#delivered = this.#delivered.filter((w) => w.n > this.#received);
  }
}
