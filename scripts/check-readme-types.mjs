// Type-checks the README's TypeScript examples the way a user meets them: against the packed
// package (npm pack), installed from the tarball in a scratch app in a temp dir, under
// moduleResolution nodenext, node16 and bundler, with TypeScript 5.9 and with the project's own.
//
//   node scripts/check-readme-types.mjs [file.md]      default: README.md
//
// Every ```ts (or ```typescript) block is its own module (moduleDetection: force, so top-level
// await works and names never clash between blocks); a block whose info string says
// `no-check` (```ts no-check) is skipped. A block must stand alone: import what it uses and
// `declare` what it only assumes (`declare const app: Express;`). Packing runs the prepack
// build unless npm_config_ignore_scripts=true (scripts/test.sh sets it: it has just built).
// The scratch app gets isotrace from the tarball (npm install --offline: the package has no
// dependencies) and links the few packages examples import (@types/node, express, ws, …) from
// this project's node_modules, so nothing is downloaded. Exits 1 on a type error, printing the
// block, its README line and the resolution and TypeScript version that failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const started = performance.now();

/** TypeScript versions: a 5.x users still run, and the project's own. */
const COMPILERS = ['typescript-5.9', 'typescript'];
/** moduleResolution, with the `module` it goes with. */
const RESOLUTIONS = [
  { moduleResolution: 'nodenext', module: 'nodenext' },
  { moduleResolution: 'node16', module: 'node16' },
  { moduleResolution: 'bundler', module: 'esnext' },
];
/** What README examples may import besides isotrace, linked from this project's node_modules. */
const LINKED = [
  '@types/node',
  '@types/express',
  '@types/ws',
  'express',
  'ws',
  '@opentelemetry/api',
  'zone.js',
  'hono',
  '@trpc/server',
  '@connectrpc/connect',
  '@connectrpc/connect-node',
  '@connectrpc/connect-web',
  '@bufbuild/protobuf',
];

const mdPath = path.resolve(process.argv[2] ?? path.join(root, 'README.md'));
const mdName = path.relative(process.cwd(), mdPath) || mdPath;

/** The ```ts blocks of a markdown text: body, first body line (1-based), skipped or not. */
function tsBlocks(markdown) {
  const lines = markdown.split(/\r?\n/);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j])) j++;
    if (/^(ts|typescript)$/i.test(lang)) {
      const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
      blocks.push({ line: i + 2, text: body.join('\n'), skip: /\bno-check\b/.test(rest) });
    }
    i = j;
  }
  return blocks;
}

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const blocks = tsBlocks(readFileSync(mdPath, 'utf8'));
const checked = blocks.filter((b) => !b.skip);
if (!checked.length) {
  console.log(`check-readme-types: ${mdName} has no \`\`\`ts block to check (${blocks.length} skipped)`);
  process.exit(0);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'isotrace-readme-'));
let failed = 0;
try {
  // The package as npm would publish it.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], root));
  const tarball = path.join(tmp, packed[0].filename);

  // A scratch app that installs it.
  const app = path.join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'readme-examples', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', tarball], app);
  for (const name of LINKED) {
    const from = path.join(root, 'node_modules', name);
    const to = path.join(app, 'node_modules', name);
    if (!existsSync(from) || existsSync(to)) continue;
    mkdirSync(path.dirname(to), { recursive: true });
    symlinkSync(from, to, 'dir');
  }

  const files = checked.map((b) => {
    const file = path.join(app, `readme-line-${b.line}.ts`);
    writeFileSync(file, `${b.text}\n`);
    return { ...b, file };
  });
  const byFile = new Map(files.map((f) => [f.file, f]));

  for (const compiler of COMPILERS) {
    const ts = require(compiler);
    for (const { moduleResolution, module } of RESOLUTIONS) {
      const { options, errors } = ts.convertCompilerOptionsFromJson(
        {
          target: 'es2022',
          module,
          moduleResolution,
          moduleDetection: 'force',
          lib: ['es2022', 'dom', 'dom.iterable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          isolatedModules: true,
          verbatimModuleSyntax: true,
        },
        app,
      );
      if (errors.length) throw new Error(ts.flattenDiagnosticMessageText(errors[0].messageText, '\n'));
      const program = ts.createProgram(
        files.map((f) => f.file),
        options,
      );
      const where = `TypeScript ${ts.version}, moduleResolution ${moduleResolution} (module ${module})`;
      for (const d of ts.getPreEmitDiagnostics(program)) {
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
        const block = d.file && byFile.get(path.resolve(d.file.fileName));
        if (block && d.start !== undefined) {
          const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
          console.error(`${mdName}:${block.line + line}:${character + 1}: the block at line ${block.line - 1}, ${where}: error TS${d.code}: ${message}`);
        } else {
          console.error(`${d.file ? d.file.fileName : 'options'}, ${where}: error TS${d.code}: ${message}`);
        }
        failed++;
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const summary = `${checked.length} block(s) of ${mdName} (${blocks.length - checked.length} no-check) × ${RESOLUTIONS.length} resolutions × ${COMPILERS.length} TypeScript versions, ${((performance.now() - started) / 1000).toFixed(1)} s`;
if (failed) {
  console.error(`check-readme-types: FAILED, ${failed} error(s) in ${summary}`);
  process.exit(1);
}
console.log(`check-readme-types: ok, ${summary}`);
