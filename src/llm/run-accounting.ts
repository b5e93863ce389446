import { AsyncLocalStorage } from "node:async_hooks";
import type { AgentModel } from "../agents/index.js";
import { CsAgentsError, journalSpend, type BudgetLeft, type Step, type Task } from "../core/index.js";
import type { ChildBudgeting, ChildSpent, Engine, Journal, RunOutcome } from "../engine/index.js";
import { costOf, type RunBudget } from "./llm-settings.js";
import { addUsage, NO_USAGE, type TokenUsage, type UsageListener } from "./usage.js";

/** What one run (or one tenant, summed) consumed. */
export interface UsageTotals {
  readonly tokens: TokenUsage;
  readonly modelRequests: number;
  /** Tool calls the model asked for, refused ones included. */
  readonly toolCalls: number;
  /** What the model calls cost at the configured prices (0 for unpriced models). */
  readonly cost: number;
}

export interface RunUsage extends UsageTotals {
  readonly runId: string;
  readonly tenant: string;
  readonly startedAt: number;
}

/** A run went over one of its budgets; `limit` says which. */
export class BudgetExceededError extends CsAgentsError {
  readonly limit: "tokens" | "tool_calls" | "time" | "cost";

  constructor(limit: BudgetExceededError["limit"], message: string) {
    super("BUDGET_EXCEEDED", message);
    this.limit = limit;
  }
}

export interface EngineAccountingOptions {
  /** Where a resumed run's spend so far is read when the request brings no journal of its own. */
  readonly journal?: Journal;
  /**
   * True when the model is deterministic (the rules model): a resumed run asks it again for
   * each journaled decision, so its tool calls are counted as they replay, not from the journal.
   */
  readonly modelAskedAgainOnReplay?: boolean;
}

/** Token, request and tool-call accounting per run and per tenant, with the run budgets. */
export interface RunAccounting {
  /** The engine with each `execute` in its own account, and the time budget as a deadline. */
  engine(engine: Engine, options?: EngineAccountingOptions): Engine;
  /** The model with its tool-call decisions counted against the run's budget. */
  model(model: AgentModel): AgentModel;
  /** For models and planners: counts tokens into the current run and tenant. */
  readonly onUsage: UsageListener;
  /** The usage of a running or recently finished run (the last 1,000 are kept). */
  run(runId: string): RunUsage | undefined;
  /** Totals per tenant since the process started (`""`: runs without a tenant). */
  tenants(): ReadonlyMap<string, UsageTotals>;
}

interface Account {
  readonly runId: string;
  readonly tenant: string;
  readonly startedAt: number;
  tokens: TokenUsage;
  modelRequests: number;
  toolCalls: number;
  cost: number;
  exceeded: BudgetExceededError | undefined;
  /** This run's limits: the smaller of the configured budget and what its parent left it. */
  readonly limits: Limits;
  /** Aborted when the time budget runs out or the caller cancels the run. */
  stop: AbortSignal | undefined;
}

/** A limit per budget; undefined: none (a limit of 0 is a real one: nothing may be spent). */
interface Limits {
  readonly tokens: Limit | undefined;
  readonly toolCalls: Limit | undefined;
  readonly cost: Limit | undefined;
}

interface Limit {
  readonly max: number;
  /** True when the parent's remainder set it (the run's own budget was larger or unset). */
  readonly fromParent: boolean;
}

const KEEP_FINISHED = 1_000;

/**
 * Creates the accounting. The run is found through AsyncLocalStorage set by the engine wrapper,
 * because the model port sees a turn, not a run. Budgets (0: none) stop a run as failed with
 * BUDGET_EXCEEDED: tokens and tool calls are checked as each is spent (the model's `decide`
 * throws, the engine fails the subtask and the run), time by a deadline that aborts the run.
 * Tool calls and the tokens of model decisions already in the journal count on resume; time
 * counts per execution. A child run is held to the smaller of the budget and what its parent
 * had left when it submitted it (`task.budgetLeft`, stored with the child); what a finished
 * child spent, cost included, counts toward its parent's.
 * @throws BudgetExceededError (BUDGET_EXCEEDED) from `onUsage` and wrapped models' `decide`.
 */
export function createRunAccounting(budget: RunBudget): RunAccounting {
  const current = new AsyncLocalStorage<Account>();
  const runs = new Map<string, Account>();
  const tenants = new Map<string, UsageTotals>();

  const exceed = (account: Account, error: BudgetExceededError): never => {
    account.exceeded ??= error;
    throw account.exceeded;
  };
  const checkTime = (account: Account) => {
    const elapsed = Date.now() - account.startedAt;
    if (budget.maxMs > 0 && elapsed > budget.maxMs) exceed(account, new BudgetExceededError("time", `run ${account.runId} ran ${elapsed} ms, over its budget of ${budget.maxMs} ms`));
  };
  const addToTenant = (tenant: string, delta: UsageTotals) => {
    const before = tenants.get(tenant) ?? NOTHING_SPENT;
    tenants.set(tenant, {
      tokens: addUsage(before.tokens, delta.tokens),
      modelRequests: before.modelRequests + delta.modelRequests,
      toolCalls: before.toolCalls + delta.toolCalls,
      cost: before.cost + delta.cost,
    });
  };

  const onUsage: UsageListener = (report) => {
    const account = current.getStore();
    if (!account) return;
    const cost = costOf(budget.prices, report.model, report);
    account.tokens = addUsage(account.tokens, report);
    account.modelRequests++;
    account.cost += cost;
    addToTenant(account.tenant, { tokens: report, modelRequests: 1, toolCalls: 0, cost });
    const { tokens, cost: maxCost } = account.limits;
    if (tokens && account.tokens.totalTokens > tokens.max) {
      exceed(account, new BudgetExceededError("tokens", `run ${account.runId} used ${account.tokens.totalTokens} tokens, over ${budgetOf(tokens)}`));
    }
    if (maxCost && account.cost > maxCost.max) {
      exceed(account, new BudgetExceededError("cost", `run ${account.runId} cost ${account.cost.toFixed(4)}, over ${budgetOf(maxCost)}`));
    }
    checkTime(account);
  };

  const model = (inner: AgentModel): AgentModel => ({
    name: inner.name,
    deterministic: inner.deterministic,
    async decide(context) {
      const account = current.getStore();
      if (account) checkTime(account);
      // A model request that hangs must not hold the run past its deadline or a cancel: the
      // request ends at its own timeout, the run does not wait for it.
      const stop = account?.stop;
      const decision = await untilStopped(inner.decide(stop && !context.signal ? { ...context, signal: stop } : context), stop);
      if (account && decision.type === "call") {
        account.toolCalls++;
        addToTenant(account.tenant, { ...NOTHING_SPENT, toolCalls: 1 });
        const limit = account.limits.toolCalls;
        if (limit && account.toolCalls > limit.max) {
          exceed(account, new BudgetExceededError("tool_calls", `run ${account.runId} asked for tool call ${account.toolCalls}, over ${budgetOf(limit)}`));
        }
      }
      return decision;
    },
  });

  const engine = (inner: Engine, options: EngineAccountingOptions = {}): Engine => ({
    async execute(request) {
      const journal = request.journal ?? options.journal;
      const recorded = journal ? spentBefore(await journal.load(request.runId), budget, { toolCallsReplayed: options.modelAskedAgainOnReplay ?? false }) : NOTHING_SPENT;
      const account: Account = { runId: request.runId, tenant: request.task.tenant ?? "", startedAt: Date.now(), ...recorded, exceeded: undefined, limits: limitsOf(budget, request.task), stop: request.signal };
      runs.delete(request.runId);
      runs.set(request.runId, account);
      for (const id of runs.keys()) {
        if (runs.size <= KEEP_FINISHED) break;
        runs.delete(id);
      }
      const budgeting: ChildBudgeting = { left: () => leftOf(account), childFinished: (steps) => countChild(account, spentBefore(steps, budget, { toolCallsReplayed: false })) };
      if (budget.maxMs <= 0) return current.run(account, () => inner.execute({ ...request, budgeting }));
      const deadline = new AbortController();
      const timer = setTimeout(() => {
        account.exceeded ??= new BudgetExceededError("time", `run ${account.runId} reached its time budget of ${budget.maxMs} ms`);
        deadline.abort(account.exceeded);
      }, budget.maxMs);
      try {
        const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
        account.stop = signal;
        const outcome = await current.run(account, () => inner.execute({ ...request, signal, budgeting }));
        return asBudgetFailure(outcome, account, request.signal);
      } finally {
        clearTimeout(timer);
      }
    },
  });

  return {
    engine,
    model,
    onUsage,
    run: (runId) => {
      const a = runs.get(runId);
      return a && { runId: a.runId, tenant: a.tenant, startedAt: a.startedAt, tokens: a.tokens, modelRequests: a.modelRequests, toolCalls: a.toolCalls, cost: a.cost };
    },
    tenants: () => new Map(tenants),
  };
}

/**
 * What the journal says a run already spent, priced at the budget's prices. `toolCallsReplayed`:
 * the replay counts the tool calls itself (a deterministic model is asked again).
 */
function spentBefore(steps: readonly Step[], budget: RunBudget, { toolCallsReplayed }: { readonly toolCallsReplayed: boolean }): UsageTotals {
  return journalSpend(steps, { countToolCalls: !toolCallsReplayed, price: (model, usage) => costOf(budget.prices, model, usage) });
}

/** The configured budget, lowered to what the parent left a child run. */
function limitsOf(budget: RunBudget, task: Task): Limits {
  const left = task.budgetLeft;
  return {
    tokens: smaller(budget.maxTokens, left?.tokens),
    toolCalls: smaller(budget.maxToolCalls, left?.toolCalls),
    cost: smaller(budget.maxCost ?? 0, left?.cost),
  };
}

function smaller(own: number, left: number | undefined): Limit | undefined {
  if (left !== undefined && (own <= 0 || left < own)) return { max: left, fromParent: true };
  return own > 0 ? { max: own, fromParent: false } : undefined;
}

/** What remains of a run's limits now (never below 0); undefined when it has none. */
function leftOf(account: Account): BudgetLeft | undefined {
  const { tokens, toolCalls, cost } = account.limits;
  if (!tokens && !toolCalls && !cost) return undefined;
  return {
    ...(tokens ? { tokens: Math.max(0, tokens.max - account.tokens.totalTokens) } : {}),
    ...(toolCalls ? { toolCalls: Math.max(0, toolCalls.max - account.toolCalls) } : {}),
    ...(cost ? { cost: Math.max(0, cost.max - account.cost) } : {}),
  };
}

/**
 * A child finished in this pass: its spend counts toward the parent from now on (a later pass
 * reads it from the `child` step). Not added to the tenant: the child's own account did that.
 */
function countChild(account: Account, child: UsageTotals): ChildSpent {
  account.toolCalls += child.toolCalls;
  account.tokens = addUsage(account.tokens, { inputTokens: 0, outputTokens: 0, totalTokens: child.tokens.totalTokens });
  account.cost += child.cost;
  return { toolCalls: child.toolCalls, tokens: child.tokens.totalTokens, cost: child.cost };
}

const budgetOf = (limit: Limit): string => (limit.fromParent ? `what its parent run had left of its budget, ${limit.max}` : `its budget of ${limit.max}`);

const NOTHING_SPENT: UsageTotals = { tokens: NO_USAGE, modelRequests: 0, toolCalls: 0, cost: 0 };

/** A run the deadline cancelled failed for its budget; a run cancelled by its caller stays cancelled. */
function asBudgetFailure(outcome: RunOutcome, account: Account, callerSignal: AbortSignal | undefined): RunOutcome {
  if (outcome.status !== "cancelled" || !account.exceeded || callerSignal?.aborted) return outcome;
  return { status: "failed", plan: outcome.plan, error: { code: account.exceeded.code, message: account.exceeded.message } };
}

function untilStopped<T>(work: Promise<T>, stop: AbortSignal | undefined): Promise<T> {
  if (!stop) return work;
  if (stop.aborted) return Promise.reject(stop.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stop.reason as Error);
    stop.addEventListener("abort", onAbort, { once: true });
    void work.then(resolve, reject).finally(() => stop.removeEventListener("abort", onAbort));
  });
}
