/** One call's outcome inside a group commit: its value, or the error that undid its own part. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };
