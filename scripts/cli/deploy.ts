// `tappaas deploy`: turns flags into deployFleet's options (deploy/deploy-fleet.ts) and renders
// its events and result: the log (report/deploy-log.ts), the table, the job summary, --json.
import { parseArgs } from 'node:util';
import { deployFleet, type PlanEvent } from '../deploy/deploy-fleet.js';
import { fleetContext } from '../deploy/fleet-context.js';
import { selectHosts } from '../deploy/inventory.js';
import type { DeployMode } from '../deploy/types.js';
import { exitCodeOf } from '../deploy/waves.js';
import { deployLog, dryRunText } from '../report/deploy-log.js';
import { deploySummaryMarkdown, deployTableText, writeJobSummary } from '../report/deploy-table.js';
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
  const parallel = integer(values.parallel, '--parallel', 1);
  const canary = integer(values.canary, '--canary', 0);
  const maxFailures = integer(values['max-failures'], '--max-failures', 1);
  const confirmTimeout = integer(values['confirm-timeout'], '--confirm-timeout', 1);
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
  const render = deployLog(log, paint, opts.isTTY && !values.json);
  let planned: PlanEvent | undefined;

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    const out = await deployFleet({
      ctx,
      hosts,
      mode: values.mode as DeployMode | undefined,
      parallel,
      canary,
      maxFailures,
      confirmTimeout,
      changedFrom: values['changed-from'],
      dryRun: values['dry-run'],
      onEvent: (e) => {
        if (e.type === 'plan') planned = e;
        render.onEvent(e);
      },
      signal: abort.signal,
    });
    render.finish();
    if (out.dryRun) {
      if (values.json) opts.stdout(`${JSON.stringify(out, null, 2)}\n`);
      else opts.stdout(dryRunText(planned!, out));
      return exitCodeOf(out.hosts);
    }
    const title = `tappaas deploy ${out.commit.slice(0, 12)}${out.dirty ? ' (dirty)' : ''} (${out.mode})`;
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
