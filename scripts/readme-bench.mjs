// Copies the table of bench/RESULTS.md (written by `npm run bench`) into README.md, between the
// Benchmarks section's intro and its summary, so the README shows the latest figures.
import { readFileSync, writeFileSync } from 'node:fs';

const results = readFileSync(new URL('../bench/RESULTS.md', import.meta.url), 'utf8').split('\n').slice(1).join('\n').trim();
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = readme.indexOf('\nMeasured ');
const end = readme.indexOf('\nWhere isotrace stands today');
if (start < 0 || end < start) throw new Error('README.md: the Benchmarks section has no "Measured … / Where isotrace stands today" block to replace');
writeFileSync(readmeUrl, `${readme.slice(0, start)}\n${results}\n${readme.slice(end)}`);
