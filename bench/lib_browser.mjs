// Shared by the console benchmarks (bench/console_*.mjs): Playwright from the
// console's own node_modules (web/, `npm ci` there first), Debian's chromium,
// argument parsing and statistics. Not part of the tests.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
    headless: true,
  });
}

// --name value pairs into an object (numbers where they parse).
export function parseArgs(defaults) {
  const out = { ...defaults };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) {
    const k = v[i].replace(/^--/, '');
    if (!(k in defaults)) throw new Error(`unknown argument ${v[i]}`);
    const x = v[i + 1];
    out[k] = typeof defaults[k] === 'number' ? Number(x) : x;
  }
  return out;
}

export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  // Nearest rank.
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function loadavg() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export const round1 = (x) => Math.round(x * 10) / 10;
