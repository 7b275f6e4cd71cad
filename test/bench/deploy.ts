// The fleet deploy's speed: `tappaas deploy` of 50 loopback SSH targets (one sshd each, fixture
// systems whose activation restarts a small HTTP service that the health check probes), once
// with --parallel 10 and once with --parallel 1, in the same run. Target (issue 6): at least
// 7x. Also the toolkit's own CPU time per host: the CLI's node process alone (read by a
// preloaded exit hook) and with every child it waited for (ssh, nix; /usr/bin/time).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetRepo } from '../helpers/fleet-repo.js';
import { SshTargetFleet } from '../helpers/ssh-targets.js';
import { CpuGroups } from './cpu-groups.js';
import { ratio } from './measure.js';

const CLI = fileURLToPath(new URL('./tappaas.mjs', import.meta.url));
const HOSTS = Number(process.env.BENCH_DEPLOY_HOSTS ?? 50);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface DeployRun {
  ms: number;
  /** CPU of the CLI's node process only. */
  ownCpuMs: number;
  /** CPU of the CLI and every child it waited for, when /usr/bin/time is there. */
  treeCpuMs?: number;
  /** CPU of the deployer's whole process tree and of all targets, from control groups. */
  groups?: { deployerMs: number; targetsMs: number };
  statuses: Record<string, number>;
  code: number | null;
  problems?: string[];
}

async function deploy(repo: FleetRepo, parallel: number, groups?: CpuGroups): Promise<DeployRun> {
  const tag = `${process.pid}-${parallel}`;
  const cpuOut = join(tmpdir(), `tappaas-bench-deploy-own-${tag}`);
  const timeOut = join(tmpdir(), `tappaas-bench-deploy-tree-${tag}`);
  const hook = join(tmpdir(), `tappaas-bench-deploy-hook-${tag}.mjs`);
  writeFileSync(
    hook,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const c = process.cpuUsage(); writeFileSync(${JSON.stringify(cpuOut)}, String((c.user + c.system) / 1000)); });\n`,
  );
  const args = ['--import', hook, CLI, 'deploy', '--json', '--parallel', String(parallel)];
  const [program, argv] = TIME
    ? [TIME, ['-f', '%U %S', '-o', timeOut, process.execPath, ...args]]
    : [process.execPath, args];
  const before = groups && { d: groups.usageMs('deployer'), t: groups.usageMs('targets') };
  const t0 = performance.now();
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // The child and all it starts are counted in the deployer's group; this process goes home.
    groups?.enter('deployer');
    const child = spawn(program, argv, {
      cwd: repo.dir,
      env: { ...process.env, ...repo.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    groups?.enter('home');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const ms = performance.now() - t0;
  const statuses: Record<string, number> = {};
  const problems = new Map<string, string>();
  try {
    for (const h of (JSON.parse(r.stdout) as { hosts: { status: string; phase?: string; error?: string }[] })
      .hosts) {
      statuses[h.status] = (statuses[h.status] ?? 0) + 1;
      const key = `${h.status}${h.phase ? ` in ${h.phase}` : ''}`;
      if (h.error && !problems.has(key)) problems.set(key, h.error.slice(0, 300));
    }
  } catch {
    throw new Error(
      `deploy --parallel ${parallel} printed no JSON (exit ${r.code}):\n${r.stderr.slice(-3000)}`,
    );
  }
  const out: DeployRun = { ms, ownCpuMs: Number(readFileSync(cpuOut, 'utf8')), statuses, code: r.code };
  if (groups && before) {
    out.groups = {
      deployerMs: groups.usageMs('deployer') - before.d,
      targetsMs: groups.usageMs('targets') - before.t,
    };
  }
  if (TIME) {
    const [user = 0, sys = 0] = readFileSync(timeOut, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    out.treeCpuMs = (user + sys) * 1000;
  }
  for (const f of [cpuOut, timeOut, hook]) rmSync(f, { force: true });
  // Not every host deployed: say why (one example per status and phase); the figures are then
  // printed but are not a clean measurement.
  out.problems = [...problems].map(([k, e]) => `${k}: ${e}`);
  return out;
}

function line(name: string, r: DeployRun): string {
  const per = (v: number) => `${(v / HOSTS).toFixed(0)} ms/host`;
  const tree = r.treeCpuMs !== undefined ? `, with ssh/nix children ${per(r.treeCpuMs)}` : '';
  const g = r.groups
    ? `; cpu by process tree: deployer ${per(r.groups.deployerMs)}, targets ${per(r.groups.targetsMs)}`
    : '';
  return `${name.padEnd(12)} ${(r.ms / 1000).toFixed(1).padStart(6)} s wall  ${JSON.stringify(r.statuses)}  toolkit cpu ${per(r.ownCpuMs)}${tree}${g}`;
}

/**
 * What no deployer can beat here. The parallel run needs its CPU (deployer and targets) on this
 * machine's cores, so its wall time is at least that CPU over the cores; the serial run's wall
 * time over that is the best ratio this machine allows. With the targets on machines of their
 * own (as VMs are), only the deployer's CPU would compete: the second bound.
 */
function ceilings(
  log: (line: string) => void,
  serialMs: number,
  p: { deployerMs: number; targetsMs: number },
) {
  const cores = availableParallelism();
  const here = (cores * serialMs) / (p.deployerMs + p.targetsMs);
  const targetsOnly = (cores * serialMs) / p.targetsMs;
  const own = Math.min(10, (cores * serialMs) / p.deployerMs);
  log(
    `ceiling on this machine (${cores} cores for the deployer and all ${HOSTS} targets): ${here.toFixed(2)}x = ${cores} x serial wall / CPU of the parallel run`,
  );
  log(
    `  the targets' CPU alone (sshd, nix-store, nix-env, activation, service) allows ${targetsOnly.toFixed(2)}x: the limit even for a deployer that cost nothing`,
  );
  log(
    `bound with the targets on their own machines (deployer CPU only, at most --parallel): ${own.toFixed(2)}x`,
  );
}

export async function deployBench(log: (line: string) => void): Promise<void> {
  log(
    `${HOSTS} loopback sshd targets, fixture systems with an HTTP health check; every host changes in each run`,
  );
  const t0 = performance.now();
  const groups = CpuGroups.create(`tappaas-bench-${process.pid}`);
  if (!groups) log('no control groups to count CPU by process tree (needs root and cgroup v1 cpuacct or v2)');
  // Every sshd, and all it starts, in the targets' group.
  groups?.enter('targets');
  const fleet = await SshTargetFleet.start(HOSTS, 'b').finally(() => groups?.enter('home'));
  try {
    // The confirmation window is a safety margin for slow links; on a loaded 2-core machine
    // with 50 sshd targets the deployer's confirmation can take longer than the default 30 s.
    const repo = new FleetRepo(fleet, () => ({}), { confirmTimeout: 120 });
    const v1 = await repo.setSystems(
      fleet.targets.map((t) => t.system('v1')),
      'v1',
    );
    await fleet.installAll(v1);
    // Build both generations up front: the runs then measure the deploy, not the fixture build.
    await repo.setSystems(
      fleet.targets.map((t) => t.system('v3')),
      'v3 (prebuilt)',
    );
    await repo.setSystems(
      fleet.targets.map((t) => t.system('v2')),
      'v2',
    );
    log(`setup (sshd x${HOSTS}, build, install): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const p10 = await deploy(repo, 10, groups);
    log(line('--parallel 10', p10));
    for (const p of p10.problems ?? []) log(`  ${p}`);
    await repo.setSystems(
      fleet.targets.map((t) => t.system('v3')),
      'v3',
    );
    const p1 = await deploy(repo, 1, groups);
    log(line('--parallel 1', p1));
    for (const p of p1.problems ?? []) log(`  ${p}`);
    log(ratio('parallel 10 vs 1', p1.ms / p10.ms, 7));
    if (p10.groups) ceilings(log, p1.ms, p10.groups);
  } finally {
    await fleet.cleanup();
    await groups?.remove();
  }
}
