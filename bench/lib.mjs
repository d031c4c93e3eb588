// Shared helpers of the bench scripts: statistics, child processes, the result line that
// bench/run-all.mjs collects, and paths. Bench scripts import the BUILT dist/ (what users get).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const rootDir = path.resolve(benchDir, '..');
export const distDir = path.join(rootDir, 'dist');
/** Node 24 from npm's `node` package (the machine's node is 20). */
export const node24 = path.join(rootDir, 'node_modules/node/bin/node');

export const distUrl = (file) => pathToFileURL(path.join(distDir, file)).href;

/** Imports a dist/ entry, failing with a clear message when it is not built (or not yet). */
export async function importDist(file, names = []) {
  const full = path.join(distDir, file);
  if (!existsSync(full)) fail(`${path.relative(rootDir, full)} is missing: run \`npm run build\` first`);
  const mod = await import(pathToFileURL(full).href);
  const missing = names.filter((n) => !(n in mod));
  if (missing.length) fail(`${path.relative(rootDir, full)} does not export ${missing.join(', ')} (not built yet?)`);
  return mod;
}

export function fail(message, code = 2) {
  console.error(`bench: ${message}`);
  process.exit(code);
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Min and max, for a spread next to each median. */
export const spread = (values) => [Math.min(...values), Math.max(...values)];

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export const fmtRatio = (r) => `${fmt(r, 3)}×`;
export const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

/** Rotates `modes` by `round`, so no mode always runs first (alternation on a shared machine). */
export const rotate = (modes, round) => modes.map((_, i) => modes[(i + round) % modes.length]);

export function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}
export const argInt = (name, fallback) => Number.parseInt(argValue(name, String(fallback)), 10);
export const hasFlag = (name) => process.argv.includes(`--${name}`);

const RESULT_PREFIX = 'BENCH_RESULT ';

/**
 * Prints the machine-readable summary line bench/run-all.mjs reads: `rows` of
 * `{ metric, value, budget?, ok? }`. Keep it the last thing a script prints.
 */
export function emitResult(script, rows) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ script, rows })}\n`);
}

export function parseResults(stdout) {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(RESULT_PREFIX))
    .map((l) => JSON.parse(l.slice(RESULT_PREFIX.length)));
}

/** Line a child process prints with its measurement; the parent parses it. */
const CHILD_PREFIX = 'BENCH_CHILD ';
export const childReport = (data) => process.stdout.write(`${CHILD_PREFIX}${JSON.stringify(data)}\n`);

/**
 * Runs `execPath args…` and resolves with the object the child printed through
 * {@link childReport}. Rejects on a non-zero exit, or after `timeoutMs` (the child is killed).
 */
export function runChild(execPath, args, { timeoutMs = 120_000, env, cwd = rootDir } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms: ${path.basename(execPath)} ${args.join(' ')}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(CHILD_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`child failed (code ${code}, signal ${signal}): ${path.basename(execPath)} ${args.join(' ')}\n${err || out}`));
        return;
      }
      resolve(JSON.parse(line.slice(CHILD_PREFIX.length)));
    });
  });
}

/** A table in markdown, from rows of cells. */
export function markdownTable(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** `process.hrtime.bigint()` in ns as a number. */
export const nowNs = () => Number(process.hrtime.bigint());

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
