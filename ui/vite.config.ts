import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into dist-ui/ and served by `cs-agents serve` under /ui/; everything offline, no CDN.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist-ui", import.meta.url)),
    emptyOutDir: true,
    // No inline module-preload polyfill: the page runs under a CSP without inline script.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
