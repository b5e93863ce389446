#!/usr/bin/env node
// Writes src/client/openapi.ts from the OpenAPI document built by the same code that serves
// /openapi.json (dist/api/openapi.js: run after `tsc -p tsconfig.build.json`). Starts no server
// and opens no network connection.   npm run gen:client
import { writeFileSync } from "node:fs";
import { buildOpenApi } from "../dist/api/openapi.js";
import { clientTypesOf } from "./client-types.mjs";

const target = new URL("../src/client/openapi.ts", import.meta.url);
writeFileSync(target, await clientTypesOf(buildOpenApi("0")));
console.log("wrote src/client/openapi.ts");
