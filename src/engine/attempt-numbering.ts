/**
 * Numbers what a tool's handler does within one attempt (its questions, its child runs), from
 * 0: a retried handler starts again at 0, so its first question or child is the same step as
 * the attempt before's.
 */
export function numberedPerAttempt(): (attempt: number) => number {
  let current = 0;
  let next = 0;
  return (attempt) => {
    if (attempt !== current) [current, next] = [attempt, 0];
    return next++;
  };
}
