// `tappaas register process <ref>`: the onboarding job CI runs on registration/** pushes.
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ForgeConfigError, ForgeError } from '../forge/types.js';
import { GitError } from '../git/exec.js';
import { repoRoot } from '../git/repo-root.js';
import { processRegistration, RevisionError } from '../registration/onboard.js';
import type { OnboardReport } from '../registration/report.js';
import { onboardSummary, onboardText } from '../registration/report.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const registerHelp = `Usage: tappaas register process <ref> [--open-pr] [--json] [options]

Turns a registration branch (registration/<host>, pushed by a new VM on first boot) into the
onboarding change, all read from git (the work tree is never touched):
  1. the host name in <ref>, the payload registrations/<host>.json and the file names must
     agree; the payload is validated against schemas/registration.schema.json and the host
     name rules (lower-case RFC 1123 label); sizes are limited (payload 64 KiB, hardware
     256 KiB); the branch may change only those two files (or what
     policy.registration.paths lists), as the git server's hook checks at push time;
  2. nix/hosts/<host>.nix is generated from the payload's role (a module in
     nix/modules/roles/; an existing host file is kept), the inventory entry hosts.<host>
     (address, role, tags) is written into tappaas.json;
  3. the result is committed on branch onboard/<host> on top of the base (a re-run with the
     same inputs reuses the same commit), checked (tappaas check: structure and lint, only
     what the change introduces) and the new host evaluated with Nix (best effort: when the
     flake's inputs such as nixpkgs cannot be fetched, "evaluation skipped" says why);
  4. with --open-pr, the branch is pushed and ONE pull request to the base is opened or
     updated, with ONE comment carrying the latest check.
A bad registration is rejected with the reasons and nothing is written.

Options:
      --open-pr          push onboard/<host> and open or update the pull request (GitHub or
                         Gitea; token and repository from the environment, see pr-comment)
      --base BRANCH      the branch to onboard into (default: main)
      --remote NAME      the remote to fetch the base from and push to (default: origin)
      --no-eval          do not evaluate the new host
      --eval-timeout S   seconds for the evaluation (default 600)
      --json             print the report as JSON

Exit codes: 0 onboarded (or already onboarded), 1 rejected or failed (check errors, an
evaluation error, the forge refused), 2 usage error (unknown ref or base, missing settings).`;

export async function registerCommand(opts: CommandOptions): Promise<number> {
  const [sub, ...rest] = opts.argv;
  if (sub === '--help' || sub === '-h') {
    opts.stdout(`${registerHelp}\n`);
    return 0;
  }
  if (sub !== 'process')
    throw new UsageError(sub ? `unknown subcommand ${JSON.stringify(sub)}` : 'missing subcommand: process');
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'open-pr': { type: 'boolean', default: false },
      base: { type: 'string', default: 'main' },
      remote: { type: 'string', default: 'origin' },
      'no-eval': { type: 'boolean', default: false },
      'eval-timeout': { type: 'string', default: '600' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${registerHelp}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('give exactly one ref, e.g. refs/heads/registration/web1');
  const timeout = Number(values['eval-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError('--eval-timeout takes seconds, e.g. 600');
  const ref = positionals[0]!;
  const note = (t: string) => opts.stderr(`tappaas register: ${t}\n`);
  let report: OnboardReport;
  try {
    report = await processRegistration({
      root: repoRoot(opts.cwd),
      ref,
      base: values.base!,
      remote: values.remote!,
      openPr: values['open-pr']!,
      evaluate: !values['no-eval'],
      evalTimeoutMs: timeout * 1000,
      env: opts.env ?? process.env,
      onNote: note,
    });
  } catch (err) {
    if (err instanceof RevisionError || err instanceof ForgeConfigError) throw new UsageError(err.message);
    if (err instanceof ForgeError || err instanceof GitError) {
      const failure = { ref, status: 'failed', problems: [err.message] };
      if (values.json) opts.stdout(`${JSON.stringify(failure, null, 2)}\n`);
      opts.stderr(`tappaas register process: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  opts.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : onboardText(report));
  // The job summary (GitHub; Gitea from 1.27), besides the log that both always show.
  const summary = (opts.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (summary) {
    try {
      appendFileSync(summary, onboardSummary(report));
    } catch (err) {
      opts.stderr(`tappaas register: warning: cannot write the job summary: ${(err as Error).message}\n`);
    }
  }
  return report.status === 'ok' || report.status === 'unchanged' ? 0 : 1;
}
