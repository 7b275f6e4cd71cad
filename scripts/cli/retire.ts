// `tappaas retire <host>`: prepare the branch (and with --open-pr the pull request) that removes
// a host, and print what must happen in Proxmox, DNS/DHCP and on the git server.
import { parseArgs } from 'node:util';
import { ForgeConfigError, ForgeError } from '../forge/types.js';
import { GitError } from '../git/exec.js';
import { repoRoot } from '../git/repo-root.js';
import { RevisionError } from '../registration/onboard.js';
import { type RetireReport, retireHost, retireText } from '../registration/retire.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const retireHelp = `Usage: tappaas retire <host> [--open-pr] [--json] [--base BRANCH] [--remote NAME]

Prepares branch retire/<host> on top of the base (default main): removes nix/hosts/<host>.nix,
nix/hardware/<host>-hw.nix, registrations/<host>.json, the inventory entry hosts.<host> and the
registration binding policy.registration.hosts.<host> from tappaas.json; runs tappaas check on
the result (only what the removal introduces counts). With --open-pr, pushes the branch and
opens or updates ONE pull request (GitHub or Gitea, settings as for pr-comment). Prints what
must happen outside git after merging: stop and destroy the Proxmox VM (its id from the
payload), remove the DHCP lease and DNS record, revoke the host's keys and trusted host key,
delete refs/deployed/<host>. The work tree is never touched.

Exit codes: 0 prepared, 1 unknown host or check errors or the forge failed, 2 usage error.`;

export async function retireCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      'open-pr': { type: 'boolean', default: false },
      base: { type: 'string', default: 'main' },
      remote: { type: 'string', default: 'origin' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${retireHelp}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one host name');
  let report: RetireReport;
  try {
    report = await retireHost({
      root: repoRoot(opts.cwd),
      host: positionals[0]!,
      base: values.base!,
      remote: values.remote!,
      openPr: values['open-pr']!,
      env: opts.env ?? process.env,
      onNote: (t) => opts.stderr(`tappaas retire: ${t}\n`),
    });
  } catch (err) {
    if (err instanceof RevisionError || err instanceof ForgeConfigError) throw new UsageError(err.message);
    if (err instanceof ForgeError || err instanceof GitError) {
      opts.stderr(`tappaas retire: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  opts.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : retireText(report));
  return report.status === 'ok' ? 0 : 1;
}
