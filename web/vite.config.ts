// Builds the console into dist/ (served by `gamelake serve` at /; see
// docs/console.md). `npm run dev` serves it with hot reload and sends the API
// to a gamelake at GAMELAKE_URL (default http://127.0.0.1:8080).
import { defineConfig } from 'vite';

const target = process.env['GAMELAKE_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/v1': { target, changeOrigin: false } },
  },
});
