// Shared pieces of every bench section: the machine line, timing, processes, the table.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export function machineLine(): string {
  const cpu = cpus();
  const nix = spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' });
  const nixVersion = nix.status === 0 ? nix.stdout.trim().replace(/^.*\) /, '') : 'not installed';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return [
    `machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, load ${load}`,
    `node ${process.version}, nix ${nixVersion}, ${new Date().toISOString()}`,
  ].join('\n');
}

/** CPU seconds of finished child processes, when /usr/bin/time can tell us. */
let childCpuMs = 0;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export interface Timing {
  /** Wall clock, median of the runs. */
  ms: number;
  /** CPU time (user + system, this process and its children), median of the runs. */
  cpuMs: number;
}

/** The middle value; for an even count the mean of the two middle ones (never the upper one). */
export function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `runs` times; medians are what we report (the machine is shared and noisy). */
export async function timed(runs: number, fn: () => Promise<unknown> | unknown): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const k0 = childCpuMs;
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 + childCpuMs - k0);
  }
  return { ms: median(wall), cpuMs: median(cpu) };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns one process to completion; stdout is kept only when asked (nix prints whole ASTs). */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; keepStdout?: boolean } = {},
): Promise<ProcessResult> {
  const cpuFile = TIME ? join(tmpdir(), `tappaas-bench-cpu-${process.pid}-${++spawned}`) : undefined;
  const [program, argv] =
    TIME && cpuFile ? [TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = spawn(program, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', opts.keepStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (cpuFile) {
        try {
          const [user = 0, sys = 0] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
          childCpuMs += (user + sys) * 1000;
          rmSync(cpuFile, { force: true });
        } catch {
          // No figure: the wall clock still stands.
        }
      }
      resolve({ code, stdout, stderr });
    });
  });
}
let spawned = 0;

export interface Row {
  name: string;
  ms: number;
  cpuMs?: number;
  files: number;
  bytes: number;
  note?: string;
}

export function table(rows: Row[]): string {
  const head = ['', 'wall', 'files/s', 'MB/s', 'cpu', ''];
  const body = rows.map((r) => [
    r.name,
    `${r.ms.toFixed(0)} ms`,
    ((r.files * 1000) / r.ms).toFixed(0),
    (r.bytes / 1e6 / (r.ms / 1000)).toFixed(2),
    r.cpuMs === undefined ? '' : `${r.cpuMs.toFixed(0)} ms`,
    r.note ?? '',
  ]);
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const last = head.length - 1;
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === 0 || i === last ? cell.padEnd(width[i]!) : cell.padStart(width[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function ratio(name: string, value: number, target: number): string {
  return `${name}: ${value.toFixed(2)}x (target >= ${target}x) ${value >= target ? 'ok' : 'MISSED'}`;
}

/** Splits argv so no nix-instantiate command line comes near ARG_MAX. */
export function chunks(files: string[], maxChars = 100_000): string[][] {
  const out: string[][] = [[]];
  let size = 0;
  for (const f of files) {
    if (size + f.length + 1 > maxChars) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push(f);
    size += f.length + 1;
  }
  return out;
}

/** The baseline of every lint figure: `nix-instantiate --parse`, as few processes as argv allows. */
export async function nixParse(cwd: string, files: string[]): Promise<void> {
  for (const part of chunks(files)) {
    const r = await run('nix-instantiate', ['--parse', ...part], { cwd });
    if (r.code !== 0) throw new Error(`nix-instantiate --parse rejected the corpus:\n${r.stderr}`);
  }
}
