import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import type { Plugin } from "vite";

const OUT_DIR = fileURLToPath(new URL("../dist-ui", import.meta.url));

/**
 * Writes a .br and a .gz next to each text file of the build: the server sends them to browsers
 * that take them (@fastify/static's preCompressed), a third of the bytes, with no compression
 * work per request.
 */
function precompress(): Plugin {
  return {
    name: "cs-agents-precompress",
    apply: "build",
    closeBundle() {
      const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
      for (const file of walk(OUT_DIR).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const bytes = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

// Built into dist-ui/ and served by `cs-agents serve` under /ui/; everything offline, no CDN.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ui/",
  plugins: [react(), precompress()],
  resolve: {
    // react-router's package exports name only its development build (dev warnings kept in);
    // its production build ships beside it, the same code with the warnings compiled out.
    alias: [{ find: /^react-router$/, replacement: fileURLToPath(new URL("../node_modules/react-router/dist/production/index.mjs", import.meta.url)) }],
  },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    // No inline module-preload polyfill: the page runs under a CSP without inline script.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
