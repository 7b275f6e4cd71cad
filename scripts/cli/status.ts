// `tappaas status`: every host's running system against what the repository builds for it
// (the work tree, or --rev REV such as main), plus the commit recorded in refs/deployed/.
import { parseArgs } from 'node:util';
import { driftExitCode, driftOf, type HostDrift } from '../deploy/drift.js';
import { fleetContext } from '../deploy/fleet-context.js';
import { selectHosts } from '../deploy/inventory.js';
import { evalToplevels, flakeAt } from '../deploy/toplevels.js';
import { requireCommit } from '../git/revisions.js';
import { statusSummaryMarkdown, statusTableText, writeJobSummary } from '../report/deploy-table.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const statusHelp = `Usage: tappaas status [HOST...] [--rev REV] [--json]

Reads each host's running system over SSH and compares it with the toplevel the flake
builds for it: in-sync, drift (running something else), unreachable, or unknown (the host
did not evaluate). Also shows the commit recorded in refs/deployed/<host>.

Options:
      --rev REV         compare with this commit (e.g. main; default: the work tree)
      --json            print {"rev","hosts": [{"name","status","running","expected","deployedCommit","error"}]}
  -c, --config FILE     tappaas.json to use

Exit codes: 0 every host in sync, 1 any drift, unreachable or unknown host, 2 usage or
internal error.`;

export async function statusCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      rev: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${statusHelp}\n`);
    return 0;
  }
  const ctx = fleetContext(opts.cwd, values.config);
  const { hosts, unknown } = selectHosts(ctx.inventory, positionals);
  if (unknown.length > 0) throw new UsageError(`not in tappaas.json "hosts": ${unknown.join(', ')}`);
  const refs = await import('../deploy/deployed-refs.js');
  const rev = values.rev !== undefined ? await requireCommit(ctx.root, values.rev) : undefined;
  const { cliEngine, runningSystems } = await import('../deploy/fleet-engine.js');
  const engine = cliEngine();
  const [running, expected, deployed] = await Promise.all([
    runningSystems(engine, hosts, 16),
    evalToplevels(
      flakeAt(ctx.root, ctx.flakeDir, rev),
      hosts.map((h) => h.name),
    ),
    refs.readDeployed(ctx.root),
  ]);
  const result: HostDrift[] = hosts.map((h, i) => {
    const e = expected.get(h.name);
    const input: Parameters<typeof driftOf>[0] = { name: h.name };
    if (running[i]!.path !== undefined) input.running = running[i]!.path;
    if (running[i]!.error !== undefined) input.runningError = running[i]!.error;
    if (e?.outPath !== undefined) input.expected = e.outPath;
    if (e?.error !== undefined) input.expectedError = e.error;
    const d = deployed.get(h.name);
    if (d !== undefined) input.deployedCommit = d;
    return driftOf(input);
  });
  const title = `tappaas status against ${rev ? rev.slice(0, 12) : 'the work tree'}`;
  if (values.json) opts.stdout(`${JSON.stringify({ rev: rev ?? null, hosts: result }, null, 2)}\n`);
  else opts.stdout(`${title}\n${statusTableText(result)}`);
  const problem = await writeJobSummary(statusSummaryMarkdown(result, title), opts.env ?? process.env);
  if (problem) opts.stderr(`tappaas status: warning: ${problem}\n`);
  return driftExitCode(result);
}
