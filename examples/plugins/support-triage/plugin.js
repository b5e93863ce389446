// A cs-agents plugin: customer-support triage. A ticket is classified, a refund it asks for is
// issued only after a person approves the exact call (`refund.issue` is sensitive), and a reply
// is drafted either way. Load it with:
//   npx cs-agents --plugin examples/plugins/support-triage/plugin.js run "客服工单：订单 A-1043 重复扣款 ¥129.00，请退款"
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineAgent, definePlanTemplate, defineTool, ToolError, z } from "cs-agents";

const RULES = [
  { category: "refund", words: /退款|退钱|重复扣款|多扣|扣了两次|refund|charged twice|double[- ]charged|money back/i },
  { category: "delivery", words: /物流|快递|没收到|未收到|发货|delivery|shipping|shipment|not arrived|tracking/i },
  { category: "technical", words: /报错|无法登录|打不开|闪退|故障|error|crash|cannot log ?in|can't log ?in|bug|broken/i },
];
const URGENT = /紧急|投诉|立即|马上|urgent|asap|complaint|charged twice|重复扣款/i;
const ORDER = /\b([A-Z]{1,3}-\d{3,8})\b/;
const AMOUNT = /(?:¥|￥|CNY\s?|RMB\s?)(\d+(?:\.\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s*元/i;
/** Refunds above this need more than this desk: they are escalated, not issued. */
const MAX_REFUND_CENTS = 500_000;

const Classification = z.object({
  category: z.enum(["refund", "delivery", "technical", "other"]),
  priority: z.enum(["high", "normal"]),
  orderId: z.string().nullable(),
  amountCents: z.number().int().nullable(),
  refund: z.boolean().describe("true when the ticket asks for a refund this desk can issue"),
});

const classify = defineTool({
  name: "ticket.classify",
  description: "Classifies a support ticket: category, priority, order id and refund amount it names, and whether a refund applies",
  input: z.object({ ticket: z.string().min(1).max(5_000) }),
  output: Classification,
  idempotent: true,
  timeoutMs: 2_000,
  handler: async ({ ticket }) => {
    const category = RULES.find((rule) => rule.words.test(ticket))?.category ?? "other";
    const orderId = ORDER.exec(ticket)?.[1] ?? null;
    const amount = AMOUNT.exec(ticket);
    const amountCents = amount ? Math.round(Number(amount[1] ?? amount[2]) * 100) : null;
    const refund = category === "refund" && orderId !== null && amountCents !== null && amountCents > 0 && amountCents <= MAX_REFUND_CENTS;
    return { category, priority: URGENT.test(ticket) ? "high" : "normal", orderId, amountCents, refund };
  },
});

/** Where issued refunds are kept (one JSON line each): the payment side of this example. */
const refundsFile = () => resolve(process.env.SUPPORT_REFUNDS_FILE ?? "refunds.jsonl");

const issueRefund = defineTool({
  name: "refund.issue",
  description: "Refunds an amount to the customer's original payment method for an order",
  input: z.object({ orderId: z.string().regex(ORDER, "an order id like A-1043"), amountCents: z.number().int().min(1).max(MAX_REFUND_CENTS), reason: z.string().min(1).max(200) }),
  output: z.object({ refundId: z.string(), orderId: z.string(), amountCents: z.number().int(), duplicate: z.boolean() }),
  // Money leaves the company: a person approves each call, with these exact arguments.
  sensitive: true,
  idempotent: false,
  retry: false,
  timeoutMs: 5_000,
  handler: async ({ orderId, amountCents, reason }, { idempotencyKey }) => {
    if (!idempotencyKey) throw new ToolError("REFUND_NEEDS_KEY", "refund.issue runs only inside a run, which gives each call its idempotency key");
    const file = refundsFile();
    const issued = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line)) : [];
    // The same call replayed after a crash finds its refund and does not pay twice.
    const earlier = issued.find((r) => r.key === idempotencyKey);
    if (earlier) return { refundId: earlier.refundId, orderId: earlier.orderId, amountCents: earlier.amountCents, duplicate: true };
    const refundId = `RF-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 10)}`;
    appendFileSync(file, `${JSON.stringify({ key: idempotencyKey, refundId, orderId, amountCents, reason })}\n`);
    return { refundId, orderId, amountCents, duplicate: false };
  },
});

const yuan = (cents) => (cents / 100).toFixed(2);

const REPLIES = {
  zh: {
    greeting: "您好，感谢您联系我们。",
    refunded: (r) => `您的订单 ${r.orderId} 已退款 ¥${yuan(r.amountCents)}（退款编号 ${r.refundId}），款项将原路退回，通常 3–5 个工作日到账。`,
    denied: (c) => `关于订单 ${c.orderId} 的退款申请，我们需要进一步核实，专员将在一个工作日内与您联系。`,
    escalated: "您的退款申请已转交专员处理，我们会尽快与您联系。",
    delivery: "我们已联系物流方核查您的包裹，查到结果后会第一时间告知您。",
    technical: "技术团队已收到您反馈的问题，正在排查，修复后会通知您。",
    other: "我们已收到您的留言，客服专员会尽快回复。",
    urgent: "您的问题已标记为优先处理。",
    closing: "如有其他问题，欢迎随时联系。",
  },
  en: {
    greeting: "Hello, and thank you for contacting us.",
    refunded: (r) => `We have refunded CNY ${yuan(r.amountCents)} for order ${r.orderId} (refund ${r.refundId}) to your original payment method; it usually arrives within 3–5 business days.`,
    denied: (c) => `We need to look further into the refund request for order ${c.orderId}; a specialist will contact you within one business day.`,
    escalated: "Your refund request has been passed to a specialist, who will contact you shortly.",
    delivery: "We have asked the carrier to trace your parcel and will tell you as soon as we hear back.",
    technical: "Our technical team has your report and is looking into it; we will let you know when it is fixed.",
    other: "We have your message and an agent will reply shortly.",
    urgent: "Your request has been marked as a priority.",
    closing: "If there is anything else, just reply to this message.",
  },
};

const draftReply = defineTool({
  name: "reply.draft",
  description: "Drafts the reply to the customer from the classification and the refund outcome",
  input: z.object({
    language: z.enum(["zh", "en"]),
    classification: Classification,
    refund: z.object({ issued: z.boolean(), refundId: z.string().optional(), orderId: z.string().optional(), amountCents: z.number().int().optional(), denied: z.string().optional() }),
  }),
  output: z.object({ reply: z.string() }),
  idempotent: true,
  timeoutMs: 2_000,
  handler: async ({ language, classification, refund }) => {
    const t = REPLIES[language];
    const body =
      refund.issued ? t.refunded(refund)
      : refund.denied !== undefined ? t.denied(classification)
      : classification.category === "refund" ? t.escalated
      : t[classification.category];
    return { reply: [t.greeting, classification.priority === "high" ? t.urgent : "", body, t.closing].filter(Boolean).join(language === "zh" ? "" : " ") };
  },
});

const outputOf = (dependencies, id) => dependencies[id]?.output;

const triager = defineAgent({
  name: "triager",
  role: "support triage",
  instructions: "Classify the ticket with ticket.classify.",
  tools: ["ticket.classify"],
});

const refunds = defineAgent({
  name: "refunds",
  role: "refund desk",
  instructions: "When the classification says a refund applies, issue it with refund.issue; a person approves each refund.",
  tools: ["refund.issue"],
  rules: ({ dependencies, history }) => {
    const c = Classification.parse(outputOf(dependencies, "classify"));
    if (!c.refund) return { type: "finish", output: { issued: false } };
    const last = history.at(-1);
    if (!last) return { type: "call", tool: "refund.issue", input: { orderId: c.orderId, amountCents: c.amountCents, reason: `support ticket, ${c.category}` } };
    // A person said no: that is an answer for the customer, not a failure of the run.
    if (last.result.status === "failed" && last.result.error.code === "APPROVAL_DENIED") return { type: "finish", output: { issued: false, denied: last.result.error.message } };
    if (last.result.status === "failed") return { type: "fail", error: last.result.error };
    return { type: "finish", output: { issued: true, ...last.result.output } };
  },
});

const responder = defineAgent({
  name: "responder",
  role: "support writer",
  instructions: "Draft the reply with reply.draft; finish with reply.md and triage.json.",
  tools: ["reply.draft"],
  rules: ({ dependencies, history, language }) => {
    const classification = outputOf(dependencies, "classify");
    const last = history.at(-1);
    if (!last) return { type: "call", tool: "reply.draft", input: { language, classification, refund: outputOf(dependencies, "refund") } };
    if (last.result.status === "failed") return { type: "fail", error: last.result.error };
    const triage = { classification, refund: outputOf(dependencies, "refund") };
    return {
      type: "finish",
      output: last.result.output,
      artifacts: [
        { name: "reply.md", mediaType: "text/markdown", content: `${last.result.output.reply}\n` },
        { name: "triage.json", mediaType: "application/json", content: `${JSON.stringify(triage, null, 2)}\n` },
      ],
    };
  },
});

const triageTemplate = definePlanTemplate({
  name: "support-triage",
  description: "triages a customer-support ticket: classify, refund with approval, draft the reply",
  examples: ["support ticket: <text>", "客服工单：<文本>"],
  match: (description) => {
    const found = /^(?:support ticket|客服工单)\s*[:：]\s*(.+)$/is.exec(description.trim());
    return found ? { params: { ticket: found[1] } } : undefined;
  },
  build: (params, language) => {
    const zh = language === "zh";
    return [
      { id: "classify", title: zh ? "工单分类" : "Classify the ticket", agent: "triager", instructions: "Classify the ticket.", dependsOn: [], tool: "ticket.classify", input: { ticket: params.ticket } },
      { id: "refund", title: zh ? "办理退款（需人工批准）" : "Issue the refund (needs approval)", agent: "refunds", instructions: "Issue the refund the ticket asks for, if any.", dependsOn: ["classify"], tool: "refund.issue", input: {} },
      { id: "reply", title: zh ? "起草回复" : "Draft the reply", agent: "responder", instructions: "Draft the reply to the customer.", dependsOn: ["classify", "refund"], tool: "reply.draft", input: {} },
    ];
  },
});

export const tools = [classify, issueRefund, draftReply];
export const agents = [triager, refunds, responder];
export const templates = [triageTemplate];
