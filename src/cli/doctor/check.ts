/** One line of `cs-agents doctor`: what was checked, and how it went. */
export interface CheckResult {
  readonly name: string;
  readonly status: "ok" | "fail" | "skipped";
  /** One line: what answered, what failed and why, or why the check did not apply. */
  readonly detail: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: "ok", detail });
export const fail = (name: string, detail: string): CheckResult => ({ name, status: "fail", detail });
export const skipped = (name: string, detail: string): CheckResult => ({ name, status: "skipped", detail });

/** Thrown by `withTimeout`: a service that neither answers nor refuses must not hang the doctor. */
export class CheckTimeoutError extends Error {}

/** `work`, or a CheckTimeoutError after `ms`; `cancel` stops the work left behind. */
export async function withTimeout<T>(ms: number, what: string, work: Promise<T>, cancel?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel?.();
      reject(new CheckTimeoutError(`${what} did not answer within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split(/\r?\n/)[0] ?? "";
