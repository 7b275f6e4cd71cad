// `tappaas deploy`: the fleet side of a deploy. Turns flags into a plan (waves.ts), then runs
// it (fleet.ts) with the per-host engine; records what got deployed as refs/deployed/<host>.
// Order matters for cost and safety: hosts are read (preflight) and evaluated first, so an
// unreachable or unchanged host never costs a build, and only reachable hosts that change get
// built (colmena#227 builds them all).
import { parseArgs } from 'node:util';
import { runPlan } from '../deploy/fleet.js';
import { type FleetContext, fleetContext, mapLimited } from '../deploy/fleet-context.js';
import type { CliEngine } from '../deploy/fleet-engine.js';
import { type InventoryHost, selectHosts } from '../deploy/inventory.js';
import { buildToplevels, evalToplevels, flakeAt, type HostToplevel } from '../deploy/toplevels.js';
import type { DeployMode, DeployTarget, HostResult } from '../deploy/types.js';
import {
  type DeployPlan,
  exitCodeOf,
  type HostFacts,
  inInventoryOrder,
  planDeploy,
} from '../deploy/waves.js';
import { requireCommit } from '../git/revisions.js';
import { liveProgress, plainProgress } from '../report/deploy-progress.js';
import {
  deploySummaryMarkdown,
  deployTableText,
  shortStorePath,
  writeJobSummary,
} from '../report/deploy-table.js';
import { painter, shouldColor } from '../term/colors.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const deployHelp = `Usage: tappaas deploy [HOST...] [options]

Deploys the hosts of tappaas.json "hosts" (all, or the HOSTs named) whose running system
differs from what this checkout's flake builds for them. Each host is read over SSH first;
unreachable hosts are reported failed and never built. Canaries go first (hosts tagged
"canary", plus more up to --canary N); no other host starts unless all of them succeed.
Every host is changed under a lock held on the target, so two deploys never touch one host
at once. A deployed host's commit is recorded as refs/deployed/<host>.

Options:
      --changed-from REV  only hosts whose toplevel at REV differs from this checkout's
      --parallel N        hosts deployed at once (default: deploy.parallel, 10)
      --canary N          at least N hosts go first, alone (default: deploy.canary, 0)
      --max-failures N    stop starting hosts after N failed or rolled back (default:
                          deploy.maxFailures, 1); a failed canary always stops the run
      --mode MODE         switch, boot or test (default: deploy.mode, switch)
      --confirm-timeout S seconds a target waits for confirmation before it rolls itself
                          back (default: deploy.confirmTimeout, 30)
      --dry-run           read the hosts and evaluate, print the plan; build and change nothing
      --json              print {"hosts": [{"name","status","from","to","error"}, …]}
  -c, --config FILE       tappaas.json to use (default: the nearest one up to the git root)
      --color, --no-color force colors on or off

Exit codes: 0 every host deployed or unchanged, 1 a host failed, rolled back or was skipped
(run stopped, lock held), 2 usage or internal error.`;

const MODES: readonly DeployMode[] = ['switch', 'boot', 'test'];

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag} must be an integer >= ${min}, not ${JSON.stringify(value)}`);
  return Number(value);
}

export interface DeployOutput {
  commit: string;
  dirty: boolean;
  mode: DeployMode;
  dryRun: boolean;
  stopped?: string;
  /** Hosts left out by --changed-from because their toplevel did not change since REV. */
  unchangedSince?: { rev: string; hosts: string[] };
  hosts: (HostResult & { canary?: boolean; action?: 'deploy' | 'none'; wave?: 'canary' | 'rest' })[];
}

export async function deployCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      'changed-from': { type: 'string' },
      parallel: { type: 'string' },
      canary: { type: 'string' },
      'max-failures': { type: 'string' },
      mode: { type: 'string' },
      'confirm-timeout': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${deployHelp}\n`);
    return 0;
  }
  if (values.mode !== undefined && !MODES.includes(values.mode as DeployMode))
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}, not ${JSON.stringify(values.mode)}`);
  const ctx = fleetContext(opts.cwd, values.config);
  const s = ctx.inventory.settings;
  const parallel = integer(values.parallel, '--parallel', 1) ?? s.parallel;
  const canary = integer(values.canary, '--canary', 0) ?? s.canary;
  const maxFailures = integer(values['max-failures'], '--max-failures', 1) ?? s.maxFailures;
  const confirmOverride = integer(values['confirm-timeout'], '--confirm-timeout', 1);
  const mode = (values.mode as DeployMode | undefined) ?? s.mode;
  const { hosts, unknown } = selectHosts(ctx.inventory, positionals);
  if (unknown.length > 0)
    throw new UsageError(
      `not in tappaas.json "hosts": ${unknown.join(', ')} (known: ${ctx.inventory.hosts.map((h) => h.name).join(', ') || 'none'})`,
    );
  if (hosts.length === 0)
    throw new UsageError(
      `${ctx.configFile ?? 'tappaas.json'} lists no hosts under "hosts": nothing to deploy`,
    );

  const color = shouldColor({
    flag: values.color ? true : values['no-color'] ? false : undefined,
    env: opts.env ?? process.env,
    isTTY: opts.isTTY,
  });
  const paint = painter(color);
  // With --json, stdout carries only the JSON; the log lines go to stderr.
  const log = values.json ? opts.stderr : opts.stdout;
  const refs = await import('../deploy/deployed-refs.js');
  const commit = await refs.headCommit(ctx.root);
  const dirty = await refs.isDirty(ctx.root);
  const { cliEngine } = await import('../deploy/fleet-engine.js');
  const engine = cliEngine();

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    const out: DeployOutput = { commit, dirty, mode, dryRun: values['dry-run'], hosts: [] };
    let selected: InventoryHost[] = hosts;
    const here = flakeAt(ctx.root, ctx.flakeDir);
    let evaluated: Map<string, HostToplevel> | undefined;
    if (values['changed-from'] !== undefined) {
      const rev = await requireCommit(ctx.root, values['changed-from']);
      const names = hosts.map((h) => h.name);
      const [before, after] = await Promise.all([
        evalToplevels(flakeAt(ctx.root, ctx.flakeDir, rev), names),
        evalToplevels(here, names),
      ]);
      evaluated = after;
      // A host that did not evaluate at REV (new, or broken then) counts as changed.
      selected = hosts.filter(
        (h) => !before.get(h.name)?.outPath || before.get(h.name)?.outPath !== after.get(h.name)?.outPath,
      );
      const left = hosts.filter((h) => !selected.includes(h)).map((h) => h.name);
      out.unchangedSince = { rev, hosts: left };
      log(
        `--changed-from ${rev.slice(0, 12)}: ${selected.length} of ${hosts.length} host(s) changed${left.length ? `; not deploying ${left.join(', ')}` : ''}\n`,
      );
    }

    const { facts, tops } = await gatherFacts(ctx, selected, engine, evaluated, parallel);
    if (!values['dry-run']) {
      const toBuild = [...facts.values()].filter(
        (f) => f.error === undefined && f.toplevel !== undefined && f.current !== f.toplevel,
      );
      if (toBuild.length > 0)
        log(`building ${toBuild.length} toplevel(s): ${toBuild.map((f) => f.name).join(', ')}\n`);
      const failed = await buildToplevels(here, new Map(toBuild.map((f) => [f.name, tops.get(f.name)!])));
      for (const [name, error] of failed) {
        const f = facts.get(name)!;
        f.error = error;
        f.phase = 'build';
        delete f.toplevel;
      }
    }
    const plan = planDeploy([...facts.values()], { canary, parallel });
    const order = hosts.map((h) => h.name);
    const targets = new Map<string, DeployTarget>(selected.map((h) => [h.name, h]));

    if (values['dry-run']) {
      out.hosts = dryRunHosts(plan, facts, order);
      if (values.json) opts.stdout(`${JSON.stringify(out, null, 2)}\n`);
      else opts.stdout(dryRunText(plan, facts, out, maxFailures));
      return exitCodeOf(out.hosts);
    }

    log(planLine(plan, mode, commit, dirty));
    for (const r of plan.settled)
      if (r.status === 'failed') log(`${r.name}: ${paint('red', 'failed')} (${r.phase}: ${r.error})\n`);
    const renderer =
      opts.isTTY && !values.json
        ? liveProgress(log, paint, plan.canary.length + plan.rest.length)
        : plainProgress(log, paint);
    const byName = new Map(selected.map((h) => [h.name, h]));
    const ran = await runPlan(plan, targets, facts, engine, {
      mode,
      maxFailures,
      confirmTimeout: (h) => confirmOverride ?? byName.get(h)!.confirmTimeout,
      healthGraceSeconds: s.healthGrace,
      onEvent: (e) => {
        if (e.type === 'stop') out.stopped = e.reason;
        renderer.onEvent(e);
      },
      signal: abort.signal,
    });
    renderer.finish();
    const canaries = new Set(plan.canary);
    out.hosts = inInventoryOrder([...plan.settled, ...ran], order).map((r) =>
      canaries.has(r.name) ? { ...r, canary: true } : r,
    );

    const recorded = await recordRefs(ctx.root, out.hosts, commit, dirty, mode);
    if (recorded) log(recorded);
    const title = `tappaas deploy ${commit.slice(0, 12)}${dirty ? ' (dirty)' : ''} (${mode})`;
    log(`\n${deployTableText(out.hosts)}`);
    const problem = await writeJobSummary(deploySummaryMarkdown(out.hosts, title), opts.env ?? process.env);
    if (problem) opts.stderr(`tappaas deploy: warning: ${problem}\n`);
    if (values.json) opts.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return exitCodeOf(out.hosts);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** Each host's running system (preflight over SSH) and evaluated toplevel, side by side. */
async function gatherFacts(
  ctx: FleetContext,
  hosts: readonly InventoryHost[],
  engine: Pick<CliEngine, 'readCurrentSystem'>,
  evaluated: Map<string, HostToplevel> | undefined,
  parallel: number,
): Promise<{ facts: Map<string, HostFacts>; tops: Map<string, HostToplevel> }> {
  const names = hosts.map((h) => h.name);
  const [current, tops] = await Promise.all([
    // No more SSH sessions at once than the deploys themselves may open.
    mapLimited(hosts, parallel, async (h) => {
      try {
        return { path: await engine.readCurrentSystem(h) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    }),
    evaluated ?? evalToplevels(flakeAt(ctx.root, ctx.flakeDir), names),
  ]);
  const facts = new Map<string, HostFacts>();
  hosts.forEach((h, i) => {
    const f: HostFacts = { name: h.name };
    if (h.tags) f.tags = h.tags;
    const c = current[i]!;
    const t = tops.get(h.name);
    if (c.path !== undefined) f.current = c.path;
    if (t?.outPath !== undefined) f.toplevel = t.outPath;
    if (c.error !== undefined) {
      f.error = c.error;
      f.phase = 'preflight';
    } else if (t?.error !== undefined || t?.outPath === undefined) {
      f.error = t?.error ?? 'not evaluated';
      f.phase = 'eval';
    }
    facts.set(h.name, f);
  });
  return { facts, tops };
}

function planLine(plan: DeployPlan, mode: DeployMode, commit: string, dirty: boolean): string {
  const changing = plan.canary.length + plan.rest.length;
  const unchanged = plan.settled.filter((r) => r.status === 'unchanged').length;
  const parts = [
    `deploying ${commit.slice(0, 12)}${dirty ? ' (work tree has uncommitted changes: no refs/deployed/ will be written)' : ''} with ${mode}: ${changing} host(s) to change, ${unchanged} unchanged`,
  ];
  if (plan.canary.length > 0) parts.push(`canary first: ${plan.canary.join(', ')}`);
  parts.push(`at most ${plan.parallel} at a time`);
  return `${parts.join('; ')}\n`;
}

function dryRunHosts(
  plan: DeployPlan,
  facts: Map<string, HostFacts>,
  order: string[],
): DeployOutput['hosts'] {
  const planned = [...plan.canary, ...plan.rest].map((name) => {
    const f = facts.get(name)!;
    const r: DeployOutput['hosts'][number] = {
      name,
      status: 'skipped',
      action: 'deploy',
      wave: plan.canary.includes(name) ? 'canary' : 'rest',
    };
    if (f.current !== undefined) r.from = f.current;
    if (f.toplevel !== undefined) r.to = f.toplevel;
    return r;
  });
  const settled = plan.settled.map((r) => ({ ...r, action: 'none' as const }));
  return inInventoryOrder([...settled, ...planned], order);
}

function dryRunText(
  plan: DeployPlan,
  facts: Map<string, HostFacts>,
  out: DeployOutput,
  maxFailures: number,
): string {
  const lines = [
    `dry run: nothing is built or changed; plan for ${out.commit.slice(0, 12)}${out.dirty ? ' (dirty)' : ''} with ${out.mode}:`,
  ];
  const row = (name: string) => {
    const f = facts.get(name)!;
    return `  ${name}: ${shortStorePath(f.current)} -> ${shortStorePath(f.toplevel)}`;
  };
  if (plan.canary.length > 0)
    lines.push('canary (first; the run stops if one fails):', ...plan.canary.map(row));
  if (plan.rest.length > 0)
    lines.push(
      `then, at most ${plan.parallel} at a time (stop after ${maxFailures} failure(s)):`,
      ...plan.rest.map(row),
    );
  const unchanged = plan.settled.filter((r) => r.status === 'unchanged');
  if (unchanged.length > 0) lines.push(`unchanged: ${unchanged.map((r) => r.name).join(', ')}`);
  for (const r of plan.settled.filter((x) => x.status === 'failed'))
    lines.push(`cannot deploy ${r.name} (${r.phase}): ${r.error}`);
  if (plan.canary.length + plan.rest.length === 0) lines.push('nothing to deploy');
  return `${lines.join('\n')}\n`;
}

/** refs/deployed/<host> for hosts now running this commit's system (deployed or unchanged). */
async function recordRefs(
  root: string,
  hosts: readonly HostResult[],
  commit: string,
  dirty: boolean,
  mode: DeployMode,
): Promise<string | undefined> {
  // `test` activates without making the system the boot default: it is not "deployed" for good.
  if (dirty || mode === 'test') return undefined;
  const { deployMessage, readDeployed, recordDeployed } = await import('../deploy/deployed-refs.js');
  const current = await readDeployed(root);
  // An unchanged host whose ref already names this commit gets no new reflog entry.
  const ok = hosts.filter(
    (h) => h.status === 'deployed' || (h.status === 'unchanged' && current.get(h.name) !== commit),
  );
  for (const h of ok) await recordDeployed(root, h.name, commit, deployMessage(h.status, h.to));
  return ok.length > 0
    ? `recorded refs/deployed/<host> = ${commit.slice(0, 12)} for ${ok.map((h) => h.name).join(', ')}\n`
    : undefined;
}
