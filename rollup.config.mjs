// Three builds: the ESM entries (with .d.ts), the script-tag bundle that expects zone.js on the
// page, and the script-tag bundle with zone.js inside.
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { nodeResolve } from '@rollup/plugin-node-resolve';

const external = (id) => id.startsWith('node:') || id === 'ws' || id === 'zone.js' || id.startsWith('@opentelemetry/') || id.startsWith('@connectrpc/');
const scriptTag = (input, file, plugins = []) => ({
  input,
  output: { file, format: 'iife', name: 'isotrace', sourcemap: false, plugins: [terser({ ecma: 2020 })] },
  plugins: [...plugins, typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: undefined, noEmitOnError: true })],
});

export default [
  {
    // One build for every ESM entry, so they share one chunk: one context key and one manager.
    input: {
      index: 'src/index.ts',
      node: 'src/node.ts',
      browser: 'src/browser.ts',
      protocol: 'src/protocol.ts',
      otel: 'src/otel.ts',
      express: 'src/express.ts',
      hono: 'src/hono.ts',
      connect: 'src/connect.ts',
    },
    external,
    // Readable code without comments, in ASCII: Node keeps a module's source text in the heap
    // for lazy compilation, and the comments' non-ASCII characters (→, ≤, µ) made V8 store all
    // of it at two bytes per character (~470 KB of heap in every Node process). Types carry
    // the TSDoc; `#__PURE__` annotations are kept for bundlers.
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].mjs',
      chunkFileNames: 'chunks/[name]-[hash].mjs',
      plugins: [
        terser({ compress: false, mangle: false, module: true, format: { comments: false, beautify: true, ascii_only: true, preserve_annotations: true } }),
      ],
    },
    plugins: [typescript({ tsconfig: './tsconfig.json', outDir: 'dist', declarationDir: 'dist/types', noEmitOnError: true })],
  },
  scriptTag('src/browser.ts', 'dist/isotrace.iife.min.js'),
  scriptTag('src/browser-zone.ts', 'dist/isotrace.zone.iife.min.js', [nodeResolve({ browser: true })]),
];
