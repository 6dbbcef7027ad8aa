/** Child processes of the benchmark: spawned, awaited until ready, and always stopped (also on a crash or Ctrl-C). */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

const live = new Set<ChildProcess>();

/** The arguments `npm start` gives node (V8 flags, the entry point), so the bench runs the server as it is started. */
export function startArgs(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`npm start runs ${command}, not node: update startArgs`);
  return args;
}

/** Last resort: whatever is still running when this process exits gets SIGKILL. */
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The last lines the child wrote (stdout and stderr), for error messages and the log summary. */
  output: string[];
  exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], env: Record<string, string>, keepLines = 2000): Child {
  const proc = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  live.add(proc);
  const output: string[] = [];
  const collect = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line) continue;
      output.push(line);
      if (output.length > keepLines) output.shift();
    }
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  proc.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    });
  });
  return {
    proc,
    pid: proc.pid,
    output,
    exited,
    async stop(timeoutMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A ts-node (transpile-only) child that prints `{"url": ...}` as its first JSON line; `nodeArgs` go before the script. */
export async function startTsChild(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Child & { url: string }> {
  const child = startChild(name, process.execPath, [...nodeArgs, '-r', 'ts-node/register/transpile-only', script], {
    TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
    ...env,
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s:\n${child.output.join('\n')}`)), 60_000);
    const onData = (buf: Buffer) => {
      for (const line of buf.toString('utf8').split('\n')) {
        try {
          const parsed = JSON.parse(line);
          if (typeof parsed?.url === 'string') {
            clearTimeout(timer);
            child.proc.stdout!.off('data', onData);
            resolve(parsed.url);
            return;
          }
        } catch {
          /* not the ready line */
        }
      }
    };
    child.proc.stdout!.on('data', onData);
    child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${child.output.join('\n')}`));
    });
  });
  return Object.assign(child, { url });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in bytes (VmRSS), or NaN if it cannot be read. */
export function rssBytes(pid: number): number {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) a process has used, in ms, or NaN once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8') as string;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ: what /proc reports CPU times in on Linux

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
