import i18next from "i18next";
import { initReactI18next } from "react-i18next";

const en = {
  nav: { runs: "Runs", approvals: "Approvals", language: "Language" },
  runs: {
    title: "Runs", submit: "Run a task", task: "Task", idempotencyKey: "Idempotency key (optional)", run: "Run",
    status: "Status", all: "All", created: "Created", description: "Task", next: "Next page", first: "First page",
    empty: "No runs.", count: "{{count}} on this page",
  },
  run: {
    title: "Run {{id}}", plan: "Plan", subtasks: "Subtasks", events: "Events", artifacts: "Artifacts", cancel: "Cancel run",
    agent: "Agent", duration: "Duration", calls: "Tool calls", notFound: "Run {{id}} was not found.", back: "Back to runs",
    approvals: "Waiting for approval", error: "Error",
  },
  approvals: { title: "Approvals", empty: "Nothing waits for approval.", tool: "Tool", args: "Arguments", run: "Run", expires: "Expires", reason: "Reason", approve: "Approve", deny: "Deny" },
  status: { queued: "queued", planning: "planning", running: "running", waiting_approval: "waiting for approval", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", pending: "pending" },
  auth: { title: "Sign in", prompt: "The API asks for an access token. Paste a bearer token; it is kept for this browser session only.", token: "Access token", signIn: "Sign in" },
  loading: "Loading…",
  failed: "Failed: {{message}}",
};

const zh: typeof en = {
  nav: { runs: "运行", approvals: "审批", language: "语言" },
  runs: {
    title: "运行", submit: "提交任务", task: "任务", idempotencyKey: "幂等键（可选）", run: "运行",
    status: "状态", all: "全部", created: "创建时间", description: "任务", next: "下一页", first: "第一页",
    empty: "没有运行。", count: "本页 {{count}} 条",
  },
  run: {
    title: "运行 {{id}}", plan: "计划", subtasks: "子任务", events: "事件", artifacts: "产物", cancel: "取消运行",
    agent: "智能体", duration: "耗时", calls: "工具调用", notFound: "未找到运行 {{id}}。", back: "返回运行列表",
    approvals: "等待审批", error: "错误",
  },
  approvals: { title: "审批", empty: "没有待审批的调用。", tool: "工具", args: "参数", run: "运行", expires: "过期时间", reason: "理由", approve: "批准", deny: "拒绝" },
  status: { queued: "排队中", planning: "规划中", running: "运行中", waiting_approval: "等待审批", succeeded: "成功", failed: "失败", cancelled: "已取消", pending: "未开始" },
  auth: { title: "登录", prompt: "API 需要访问令牌。请粘贴 Bearer 令牌；它只在本次浏览器会话中保存。", token: "访问令牌", signIn: "登录" },
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

export function formatTime(iso: string | null | undefined, language: string): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(language === "zh" ? "zh-CN" : "en");
}

export function formatMs(ms: number | null | undefined, language: string): string {
  if (ms === null || ms === undefined) return "—";
  return `${new Intl.NumberFormat(language === "zh" ? "zh-CN" : "en", { maximumFractionDigits: 2 }).format(ms / 1000)} s`;
}
