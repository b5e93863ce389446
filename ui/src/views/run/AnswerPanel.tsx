import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api.js";
import type { Question } from "../../api.js";
import { formatTime } from "../../i18n.js";

/**
 * A question a tool asked (`ctx.ask`): its text, the shape the answer must have, and a JSON
 * answer sent to POST /v1/tasks/{id}/input. The server checks it against the schema.
 */
export function AnswerPanel({ runId, question }: { runId: string; question: Question }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>();
  const answer = useMutation({
    mutationFn: (value: unknown) => api(`/v1/tasks/${encodeURIComponent(runId)}/input`, { method: "POST", body: { step: question.step, answer: value } }),
    onSuccess: () => {
      // Every run view: a child's question is also on its parent's page.
      for (const key of [["run"], ["steps", runId]]) void client.invalidateQueries({ queryKey: key });
    },
  });
  const send = () => {
    try {
      setInvalid(undefined);
      answer.mutate(JSON.parse(text) as unknown);
    } catch (error) {
      setInvalid((error as Error).message);
    }
  };
  const titleId = `answer-${`${question.runId ?? ""}-${question.step}`.replace(/\W/g, "-")}`;
  return (
    <section className="card decide" aria-labelledby={titleId}>
      <h3 id={titleId}>{t("answer.title")}</h3>
      <p>{question.question}</p>
      {question.runId && <p>{t("run.childQuestion", { id: question.runId })}</p>}
      {question.expiresAt && <p>{t("answer.expires", { time: formatTime(question.expiresAt, i18n.language) })}</p>}
      <details>
        <summary>{t("answer.schema")}</summary>
        <pre tabIndex={0}>{JSON.stringify(question.schema, null, 2)}</pre>
      </details>
      <label>
        {t("answer.json")}
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={4} aria-invalid={invalid !== undefined} />
      </label>
      {invalid && <p role="alert">{t("answer.badJson", { message: invalid })}</p>}
      <button type="button" onClick={send} disabled={answer.isPending}>{t("answer.send")}</button>
      {answer.isError && <p role="alert">{t("failed", { message: answer.error.message })}</p>}
    </section>
  );
}
