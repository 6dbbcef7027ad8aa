#!/usr/bin/env node
// Runs before `npm start`: compiles with the Nest CLI when dist/ is missing or older than any source file.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const output = join(root, 'dist', 'src', 'main.js');
// An incremental build rewrites only the files that changed, so the build time is kept in a stamp of its own.
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

const sources = ['src', 'ormconfig.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(root, p));
if (!existsSync(output) || !existsSync(stamp) || sources.some((p) => existsSync(p) && newestMtime(p) > statSync(stamp).mtimeMs)) {
  process.stdout.write('Building Mnemo...\n');
  const started = Date.now();
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, '');
  utimesSync(stamp, new Date(started), new Date(started));
}
