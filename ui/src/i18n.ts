import i18next from "i18next";
import { initReactI18next } from "react-i18next";

const en = {
  nav: { runs: "Runs", approvals: "Approvals", audit: "Audit", catalogue: "Catalogue", health: "Health", language: "Language" },
  runs: {
    title: "Runs", submit: "Run a task", task: "Task", idempotencyKey: "Idempotency key (optional)", run: "Run",
    status: "Status", all: "All", created: "Created", description: "Task", next: "Next page", first: "First page", previous: "Previous page", page: "Page {{page}}", pages: "Pages",
    empty: "No runs.", count: "{{count}} on this page",
  },
  run: {
    title: "Run {{id}}", plan: "Plan", subtasks: "Subtasks", events: "Events", artifacts: "Artifacts", cancel: "Cancel run",
    agent: "Agent", duration: "Duration", calls: "Tool calls", notFound: "Run {{id}} was not found.", back: "Back to runs",
    approvals: "Waiting for approval", error: "Error", wakes: "wakes {{time}}",
    timeline: "Timeline", budget: "Budget use", steps: "Steps", noTimeline: "Nothing has started yet.", noPlan: "No plan yet.", noSteps: "No step recorded yet.",
    liveText: "Model output (live)",
    forkFromHere: "Fork from here", forkStep: "Fork from here: {{step}}", forkedFrom: "Forked from", forks: "Forks",
    parent: "Child run of", children: "Child runs", childQuestion: "asked in child run {{id}}",
  },
  budget: { what: "Budget", used: "Used", limit: "Limit", share: "Share used", tokens: "Model tokens", toolCalls: "Tool calls", time: "Time", cost: "Cost", none: "no limit" },
  step: {
    kind: { plan: "plan", tool_call: "tool call", model_call: "model decision", approval: "approval", subtask: "subtask result", sleep: "timer", input: "question", child: "child run" },
    status: { started: "started", succeeded: "succeeded", failed: "failed", ambiguous: "outcome unknown" },
    cached: "cache hit", attempts: "Attempts", fromCache: "none: answered from the tool cache", attemptCount: "{{count}} (retries: {{retries}})",
    tokens: "Tokens", tokenSplit: "{{input}} in + {{output}} out = {{total}}", cost: "Cost", unpriced: "no price configured",
    turn: "Turn", input: "Input", decision: "The model's decision", output: "Output",
  },
  answer: {
    title: "A question for you", schema: "The answer's shape (JSON Schema)", json: "Your answer (JSON)", send: "Send the answer",
    badJson: "Not valid JSON: {{message}}", expires: "If nobody answers, the default answer is taken at {{time}}.",
  },
  decide: {
    title: "Decide the call to {{tool}}", why: "The worker stopped during this call, so nobody knows whether it happened. Check the other side, then decide.",
    retry: "Retry the call", output: "What the call returned (JSON)", badJson: "Not valid JSON: {{message}}", done: "It happened: done with this output", fail: "Fail the step",
  },
  audit: {
    title: "Audit", log: "Audit log", action: "Action", actor: "Actor", target: "Target", at: "Time", hash: "Hash",
    chain: "Chain verification", intact: "intact", broken: "broken at entry {{seq}}", verifiedUpTo: "Verified up to entry {{seq}}.", head: "Head",
    checkpoint: "Last signed checkpoint", checkpointAt: "entry {{seq}}, signed {{at}}", noCheckpoint: "none configured: a truncated tail would not be noticed",
    checkedAt: "Checked", verify: "Verify again",
    filters: "Audit log filters", from: "From", to: "Before", apply: "Apply filters", onPage_one: "{{shown}} entry on this page", onPage_other: "{{shown}} entries on this page",
    moreMayFollow: "No matching entry in this part of the log; the next page reads on.",
  },
  catalogue: {
    title: "Catalogue", tools: "Tools", agents: "Agents", mcp: "MCP servers", noMcp: "No MCP server is configured.", yes: "yes", no: "no",
    sensitive: "Sensitive", cached: "Cached", batched: "Batched", idempotent: "Idempotent", timeout: "Timeout", schemas: "JSON Schemas", input: "Input", output: "Output",
    role: "Role", server: "Server", state: { connecting: "connecting", ready: "ready", down: "down", closed: "closed", skipped: "skipped at start" },
  },
  health: {
    title: "Health", readiness: "Readiness", ready: "ready", not_ready: "not ready", metrics: "Queue, workers, cache, errors",
    sinceStart: "Counts and ratios since the server started, refreshed every {{seconds}} s.", queueDepth: "Runs waiting in the queue", queueAge: "Oldest queued run (s)",
    inProgress: "Runs this server's workers hold", reclaimed: "Leases taken over", staleWrites: "Stale writes refused (fencing)", cacheHitRatio: "Tool cache hit ratio",
    httpErrorRate: "API error rate (5xx)", toolErrorRate: "Tool call error rate", runsFinished: "Runs finished",
  },
  approvals: { title: "Approvals", empty: "Nothing waits for approval.", tool: "Tool", args: "Arguments", run: "Run", expires: "Expires", reason: "Reason", approve: "Approve", deny: "Deny" },
  status: { queued: "queued", planning: "planning", running: "running", waiting_approval: "waiting for approval", sleeping: "sleeping", waiting_input: "waiting for input", waiting_children: "waiting for child runs", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", pending: "pending" },
  auth: {
    title: "Sign in", prompt: "The API asks for an access token. Paste a bearer token; it is kept for this browser session only.", token: "Access token", signIn: "Sign in",
    oidcPrompt: "Sign in with your organisation's account; the token is kept for this browser tab only.", expired: "Your sign-in has ended (expired or refused). Sign in again.",
    signInAgain: "Sign in again", signInWith: "Sign in with {{issuer}}", signingIn: "Signing in…", refused: "Sign-in failed: {{message}}", backToConsole: "Back to the console",
  },
  loading: "Loading…",
  failed: "Failed: {{message}}",
};

const zh: typeof en = {
  nav: { runs: "运行", approvals: "审批", audit: "审计", catalogue: "目录", health: "健康", language: "语言" },
  runs: {
    title: "运行", submit: "提交任务", task: "任务", idempotencyKey: "幂等键（可选）", run: "运行",
    status: "状态", all: "全部", created: "创建时间", description: "任务", next: "下一页", first: "第一页", previous: "上一页", page: "第 {{page}} 页", pages: "分页",
    empty: "没有运行。", count: "本页 {{count}} 条",
  },
  run: {
    title: "运行 {{id}}", plan: "计划", subtasks: "子任务", events: "事件", artifacts: "产物", cancel: "取消运行",
    agent: "智能体", duration: "耗时", calls: "工具调用", notFound: "未找到运行 {{id}}。", back: "返回运行列表",
    approvals: "等待审批", error: "错误", wakes: "{{time}} 唤醒",
    timeline: "时间线", budget: "预算使用", steps: "步骤", noTimeline: "尚未开始。", noPlan: "尚无计划。", noSteps: "尚无记录的步骤。",
    liveText: "模型输出（实时）",
    forkFromHere: "从这里分叉", forkStep: "从这里分叉：{{step}}", forkedFrom: "分叉自", forks: "分叉",
    parent: "子运行，父运行", children: "子运行", childQuestion: "在子运行 {{id}} 中提出",
  },
  budget: { what: "预算", used: "已用", limit: "上限", share: "使用比例", tokens: "模型令牌", toolCalls: "工具调用", time: "时间", cost: "费用", none: "无上限" },
  step: {
    kind: { plan: "计划", tool_call: "工具调用", model_call: "模型决策", approval: "审批", subtask: "子任务结果", sleep: "定时器", input: "提问", child: "子运行" },
    status: { started: "已开始", succeeded: "成功", failed: "失败", ambiguous: "结果未知" },
    cached: "缓存命中", attempts: "尝试次数", fromCache: "无：由工具缓存应答", attemptCount: "{{count}}（重试 {{retries}} 次）",
    tokens: "令牌", tokenSplit: "输入 {{input}} + 输出 {{output}} = {{total}}", cost: "费用", unpriced: "未配置价格",
    turn: "轮次", input: "输入", decision: "模型的决策", output: "输出",
  },
  answer: {
    title: "需要你回答的问题", schema: "回答的格式（JSON Schema）", json: "你的回答（JSON）", send: "提交回答",
    badJson: "不是有效的 JSON：{{message}}", expires: "若无人回答，将于 {{time}} 采用默认回答。",
  },
  decide: {
    title: "决定对 {{tool}} 的调用", why: "工作进程在这次调用中途停止，无人知道调用是否已发生。请先核对对方系统，再作决定。",
    retry: "重试调用", output: "调用返回的结果（JSON）", badJson: "不是有效的 JSON：{{message}}", done: "已发生：以此输出完成", fail: "使该步骤失败",
  },
  audit: {
    title: "审计", log: "审计日志", action: "操作", actor: "操作者", target: "对象", at: "时间", hash: "哈希",
    chain: "链校验", intact: "完整", broken: "在第 {{seq}} 条处断裂", verifiedUpTo: "已校验至第 {{seq}} 条。", head: "链头",
    checkpoint: "最近的签名检查点", checkpointAt: "第 {{seq}} 条，签于 {{at}}", noCheckpoint: "未配置：尾部被截断将无法察觉",
    checkedAt: "校验时间", verify: "重新校验",
    filters: "审计日志筛选", from: "起始时间", to: "截止时间（不含）", apply: "应用筛选", onPage_one: "本页 {{shown}} 条", onPage_other: "本页 {{shown}} 条",
    moreMayFollow: "日志的这一段中没有匹配的条目；下一页会继续往后读。",
  },
  catalogue: {
    title: "目录", tools: "工具", agents: "智能体", mcp: "MCP 服务器", noMcp: "未配置 MCP 服务器。", yes: "是", no: "否",
    sensitive: "敏感", cached: "缓存", batched: "批处理", idempotent: "幂等", timeout: "超时", schemas: "JSON Schema", input: "输入", output: "输出",
    role: "角色", server: "服务器", state: { connecting: "连接中", ready: "就绪", down: "断开", closed: "已关闭", skipped: "启动时跳过" },
  },
  health: {
    title: "健康", readiness: "就绪状态", ready: "就绪", not_ready: "未就绪", metrics: "队列、工作进程、缓存、错误",
    sinceStart: "自服务器启动以来的计数与比例，每 {{seconds}} 秒刷新。", queueDepth: "队列中等待的运行", queueAge: "最早排队的运行（秒）",
    inProgress: "本服务器工作进程持有的运行", reclaimed: "被接管的租约", staleWrites: "被拒绝的过期写入（栅栏）", cacheHitRatio: "工具缓存命中率",
    httpErrorRate: "API 错误率（5xx）", toolErrorRate: "工具调用错误率", runsFinished: "已结束的运行",
  },
  approvals: { title: "审批", empty: "没有待审批的调用。", tool: "工具", args: "参数", run: "运行", expires: "过期时间", reason: "理由", approve: "批准", deny: "拒绝" },
  status: { queued: "排队中", planning: "规划中", running: "运行中", waiting_approval: "等待审批", sleeping: "休眠中", waiting_input: "等待回答", waiting_children: "等待子运行", succeeded: "成功", failed: "失败", cancelled: "已取消", pending: "未开始" },
  auth: {
    title: "登录", prompt: "API 需要访问令牌。请粘贴 Bearer 令牌；它只在本次浏览器会话中保存。", token: "访问令牌", signIn: "登录",
    oidcPrompt: "请使用组织账号登录；令牌只保存在本浏览器标签页中。", expired: "登录已失效（过期或被拒绝），请重新登录。",
    signInAgain: "重新登录", signInWith: "通过 {{issuer}} 登录", signingIn: "正在登录…", refused: "登录失败：{{message}}", backToConsole: "返回控制台",
  },
  loading: "加载中…",
  failed: "失败：{{message}}",
};

const LANGUAGE_KEY = "cs-agents.language";

/** The browser's language by default; a choice made on the page wins for this browser. */
export function initialLanguage(): "zh" | "en" {
  const chosen = localStorage.getItem(LANGUAGE_KEY);
  if (chosen === "zh" || chosen === "en") return chosen;
  return navigator.languages.some((l) => l.toLowerCase().startsWith("zh")) && !navigator.language.toLowerCase().startsWith("en") ? "zh" : "en";
}

export function chooseLanguage(language: "zh" | "en"): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  void i18next.changeLanguage(language);
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: initialLanguage(),
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18next.language === "zh" ? "zh-CN" : "en";

// One formatter per language and options: building an Intl formatter costs far more than using
// one, and the runs table formats a time on each of its 50 rows.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
const localeOf = (language: string) => (language === "zh" ? "zh-CN" : "en");

function dateFormat(language: string): Intl.DateTimeFormat {
  const key = `date:${language}`;
  let format = formatters.get(key) as Intl.DateTimeFormat | undefined;
  // The fields Date.prototype.toLocaleString shows.
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(localeOf(language), { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" })));
  return format;
}

function numberFormat(language: string, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `number:${language}:${maximumFractionDigits}`;
  let format = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!format) formatters.set(key, (format = new Intl.NumberFormat(localeOf(language), { maximumFractionDigits })));
  return format;
}

export function formatTime(iso: string | null | undefined, language: string): string {
  if (!iso) return "—";
  return dateFormat(language).format(new Date(iso));
}

export function formatMs(ms: number | null | undefined, language: string): string {
  if (ms === null || ms === undefined) return "—";
  return `${numberFormat(language, 2).format(ms / 1000)} s`;
}

export function formatNumber(value: number, language: string, maximumFractionDigits: number): string {
  return numberFormat(language, maximumFractionDigits).format(value);
}
