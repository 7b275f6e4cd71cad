// Shared pieces of every bench section: the machine line, timing, processes, the table.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

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

/** Runs `fn` `runs` times; the median is what we report (the machine is shared and noisy). */
export async function timed(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
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
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', opts.keepStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Row {
  name: string;
  ms: number;
  files: number;
  bytes: number;
  note?: string;
}

export function table(rows: Row[]): string {
  const head = ['', 'time', 'files/s', 'MB/s', ''];
  const body = rows.map((r) => [
    r.name,
    `${r.ms.toFixed(0)} ms`,
    ((r.files * 1000) / r.ms).toFixed(0),
    (r.bytes / 1e6 / (r.ms / 1000)).toFixed(2),
    r.note ?? '',
  ]);
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function ratio(name: string, value: number, target: number): string {
  return `${name}: ${value.toFixed(2)}x (target >= ${target}x) ${value >= target ? 'ok' : 'MISSED'}`;
}
