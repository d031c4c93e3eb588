// Bundles a bench entry with rollup the way an app would: node-resolve with the `browser`
// condition, optional terser. Returns the code (no file written unless `file` is given).
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { writeFile } from 'node:fs/promises';

/**
 * @param {string} input entry file
 * @param {{ external?: (id: string) => boolean, minify?: boolean, format?: 'iife' | 'es', name?: string, file?: string }} [opts]
 */
export async function bundle(input, { external, minify = true, format = 'iife', name, file, modules } = {}) {
  const build = await rollup({
    input,
    external,
    plugins: [nodeResolve({ browser: true })],
    onwarn(warning, warn) {
      if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
      warn(warning);
    },
  });
  const { output } = await build.generate({
    format,
    name,
    globals: (id) => (id.startsWith('zone.js') ? 'Zone' : id),
    plugins: minify ? [terser({ ecma: 2020 })] : [],
  });
  await build.close();
  const code = output[0].code;
  // Rendered (pre-minification) bytes per module, for finding what a bundle is made of.
  if (modules) for (const [id, m] of Object.entries(output[0].modules)) modules[id] = m.renderedLength;
  if (file) await writeFile(file, code);
  return code;
}

import { gzipSync } from 'node:zlib';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.resolve(benchDir, '../dist');

/** Minified and gzip (zlib level 9) bytes of `code`. */
export function sizes(code) {
  const buf = Buffer.from(code);
  return { min: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}

/** The budgets of issue 7, in bytes (gzip). */
export const BUDGETS = {
  iife: 8192, // dist/isotrace.iife.min.js: fetch, WebSocket client, span tracer, OTLP exporter; zone.js not included
  fetchOtlpApp: 5120, // the tree-shaken browser entry for an app that only traces fetch and exports OTLP
};

/** Sizes of the isotrace bundles (the two IIFEs, read from dist/, and the fetch+OTLP app, built now). */
export async function isotraceSizes() {
  const out = {};
  for (const [key, file] of [
    ['iife', 'isotrace.iife.min.js'],
    ['zoneIife', 'isotrace.zone.iife.min.js'],
  ]) {
    const full = path.join(distDir, file);
    if (!existsSync(full)) throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
    out[key] = { file: `dist/${file}`, ...sizes(readFileSync(full)) };
  }
  const entry = path.join(benchDir, 'apps/isotrace-fetch-otlp.mjs');
  out.fetchOtlpApp = { file: 'bench/apps/isotrace-fetch-otlp.mjs (rollup + node-resolve browser + terser)', ...sizes(await bundle(entry)) };
  return out;
}

/** The OpenTelemetry web equivalent, zone.js external (not counted). */
export async function otelWebSizes() {
  const entry = path.join(benchDir, 'apps/otel-web-fetch-otlp.mjs');
  const code = await bundle(entry, { external: (id) => id === 'zone.js' || id.startsWith('zone.js/') });
  return { file: 'bench/apps/otel-web-fetch-otlp.mjs (same build, zone.js external)', ...sizes(code) };
}

/** The modules of a bundle by rendered size (before minification), biggest first. */
export async function breakdown(input, opts = {}) {
  const modules = {};
  await bundle(input, { ...opts, minify: false, modules });
  return Object.entries(modules)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([id, n]) => [path.relative(path.resolve(benchDir, '..'), id), n]);
}
