/**
 * The dashboard's build: `npm run build:ui` bundles web/dashboard/ (React, with the typed client from src/client)
 * into web/dashboard/dist/, which the server serves at `/` (src/server/dashboard-static.ts).
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("./dist/", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1_000,
    sourcemap: false,
  },
  server: {
    // `npx vite --config web/dashboard/vite.config.ts` while `npm start` runs: the API on port 3000.
    proxy: { "/v1": "http://127.0.0.1:3000" },
  },
});
