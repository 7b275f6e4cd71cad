// `tappaas plan` end to end (the built CLI: git, checkouts, import graph, Nix) for a one-host
// change in the eval bench's fixture (100 hosts sharing an expensive common evaluation, as
// importing nixpkgs is), against evaluating all 100 hosts one Nix process each through the
// nixcli adapter, in the same run. Target (issue 5): at least 10x.
// Same knobs as the eval section: BENCH_HOSTS, BENCH_EXPENSIVE, BENCH_JOBS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateHosts } from '../../scripts/nixcli/evaluate.js';
import { localFlake } from '../../scripts/nixcli/flake.js';
import { fixtureHostName, offlineNixEnv, writeNixFleet } from '../helpers/nix-fleet.js';
import { ratio, run } from './measure.js';

const CLI = fileURLToPath(new URL('./tappaas.mjs', import.meta.url));
const HOSTS = Number(process.env.BENCH_HOSTS ?? 100);
const EXPENSIVE = Number(process.env.BENCH_EXPENSIVE ?? 200_000);
const JOBS = Number(process.env.BENCH_JOBS ?? 2);

function git(cwd: string, args: string[]): string {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=Bench',
      '-c',
      'user.email=bench@example.invalid',
      '-c',
      'init.defaultBranch=main',
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    },
  ).trim();
}

async function planRun(dir: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const r = await run(process.execPath, [CLI, 'plan', ...args, '--json', '--jobs', String(JOBS)], {
    cwd: dir,
    env: { ...process.env, ...offlineNixEnv() },
    keepStdout: true,
  });
  const ms = performance.now() - t0;
  if (r.code !== 0)
    throw new Error(`tappaas plan ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout };
}

export async function planBench(log: (line: string) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tappaas-bench-plan-'));
  try {
    const dir = join(root, 'repo');
    const fleet = writeNixFleet(dir, { hosts: HOSTS, expensive: EXPENSIVE });
    git(root, ['init', '-q', dir]);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'fleet']);
    const base = git(dir, ['rev-parse', 'HEAD']);
    const host = fixtureHostName(7);
    fleet.writeHost(host, 7, { packages: ['htop', 'git'] });
    git(dir, ['commit', '-q', '-am', 'one host']);
    const head = git(dir, ['rev-parse', 'HEAD']);
    log(
      `fleet: ${HOSTS} hosts, shared evaluation genList ${EXPENSIVE}, jobs ${JOBS}; change: ${fleet.hostPath(host)} in a git repository`,
    );

    // Warm the store with both sources so no case pays the first copy alone.
    await planRun(dir, ['--from', base, '--to', head, '--no-closures']);
    const plan = await planRun(dir, ['--from', base, '--to', head, '--no-closures']);
    const summary = (JSON.parse(plan.stdout) as { summary: { changed: number; evaluated: number } }).summary;
    const withClosures = await planRun(dir, ['--from', base, '--to', head]);

    const t0 = performance.now();
    const all = await evaluateHosts(localFlake(dir), fleet.hosts, {
      env: offlineNixEnv(),
      jobs: JOBS,
      batchSize: 1,
    });
    const naive = performance.now() - t0;
    const failed = all.filter((h) => h.status !== 'ok').length;

    const row = (name: string, ms: number, note: string) =>
      `${name.padEnd(58)} ${`${(ms / 1000).toFixed(2)} s`.padStart(9)}  ${note}`;
    log(
      row(
        'tappaas plan, 1 host changed (--no-closures)',
        plan.ms,
        `${summary.evaluated} host evaluated at base and head, ${summary.changed} changed`,
      ),
    );
    log(
      row('tappaas plan, 1 host changed, with its closure diff', withClosures.ms, 'builds it at both sides'),
    );
    log(
      row(
        `all ${HOSTS} hosts evaluated, one Nix process each`,
        naive,
        `${HOSTS} processes, ${JOBS} at a time${failed ? `, ${failed} FAILED` : ''}`,
      ),
    );
    log(ratio('plan (1-host change) against one process per host', naive / plan.ms, 10));
    log(ratio('plan with closure diff against one process per host', naive / withClosures.ms, 10));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
