import { z } from "zod";
import { COMMON_ERRORS, OPERATIONS } from "./operations.js";
import type { Operation, ResponseSpec } from "./operations.js";
import { ProblemSchema } from "./schemas.js";

type JsonObject = Record<string, unknown>;

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, as requests are validated with it. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "output"): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject;
  return rest;
}

/** The OpenAPI 3.1 document, generated from the operation table and its zod schemas. */
export function buildOpenApi(version: string): JsonObject {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS as readonly Operation[]) {
    const path = op.path.replace(/:([A-Za-z]+)/g, "{$1}");
    paths[path] = { ...paths[path], [op.method.toLowerCase()]: operationObject(op) };
  }
  return {
    openapi: "3.1.0",
    info: { title: "cs-agents", version, description: "A durable multi-agent task service. Errors are application/problem+json with a stable `code`." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Problem: jsonSchemaOf(ProblemSchema) },
    },
    paths,
  };
}

function operationObject(op: Operation): JsonObject {
  const parameters = [...pathParameters(op), ...queryParameters(op), ...headerParameters(op)];
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(op.responses)) responses[status] = responseObject(spec as ResponseSpec);
  if (op.scope !== null) {
    for (const status of COMMON_ERRORS) {
      responses[String(status)] ??= { description: "problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };
    }
  }
  return {
    operationId: op.id,
    summary: op.summary,
    ...(op.scope === null ? { security: [] } : { security: [{ bearer: [op.scope] }], description: `Requires scope \`${op.scope}\`.` }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchemaOf(op.body, "input") } } } } : {}),
    responses,
  };
}

function responseObject(spec: ResponseSpec): JsonObject {
  if ("mediaType" in spec && typeof spec.mediaType === "string") {
    return { description: spec.description, content: { [spec.mediaType]: { schema: { type: "string" } } } };
  }
  return { description: "OK", content: { "application/json": { schema: jsonSchemaOf(spec as z.ZodType) } } };
}

function pathParameters(op: Operation): JsonObject[] {
  const names = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? "");
  return names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } }));
}

function queryParameters(op: Operation): JsonObject[] {
  if (!op.query) return [];
  const schema = jsonSchemaOf(op.query, "input") as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    schema: property,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
  }));
}

function headerParameters(op: Operation): JsonObject[] {
  return Object.entries(op.headers ?? {}).map(([name, description]) => ({ name, in: "header", required: false, description, schema: { type: "string" } }));
}
