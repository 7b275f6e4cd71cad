// Evaluation speed on a 100-host fixture fleet (no nixpkgs) whose hosts share an expensive
// common evaluation (nix/common.nix computes a large value once per Nix process, as importing
// nixpkgs does), all in the same run, through the nixcli adapter as `tappaas eval` uses it:
//  (a) all 100 hosts batched, a few Nix processes (--jobs);
//  (b) all 100 hosts, one Nix process per host (--batch-size 1), the naive way;
//  (c) what a plan for a 1-host change evaluates: that host at base and at head.
// Target (issue 5): a 1-host change evaluates at least 10x faster than (b).
// BENCH_HOSTS, BENCH_EXPENSIVE (length of the shared computation), BENCH_JOBS, BENCH_RUNS.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateHosts } from '../../scripts/nixcli/evaluate.js';
import { localFlake } from '../../scripts/nixcli/flake.js';
import type { HostResult } from '../../scripts/nixcli/types.js';
import { fixtureHostName, offlineNixEnv, writeNixFleet } from '../helpers/nix-fleet.js';
import { median, ratio } from './measure.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 100);
const EXPENSIVE = Number(process.env.BENCH_EXPENSIVE ?? 200_000);
const JOBS = Number(process.env.BENCH_JOBS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function wall(runs: number, fn: () => Promise<HostResult[]>): Promise<{ ms: number; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await fn();
    times.push(performance.now() - t0);
    failed = r.filter((h) => h.status !== 'ok').length;
  }
  return { ms: median(times), failed };
}

export async function evalBench(log: (line: string) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tappaas-bench-eval-'));
  const env = offlineNixEnv();
  try {
    const baseDir = join(root, 'base');
    const fleet = writeNixFleet(baseDir, { hosts: HOSTS, expensive: EXPENSIVE });
    const headDir = join(root, 'head');
    cpSync(baseDir, headDir, { recursive: true });
    const changed = fixtureHostName(7);
    const head = writeNixFleet(headDir, { hosts: 0, expensive: EXPENSIVE });
    head.writeHost(changed, 7, { packages: ['htop', 'git'] });
    const base = localFlake(baseDir);
    const headFlake = localFlake(headDir);
    log(
      `fleet: ${HOSTS} hosts, shared evaluation genList ${EXPENSIVE} (once per Nix process), jobs ${JOBS}, evaluation only (no builds)`,
    );

    // Warm the store copy of both flakes so no case pays it alone.
    await evaluateHosts(base, [changed], { env });
    await evaluateHosts(headFlake, [changed], { env });

    const one = await wall(RUNS, async () => {
      const [a, b] = await Promise.all([
        evaluateHosts(base, [changed], { env }),
        evaluateHosts(headFlake, [changed], { env }),
      ]);
      if (a[0]?.outPath === b[0]?.outPath) throw new Error('bench: the changed host did not change');
      return [...a, ...b];
    });
    const batched = await wall(RUNS, () => evaluateHosts(base, fleet.hosts, { env, jobs: JOBS }));
    const naive = await wall(1, () => evaluateHosts(base, fleet.hosts, { env, jobs: JOBS, batchSize: 1 }));

    const row = (name: string, r: { ms: number; failed: number }, processes: number) =>
      `${name.padEnd(52)} ${`${(r.ms / 1000).toFixed(2)} s`.padStart(9)}  ${String(processes).padStart(3)} nix processes${r.failed ? `  ${r.failed} FAILED` : ''}`;
    log(row(`(a) all ${HOSTS} hosts batched`, batched, Math.min(JOBS, HOSTS)));
    log(row(`(b) all ${HOSTS} hosts, one process each`, naive, HOSTS));
    log(row(`(c) 1 changed host at base and head (plan's share)`, one, 2));
    log(ratio('(b)/(c) a 1-host change against one process per host', naive.ms / one.ms, 10));
    log(`(b)/(a) batching all hosts against one process per host: ${(naive.ms / batched.ms).toFixed(2)}x`);
    log(
      `per host: batched ${(batched.ms / HOSTS).toFixed(0)} ms, one process each ${(naive.ms / HOSTS).toFixed(0)} ms`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
