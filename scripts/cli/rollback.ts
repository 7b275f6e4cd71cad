// `tappaas rollback HOST`: the host goes back to its previous system generation (the
// engine's rollbackHost, under the same per-host lock as a deploy); refs/deployed/<host>
// steps back to the commit deployed before.
import { parseArgs } from 'node:util';
import { fleetContext } from '../deploy/fleet-context.js';
import { LockBusyError } from '../deploy/fleet-lock.js';
import { selectHosts } from '../deploy/inventory.js';
import type { HostResult } from '../deploy/types.js';
import { resultLine } from '../report/deploy-progress.js';
import { painter, shouldColor } from '../term/colors.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const rollbackHelp = `Usage: tappaas rollback HOST [--json]

Switches HOST back to the system generation before its current one, checks that it runs
it, and steps refs/deployed/HOST back one entry of its reflog (or drops it).

Options:
      --json            print {"name","status","from","to","error"} (status rolled-back or failed)
  -c, --config FILE     tappaas.json to use

Exit codes: 0 rolled back, 1 the rollback failed (or another deploy holds the host),
2 usage or internal error.`;

export async function rollbackCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${rollbackHelp}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('name exactly one HOST to roll back');
  const ctx = fleetContext(opts.cwd, values.config);
  const { hosts, unknown } = selectHosts(ctx.inventory, positionals);
  if (unknown.length > 0) throw new UsageError(`not in tappaas.json "hosts": ${unknown.join(', ')}`);
  const target = hosts[0]!;
  const { cliEngine } = await import('../deploy/fleet-engine.js');
  const engine = cliEngine({ healthGraceSeconds: ctx.inventory.settings.healthGrace });
  let result: HostResult;
  try {
    const lock = await engine.acquireLock(target);
    try {
      result = await engine.rollbackHost(target);
    } finally {
      await lock.release();
    }
  } catch (err) {
    result = {
      name: target.name,
      status: err instanceof LockBusyError ? 'skipped' : 'failed',
      error: (err as Error).message,
      phase: 'lock',
    };
  }
  let note = '';
  if (result.status === 'rolled-back') {
    const { stepBackDeployed } = await import('../deploy/deployed-refs.js');
    const back = await stepBackDeployed(ctx.root, target.name);
    note = back
      ? `refs/deployed/${target.name} is now ${back.slice(0, 12)}\n`
      : `refs/deployed/${target.name} removed (no earlier deploy recorded)\n`;
  }
  if (values.json) opts.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const paint = painter(shouldColor({ flag: undefined, env: opts.env ?? process.env, isTTY: opts.isTTY }));
    opts.stdout(`${resultLine(result, paint)}\n${note}`);
  }
  return result.status === 'rolled-back' ? 0 : 1;
}
