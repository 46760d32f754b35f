import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The console is served by the `urbangrid` binary at `/` (embedded from dist/ at build time).
// Element Plus is imported on demand so the login page stays small (BENCHMARKS.md: ≤ 300 KB
// of gzipped JavaScript before login); views are lazy chunks loaded by the router.
export default defineConfig({
  base: '/',
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  plugins: [
    vue(),
    AutoImport({ resolvers: [ElementPlusResolver()], dts: false }),
    Components({ resolvers: [ElementPlusResolver()], dts: false }),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a local `urbangrid serve --demo`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
