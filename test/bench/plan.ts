// `tappaas plan` for a one-host change in a 100-host fleet whose hosts share an expensive
// common evaluation (as importing nixpkgs is), against evaluating all 100 hosts one Nix
// process each, in the same run. Target (issue 5): at least 10x.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureHostName, offlineNixEnv, writeNixFleet } from '../helpers/nix-fleet.js';
import { ratio, run } from './measure.js';

const CLI = fileURLToPath(new URL('./tappaas.mjs', import.meta.url));
const HOSTS = Number(process.env.BENCH_PLAN_HOSTS ?? 100);
/** Length of the shared computation in nix/common.nix (about 1 s per Nix process on a loaded 2-core machine). */
const EXPENSIVE = Number(process.env.BENCH_PLAN_EXPENSIVE ?? 100_000);
const JOBS = 2;

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

async function timedRun(cmd: string, args: string[], cwd: string): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const r = await run(cmd, args, { cwd, env: { ...process.env, ...offlineNixEnv() }, keepStdout: true });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(-2000)}`);
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
    fleet.writeHost(host, 7, { lines: ['  settings.motd = "changed";'] });
    git(dir, ['commit', '-q', '-am', 'one host']);
    const head = git(dir, ['rev-parse', 'HEAD']);
    log(`fleet: ${HOSTS} hosts, shared computation genList ${EXPENSIVE}; change: ${fleet.hostPath(host)}`);

    // Warm the store with both sources so neither side pays the first copy.
    await timedRun(
      process.execPath,
      [CLI, 'plan', '--from', base, '--to', head, '--json', '--no-closures'],
      dir,
    );

    const plan = await timedRun(
      process.execPath,
      [CLI, 'plan', '--from', base, '--to', head, '--json', '--no-closures'],
      dir,
    );
    const report = JSON.parse(plan.stdout) as { summary: { changed: number; evaluated: number } };
    const withClosures = await timedRun(
      process.execPath,
      [CLI, 'plan', '--from', base, '--to', head, '--json'],
      dir,
    );

    // The baseline: every host at head, one `nix eval` process each, JOBS at a time.
    const hosts = fleet.hosts;
    const queue = [...hosts];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: JOBS }, async () => {
        for (let h = queue.shift(); h !== undefined; h = queue.shift()) {
          await timedRun(
            'nix',
            ['eval', '--raw', `path:${dir}#nixosConfigurations.${h}.config.system.build.toplevel.outPath`],
            dir,
          );
        }
      }),
    );
    const all = performance.now() - t0;
    log(
      `tappaas plan (1 host changed, --no-closures): ${plan.ms.toFixed(0)} ms, ${report.summary.evaluated} host(s) evaluated, ${report.summary.changed} changed`,
    );
    log(`tappaas plan (1 host changed, with its closure diff): ${withClosures.ms.toFixed(0)} ms`);
    log(`nix eval of all ${hosts.length} hosts, one process each, ${JOBS} at a time: ${all.toFixed(0)} ms`);
    log(ratio('plan vs evaluating every host one process each', all / plan.ms, 10));
    log(ratio('plan with closure diff vs the same', all / withClosures.ms, 10));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
