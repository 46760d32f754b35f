import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The console is served by the `urbangrid` binary at `/` (embedded from dist/ at build time).
// Three entries, each with its own bundle: the desktop console (index.html), the collector's
// mobile web (m/index.html, served at /m/; no Element Plus, so a collector on 4G loads little)
// and the public page 随手拍 (h5/index.html, served at /h5/<county>). public/m/ holds the PWA's
// manifest, icons and service worker, copied as they are.
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
    rollupOptions: {
      input: {
        console: fileURLToPath(new URL('./index.html', import.meta.url)),
        mobile: fileURLToPath(new URL('./m/index.html', import.meta.url)),
        public: fileURLToPath(new URL('./h5/index.html', import.meta.url)),
      },
    },
  },
  server: {
    // `npm run dev` against a local `urbangrid serve --demo`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
