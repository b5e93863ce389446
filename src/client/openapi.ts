// Generated from the server's /openapi.json by `npm run gen:client` (openapi-typescript); do not edit.
// test/client/openapi-types.test.ts fails when this file and the API differ.

export interface paths {
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API reference page */
        get: operations["docs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is alive */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API's OpenAPI 3.1 document */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Store reachable, migrations applied, not draining */
        get: operations["ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Registered agents
         * @description Requires scope `tasks:read`.
         */
        get: operations["listAgents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/approvals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Steps of the tenant's runs waiting for a person
         * @description Requires scope `approvals:write`.
         */
        get: operations["listApprovals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/approvals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve or deny a pending step, bound to its arguments' hash; single use
         * @description Requires scope `approvals:write`.
         */
        post: operations["decideApproval"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's audit log entries, hash-chained
         * @description Requires scope `admin`.
         */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Walks the audit chain and the signed checkpoints: verified up to which entry
         * @description Requires scope `admin`.
         */
        get: operations["verifyAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/mcp-servers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The MCP servers tools come from, with their connection state
         * @description Requires scope `tasks:read`.
         */
        get: operations["listMcpServers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's schedules, oldest first
         * @description Requires scope `tasks:read`.
         */
        get: operations["listSchedules"];
        put?: never;
        /**
         * Submit a task on a cron (with a time zone) or an interval; one run per tick across replicas
         * @description Requires scope `tasks:write`.
         */
        post: operations["createSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A schedule: its next tick and what the last tick did
         * @description Requires scope `tasks:read`.
         */
        get: operations["getSchedule"];
        put?: never;
        post?: never;
        /**
         * Delete a schedule; runs it made stay
         * @description Requires scope `tasks:write`.
         */
        delete: operations["deleteSchedule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a schedule: no ticks until resumed
         * @description Requires scope `tasks:write`.
         */
        post: operations["pauseSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a schedule from its next tick after now (ticks while paused are not made up)
         * @description Requires scope `tasks:write`.
         */
        post: operations["resumeSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the tenant's runs, newest first
         * @description Requires scope `tasks:read`.
         */
        get: operations["listTasks"];
        put?: never;
        /**
         * Submit a task; with Idempotency-Key, the same key and body return the same run
         * @description Requires scope `tasks:write`.
         */
        post: operations["submitTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A run: status, plan, subtasks with timings, results, artifact links
         * @description Requires scope `tasks:read`.
         */
        get: operations["getTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/artifacts/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file the run produced
         * @description Requires scope `tasks:read`.
         */
        get: operations["getArtifact"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel an unfinished run
         * @description Requires scope `tasks:write`.
         */
        post: operations["cancelTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The run's events as Server-Sent Events until it ends
         * @description Requires scope `tasks:read`.
         */
        get: operations["taskEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/fork": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fork a run from one of its steps: a new run with the parent's journal up to the step, optionally the step's result or the task input replaced; the parent is untouched
         * @description Requires scope `tasks:write`.
         */
        post: operations["forkTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/input": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Answer a question a tool asked (a run waiting_input): checked against the question's schema, journaled, the run queued again
         * @description Requires scope `approvals:write`.
         */
        post: operations["answerTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tasks/{id}/steps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A run's journaled steps (tool calls, model decisions, approvals) with inputs, outputs, retries, cache hits, tokens and cost; the run's budget use
         * @description Requires scope `tasks:read`.
         */
        get: operations["getTaskSteps"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Registered tools with their JSON Schemas
         * @description Requires scope `tasks:read`.
         */
        get: operations["listTools"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details */
        Problem: {
            /** @description stable machine-readable error code */
            code: string;
            detail: string;
            instance?: string;
            status: number;
            title: string;
            type: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    docs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the API reference page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
        };
    };
    ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        status: "ready" | "not_ready";
                    };
                };
            };
            /** @description OK */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        status: "ready" | "not_ready";
                    };
                };
            };
        };
    };
    listAgents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            instructions: string;
                            name: string;
                            role: string;
                            tools: string[];
                        }[];
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listApprovals: {
        parameters: {
            query?: {
                /** @description only pending decisions (the default and only state) */
                state?: "pending";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            argsHash: string;
                            expiresAt: string;
                            id: string;
                            input: unknown;
                            /** @enum {string} */
                            kind: "sensitive_tool" | "ambiguous_call";
                            requestedAt: string;
                            runId: string;
                            stepKey: string;
                            tool: string;
                        }[];
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    decideApproval: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description binds the decision to the exact arguments shown; a different hash is refused */
                    argsHash: string;
                    /**
                     * @description approve (an ambiguous call: retry it), deny (fail), or done: an ambiguous call did happen, with `output`
                     * @enum {string}
                     */
                    decision: "approve" | "deny" | "done";
                    /** @description decision done only: the tool's output, as JSON */
                    output?: unknown;
                    /** @description why; recorded with the decision */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        decision: "approve" | "deny" | "done";
                        id: string;
                        runId: string;
                        /** @enum {string} */
                        runStatus: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                        stepKey: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listAudit: {
        parameters: {
            query?: {
                /** @description only entries of this action (exact), e.g. task.submitted */
                action?: string;
                /** @description only entries by this actor (exact) */
                actor?: string;
                /** @description entries after this sequence number */
                after?: number;
                /** @description only entries at or after this time (ISO 8601 with a zone) */
                from?: string;
                /** @description page size, default 100 */
                limit?: number;
                /** @description only entries about this target (exact): a run id for run actions */
                target?: string;
                /** @description only entries before this time (ISO 8601 with a zone) */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            action: string;
                            actor: string;
                            at: string;
                            details: {
                                [key: string]: unknown;
                            };
                            hash: string;
                            prevHash: string;
                            seq: number;
                            target: string | null;
                            tenant: string;
                        }[];
                        nextAfter: number | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    verifyAudit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the first entry that does not verify */
                        brokenAt: number | null;
                        checkedAt: string;
                        /** @description signed checkpoints that matched */
                        checkpoints: number;
                        /** @description entries verified from the first, in order */
                        entries: number;
                        head: {
                            hash: string;
                            seq: number;
                        } | null;
                        lastCheckpoint: {
                            at: string;
                            seq: number;
                        } | null;
                        ok: boolean;
                        reason: string | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listMcpServers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            error: string | null;
                            name: string;
                            /** @enum {string} */
                            status: "connecting" | "ready" | "down" | "closed" | "skipped";
                            tools: string[];
                        }[];
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listSchedules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            createdAt: string;
                            cron: string | null;
                            everyMs: number | null;
                            id: string;
                            /** @description the last tick that submitted a run */
                            lastRunAt: string | null;
                            /** @description what the last due tick did; runs it made carry input.scheduleId */
                            lastTick: {
                                /** @enum {string} */
                                outcome: "submitted" | "duplicate" | "missed" | "refused";
                                /** @description refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED) */
                                reason: string | null;
                                runId: string | null;
                                skippedTicks: number | null;
                                tick: string;
                            } | null;
                            /** @enum {string} */
                            missed: "skip" | "run_once";
                            name: string | null;
                            /** @description the next tick (ISO 8601) */
                            nextRunAt: string;
                            paused: boolean;
                            task: {
                                description: string;
                                input?: {
                                    [key: string]: unknown;
                                };
                            };
                            timeZone: string | null;
                            updatedAt: string;
                        }[];
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"; or everyMs */
                    cron?: string;
                    /** @description an interval in milliseconds (≥ 1000); or cron */
                    everyMs?: number;
                    /**
                     * @description ticks missed while no replica ran: skip them (default) or run once for all of them
                     * @enum {string}
                     */
                    missed?: "skip" | "run_once";
                    /** @description a name to know it by */
                    name?: string;
                    /** @description create it paused */
                    paused?: boolean;
                    /** @description the task each tick submits, as POST /v1/tasks takes it */
                    task: {
                        /** @description https URL the run's outcome is POSTed to when it finishes, signed (see Webhooks in docs/run-control.md) */
                        callbackUrl?: string;
                        /** @description the task in plain words, e.g. "生成季度财务报告" */
                        description: string;
                        /** @description structured input for the planner and tools */
                        input?: {
                            [key: string]: unknown;
                        };
                        /** @description 0-9, 9 first: the order of this tenant's own queued runs (default 5); tenants take turns whatever their priorities */
                        priority?: number;
                    };
                    /** @description IANA zone the cron is read in, e.g. "Asia/Shanghai"; default UTC */
                    timeZone?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        cron: string | null;
                        everyMs: number | null;
                        id: string;
                        /** @description the last tick that submitted a run */
                        lastRunAt: string | null;
                        /** @description what the last due tick did; runs it made carry input.scheduleId */
                        lastTick: {
                            /** @enum {string} */
                            outcome: "submitted" | "duplicate" | "missed" | "refused";
                            /** @description refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED) */
                            reason: string | null;
                            runId: string | null;
                            skippedTicks: number | null;
                            tick: string;
                        } | null;
                        /** @enum {string} */
                        missed: "skip" | "run_once";
                        name: string | null;
                        /** @description the next tick (ISO 8601) */
                        nextRunAt: string;
                        paused: boolean;
                        task: {
                            description: string;
                            input?: {
                                [key: string]: unknown;
                            };
                        };
                        timeZone: string | null;
                        updatedAt: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        cron: string | null;
                        everyMs: number | null;
                        id: string;
                        /** @description the last tick that submitted a run */
                        lastRunAt: string | null;
                        /** @description what the last due tick did; runs it made carry input.scheduleId */
                        lastTick: {
                            /** @enum {string} */
                            outcome: "submitted" | "duplicate" | "missed" | "refused";
                            /** @description refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED) */
                            reason: string | null;
                            runId: string | null;
                            skippedTicks: number | null;
                            tick: string;
                        } | null;
                        /** @enum {string} */
                        missed: "skip" | "run_once";
                        name: string | null;
                        /** @description the next tick (ISO 8601) */
                        nextRunAt: string;
                        paused: boolean;
                        task: {
                            description: string;
                            input?: {
                                [key: string]: unknown;
                            };
                        };
                        timeZone: string | null;
                        updatedAt: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        cron: string | null;
                        everyMs: number | null;
                        id: string;
                        /** @description the last tick that submitted a run */
                        lastRunAt: string | null;
                        /** @description what the last due tick did; runs it made carry input.scheduleId */
                        lastTick: {
                            /** @enum {string} */
                            outcome: "submitted" | "duplicate" | "missed" | "refused";
                            /** @description refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED) */
                            reason: string | null;
                            runId: string | null;
                            skippedTicks: number | null;
                            tick: string;
                        } | null;
                        /** @enum {string} */
                        missed: "skip" | "run_once";
                        name: string | null;
                        /** @description the next tick (ISO 8601) */
                        nextRunAt: string;
                        paused: boolean;
                        task: {
                            description: string;
                            input?: {
                                [key: string]: unknown;
                            };
                        };
                        timeZone: string | null;
                        updatedAt: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    pauseSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        cron: string | null;
                        everyMs: number | null;
                        id: string;
                        /** @description the last tick that submitted a run */
                        lastRunAt: string | null;
                        /** @description what the last due tick did; runs it made carry input.scheduleId */
                        lastTick: {
                            /** @enum {string} */
                            outcome: "submitted" | "duplicate" | "missed" | "refused";
                            /** @description refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED) */
                            reason: string | null;
                            runId: string | null;
                            skippedTicks: number | null;
                            tick: string;
                        } | null;
                        /** @enum {string} */
                        missed: "skip" | "run_once";
                        name: string | null;
                        /** @description the next tick (ISO 8601) */
                        nextRunAt: string;
                        paused: boolean;
                        task: {
                            description: string;
                            input?: {
                                [key: string]: unknown;
                            };
                        };
                        timeZone: string | null;
                        updatedAt: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    resumeSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        cron: string | null;
                        everyMs: number | null;
                        id: string;
                        /** @description the last tick that submitted a run */
                        lastRunAt: string | null;
                        /** @description what the last due tick did; runs it made carry input.scheduleId */
                        lastTick: {
                            /** @enum {string} */
                            outcome: "submitted" | "duplicate" | "missed" | "refused";
                            /** @description refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED) */
                            reason: string | null;
                            runId: string | null;
                            skippedTicks: number | null;
                            tick: string;
                        } | null;
                        /** @enum {string} */
                        missed: "skip" | "run_once";
                        name: string | null;
                        /** @description the next tick (ISO 8601) */
                        nextRunAt: string;
                        paused: boolean;
                        task: {
                            description: string;
                            input?: {
                                [key: string]: unknown;
                            };
                        };
                        timeZone: string | null;
                        updatedAt: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description nextCursor from the previous page */
                cursor?: string;
                /** @description page size, default 50 */
                limit?: number;
                /** @description only runs in these statuses, comma-separated */
                status?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            createdAt: string;
                            description: string;
                            id: string;
                            links: {
                                cancel: string;
                                events: string;
                                self: string;
                            };
                            /** @description 0-9, 9 first (5 when the task named none) */
                            priority: number;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            updatedAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    submitTask: {
        parameters: {
            query?: never;
            header?: {
                /** @description 1-200 visible ASCII characters; same key + same body → same run */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description https URL the run's outcome is POSTed to when it finishes, signed (see Webhooks in docs/run-control.md) */
                    callbackUrl?: string;
                    /** @description the task in plain words, e.g. "生成季度财务报告" */
                    description: string;
                    /** @description structured input for the planner and tools */
                    input?: {
                        [key: string]: unknown;
                    };
                    /** @description 0-9, 9 first: the order of this tenant's own queued runs (default 5); tenants take turns whatever their priorities */
                    priority?: number;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        artifacts: {
                            bytes: number;
                            href: string;
                            mediaType: string;
                            name: string;
                        }[];
                        /** @description the webhook of a task submitted with callbackUrl */
                        callback?: {
                            attempts: number;
                            lastError?: string;
                            /**
                             * @description waiting: the run has not finished; pending: being delivered or retried
                             * @enum {string}
                             */
                            status: "waiting" | "pending" | "delivered" | "failed";
                            url: string;
                        };
                        /** @description child runs of this run's subtasks (agent "run"), oldest first */
                        children: {
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            /** @description the parent's subtask this run carries out */
                            subtask: string;
                        }[];
                        createdAt: string;
                        description: string;
                        durationMs: number | null;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        /** @description the run and step this run was forked from (POST /v1/tasks/{id}/fork); null when it is no fork */
                        forkedFrom?: {
                            runId: string;
                            step: string;
                        } | null;
                        /** @description runs forked from this one, oldest first (at most 100) */
                        forks?: {
                            createdAt: string;
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            step: string;
                        }[];
                        id: string;
                        input: {
                            [key: string]: unknown;
                        } | null;
                        links: {
                            cancel: string;
                            events: string;
                            self: string;
                        };
                        /** @description set when this run is a child run: its parent and the parent's subtask it carries out */
                        parent: {
                            id: string;
                            subtask: string;
                        } | null;
                        /** @description ids of steps waiting for a person: POST /v1/approvals/{id} */
                        pendingApprovals: string[];
                        plan: {
                            language: string;
                            source: string;
                            subtasks: {
                                agent: string;
                                dependsOn: string[];
                                id: string;
                                title: string;
                            }[];
                        } | null;
                        /** @description 0-9, 9 first (5 when the task named none) */
                        priority: number;
                        /** @description questions a tool asked (ctx.ask) still waiting for an answer, this run's and its unfinished child runs' (with runId): POST /v1/tasks/{id}/input */
                        questions: {
                            /** @description when the default answer is taken if nobody answers (ISO 8601) */
                            expiresAt?: string;
                            question: string;
                            /** @description set when a child run (or its own child) asked: answer with this runId */
                            runId?: string;
                            /** @description JSON Schema the answer must match */
                            schema: {
                                [key: string]: unknown;
                            };
                            /** @description the question's step key, to answer with */
                            step: string;
                        }[];
                        result: {
                            output: unknown;
                        } | null;
                        /** @enum {string} */
                        status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                        subtasks: {
                            agent: string;
                            calls: number;
                            dependsOn: string[];
                            /** @description time spent executing; after a resume the downtime is not counted */
                            durationMs: number | null;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            output?: unknown;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "pending" | "running" | "succeeded" | "failed" | "cancelled";
                            title: string;
                            /** @description from the subtask's first step to its end, downtime included */
                            wallMs: number | null;
                        }[];
                        updatedAt: string;
                        /** @description when a sleeping run's timer is due (ISO 8601); null unless the run sleeps */
                        wakeAt: string | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        artifacts: {
                            bytes: number;
                            href: string;
                            mediaType: string;
                            name: string;
                        }[];
                        /** @description the webhook of a task submitted with callbackUrl */
                        callback?: {
                            attempts: number;
                            lastError?: string;
                            /**
                             * @description waiting: the run has not finished; pending: being delivered or retried
                             * @enum {string}
                             */
                            status: "waiting" | "pending" | "delivered" | "failed";
                            url: string;
                        };
                        /** @description child runs of this run's subtasks (agent "run"), oldest first */
                        children: {
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            /** @description the parent's subtask this run carries out */
                            subtask: string;
                        }[];
                        createdAt: string;
                        description: string;
                        durationMs: number | null;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        /** @description the run and step this run was forked from (POST /v1/tasks/{id}/fork); null when it is no fork */
                        forkedFrom?: {
                            runId: string;
                            step: string;
                        } | null;
                        /** @description runs forked from this one, oldest first (at most 100) */
                        forks?: {
                            createdAt: string;
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            step: string;
                        }[];
                        id: string;
                        input: {
                            [key: string]: unknown;
                        } | null;
                        links: {
                            cancel: string;
                            events: string;
                            self: string;
                        };
                        /** @description set when this run is a child run: its parent and the parent's subtask it carries out */
                        parent: {
                            id: string;
                            subtask: string;
                        } | null;
                        /** @description ids of steps waiting for a person: POST /v1/approvals/{id} */
                        pendingApprovals: string[];
                        plan: {
                            language: string;
                            source: string;
                            subtasks: {
                                agent: string;
                                dependsOn: string[];
                                id: string;
                                title: string;
                            }[];
                        } | null;
                        /** @description 0-9, 9 first (5 when the task named none) */
                        priority: number;
                        /** @description questions a tool asked (ctx.ask) still waiting for an answer, this run's and its unfinished child runs' (with runId): POST /v1/tasks/{id}/input */
                        questions: {
                            /** @description when the default answer is taken if nobody answers (ISO 8601) */
                            expiresAt?: string;
                            question: string;
                            /** @description set when a child run (or its own child) asked: answer with this runId */
                            runId?: string;
                            /** @description JSON Schema the answer must match */
                            schema: {
                                [key: string]: unknown;
                            };
                            /** @description the question's step key, to answer with */
                            step: string;
                        }[];
                        result: {
                            output: unknown;
                        } | null;
                        /** @enum {string} */
                        status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                        subtasks: {
                            agent: string;
                            calls: number;
                            dependsOn: string[];
                            /** @description time spent executing; after a resume the downtime is not counted */
                            durationMs: number | null;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            output?: unknown;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "pending" | "running" | "succeeded" | "failed" | "cancelled";
                            title: string;
                            /** @description from the subtask's first step to its end, downtime included */
                            wallMs: number | null;
                        }[];
                        updatedAt: string;
                        /** @description when a sleeping run's timer is due (ISO 8601); null unless the run sleeps */
                        wakeAt: string | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getArtifact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the artifact, with its own media type */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancelTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        artifacts: {
                            bytes: number;
                            href: string;
                            mediaType: string;
                            name: string;
                        }[];
                        /** @description the webhook of a task submitted with callbackUrl */
                        callback?: {
                            attempts: number;
                            lastError?: string;
                            /**
                             * @description waiting: the run has not finished; pending: being delivered or retried
                             * @enum {string}
                             */
                            status: "waiting" | "pending" | "delivered" | "failed";
                            url: string;
                        };
                        /** @description child runs of this run's subtasks (agent "run"), oldest first */
                        children: {
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            /** @description the parent's subtask this run carries out */
                            subtask: string;
                        }[];
                        createdAt: string;
                        description: string;
                        durationMs: number | null;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        /** @description the run and step this run was forked from (POST /v1/tasks/{id}/fork); null when it is no fork */
                        forkedFrom?: {
                            runId: string;
                            step: string;
                        } | null;
                        /** @description runs forked from this one, oldest first (at most 100) */
                        forks?: {
                            createdAt: string;
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            step: string;
                        }[];
                        id: string;
                        input: {
                            [key: string]: unknown;
                        } | null;
                        links: {
                            cancel: string;
                            events: string;
                            self: string;
                        };
                        /** @description set when this run is a child run: its parent and the parent's subtask it carries out */
                        parent: {
                            id: string;
                            subtask: string;
                        } | null;
                        /** @description ids of steps waiting for a person: POST /v1/approvals/{id} */
                        pendingApprovals: string[];
                        plan: {
                            language: string;
                            source: string;
                            subtasks: {
                                agent: string;
                                dependsOn: string[];
                                id: string;
                                title: string;
                            }[];
                        } | null;
                        /** @description 0-9, 9 first (5 when the task named none) */
                        priority: number;
                        /** @description questions a tool asked (ctx.ask) still waiting for an answer, this run's and its unfinished child runs' (with runId): POST /v1/tasks/{id}/input */
                        questions: {
                            /** @description when the default answer is taken if nobody answers (ISO 8601) */
                            expiresAt?: string;
                            question: string;
                            /** @description set when a child run (or its own child) asked: answer with this runId */
                            runId?: string;
                            /** @description JSON Schema the answer must match */
                            schema: {
                                [key: string]: unknown;
                            };
                            /** @description the question's step key, to answer with */
                            step: string;
                        }[];
                        result: {
                            output: unknown;
                        } | null;
                        /** @enum {string} */
                        status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                        subtasks: {
                            agent: string;
                            calls: number;
                            dependsOn: string[];
                            /** @description time spent executing; after a resume the downtime is not counted */
                            durationMs: number | null;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            output?: unknown;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "pending" | "running" | "succeeded" | "failed" | "cancelled";
                            title: string;
                            /** @description from the subtask's first step to its end, downtime included */
                            wallMs: number | null;
                        }[];
                        updatedAt: string;
                        /** @description when a sleeping run's timer is due (ISO 8601); null unless the run sleeps */
                        wakeAt: string | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    taskEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description resume after this event id */
                "Last-Event-ID"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-Sent Events: `id`, `event`, `data` (JSON); resume with Last-Event-ID */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    forkTask: {
        parameters: {
            query?: never;
            header?: {
                /** @description 1-200 visible ASCII characters; same key + same body → same fork */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description as the Idempotency-Key header: the same key gives the same fork */
                    idempotencyKey?: string;
                    /** @description the fork's task input, replacing the parent's */
                    input?: {
                        [key: string]: unknown;
                    };
                    /** @description the step's result in the fork, as JSON: a tool call's output, a subtask's output, a replacement plan, or a question's answer; left out, the step is executed again */
                    output?: unknown;
                    /** @description the step key to fork from (GET /v1/tasks/{id}/steps), e.g. subtask/fetch/call/0, subtask/fetch/done or plan */
                    step: string;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        artifacts: {
                            bytes: number;
                            href: string;
                            mediaType: string;
                            name: string;
                        }[];
                        /** @description the webhook of a task submitted with callbackUrl */
                        callback?: {
                            attempts: number;
                            lastError?: string;
                            /**
                             * @description waiting: the run has not finished; pending: being delivered or retried
                             * @enum {string}
                             */
                            status: "waiting" | "pending" | "delivered" | "failed";
                            url: string;
                        };
                        /** @description child runs of this run's subtasks (agent "run"), oldest first */
                        children: {
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            /** @description the parent's subtask this run carries out */
                            subtask: string;
                        }[];
                        createdAt: string;
                        description: string;
                        durationMs: number | null;
                        error: {
                            code: string;
                            message: string;
                        } | null;
                        /** @description the run and step this run was forked from (POST /v1/tasks/{id}/fork); null when it is no fork */
                        forkedFrom?: {
                            runId: string;
                            step: string;
                        } | null;
                        /** @description runs forked from this one, oldest first (at most 100) */
                        forks?: {
                            createdAt: string;
                            id: string;
                            /** @enum {string} */
                            status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                            step: string;
                        }[];
                        id: string;
                        input: {
                            [key: string]: unknown;
                        } | null;
                        links: {
                            cancel: string;
                            events: string;
                            self: string;
                        };
                        /** @description set when this run is a child run: its parent and the parent's subtask it carries out */
                        parent: {
                            id: string;
                            subtask: string;
                        } | null;
                        /** @description ids of steps waiting for a person: POST /v1/approvals/{id} */
                        pendingApprovals: string[];
                        plan: {
                            language: string;
                            source: string;
                            subtasks: {
                                agent: string;
                                dependsOn: string[];
                                id: string;
                                title: string;
                            }[];
                        } | null;
                        /** @description 0-9, 9 first (5 when the task named none) */
                        priority: number;
                        /** @description questions a tool asked (ctx.ask) still waiting for an answer, this run's and its unfinished child runs' (with runId): POST /v1/tasks/{id}/input */
                        questions: {
                            /** @description when the default answer is taken if nobody answers (ISO 8601) */
                            expiresAt?: string;
                            question: string;
                            /** @description set when a child run (or its own child) asked: answer with this runId */
                            runId?: string;
                            /** @description JSON Schema the answer must match */
                            schema: {
                                [key: string]: unknown;
                            };
                            /** @description the question's step key, to answer with */
                            step: string;
                        }[];
                        result: {
                            output: unknown;
                        } | null;
                        /** @enum {string} */
                        status: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                        subtasks: {
                            agent: string;
                            calls: number;
                            dependsOn: string[];
                            /** @description time spent executing; after a resume the downtime is not counted */
                            durationMs: number | null;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            finishedAt: string | null;
                            id: string;
                            output?: unknown;
                            startedAt: string | null;
                            /** @enum {string} */
                            status: "pending" | "running" | "succeeded" | "failed" | "cancelled";
                            title: string;
                            /** @description from the subtask's first step to its end, downtime included */
                            wallMs: number | null;
                        }[];
                        updatedAt: string;
                        /** @description when a sleeping run's timer is due (ISO 8601); null unless the run sleeps */
                        wakeAt: string | null;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    answerTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description the answer as JSON; checked against the question's schema */
                    answer: unknown;
                    /** @description a question of a child run (questions[].runId): that run's id; the child resumes where it asked */
                    runId?: string;
                    /** @description the question's step key, from questions[].step of GET /v1/tasks/{id} */
                    step: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        runId: string;
                        /** @enum {string} */
                        runStatus: "queued" | "planning" | "running" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children" | "succeeded" | "failed" | "cancelled";
                        step: string;
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getTaskSteps: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the run budgets this server enforces; 0: no limit */
                        budget: {
                            maxCost: number;
                            maxMs: number;
                            maxTokens: number;
                            maxToolCalls: number;
                        };
                        items: {
                            /** @description for an ambiguous step: POST /v1/approvals/{approvalId} decides it */
                            approvalId: string | null;
                            /** @description tool calls: attempts made, retries included */
                            attempts: number | null;
                            /** @description a tool call answered by the tool cache, without calling the tool */
                            cached: boolean;
                            /** @description what usage cost at the configured prices; null when unpriced */
                            cost: number | null;
                            durationMs: number | null;
                            error: {
                                code: string;
                                message: string;
                            } | null;
                            finishedAt: string | null;
                            /** @description what the step was given: the tool call, the model turn */
                            input: unknown;
                            /** @description the stable step key, e.g. subtask/fetch/call/0 */
                            key: string;
                            /** @enum {string} */
                            kind: "plan" | "tool_call" | "model_call" | "approval" | "subtask" | "sleep" | "input" | "child";
                            model: string | null;
                            /** @description what it returned: the tool's output, the model's decision (files as names only) */
                            output: unknown;
                            startedAt: string;
                            /** @enum {string} */
                            status: "started" | "succeeded" | "failed" | "ambiguous";
                            subtaskId: string | null;
                            tool: string | null;
                            /** @description tokens a model decision or an LLM plan used */
                            usage: {
                                inputTokens: number;
                                outputTokens: number;
                                totalTokens: number;
                            } | null;
                        }[];
                        usage: {
                            cost: number;
                            elapsedMs: number;
                            tokens: {
                                inputTokens: number;
                                outputTokens: number;
                                totalTokens: number;
                            };
                            toolCalls: number;
                        };
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listTools: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description calls are coalesced into batches */
                            batched: boolean;
                            /** @description results are kept in the tool cache */
                            cached: boolean;
                            description: string;
                            idempotent: boolean;
                            /** @description JSON Schema of the input */
                            input: {
                                [key: string]: unknown;
                            };
                            name: string;
                            /** @description JSON Schema of the output */
                            output: {
                                [key: string]: unknown;
                            };
                            sensitive: boolean;
                            timeoutMs: number;
                        }[];
                    };
                };
            };
            /** @description problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description problem */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
