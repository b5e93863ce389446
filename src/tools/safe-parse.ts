import { core, type z } from "zod";

/** Schemas seen to need an async parse (an async refinement or transform somewhere inside). */
const needsAsync = new WeakSet<z.ZodType>();

/**
 * `schema.safeParse`, or `safeParseAsync` for a schema that has async parts. Most tool schemas
 * are synchronous, and zod's async parse costs a chain of promises on every call.
 */
export function safeParse<T extends z.ZodType>(schema: T, value: unknown): z.ZodSafeParseResult<z.output<T>> | Promise<z.ZodSafeParseResult<z.output<T>>> {
  if (!needsAsync.has(schema)) {
    try {
      return schema.safeParse(value);
    } catch (error) {
      if (!(error instanceof core.$ZodAsyncError)) throw error;
      needsAsync.add(schema);
    }
  }
  return schema.safeParseAsync(value);
}
