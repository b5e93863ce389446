// The TypeScript types of the typed client (src/client/openapi.ts), generated from the OpenAPI
// document the server serves. Shared by `npm run gen:client` and the test that fails when the
// checked-in file differs from what the API now describes.
import openapiTS, { astToString } from "openapi-typescript";

export const CLIENT_TYPES_HEADER =
  "// Generated from the server's /openapi.json by `npm run gen:client` (openapi-typescript); do not edit.\n" +
  "// test/client/openapi-types.test.ts fails when this file and the API differ.\n\n";

/** The file's text for an OpenAPI 3.1 document (an object, never fetched: no network). */
export async function clientTypesOf(document) {
  // The version in `info` is not part of the types; fixing it keeps a version bump from changing the file.
  const ast = await openapiTS({ ...document, info: { ...document.info, version: "0" } }, { silent: true, alphabetize: true });
  return CLIENT_TYPES_HEADER + astToString(ast);
}
