// `tappaas plan`: what a change does to each host, before it is merged.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/file.js';
import { fleetLayout } from '../config/fleet.js';
import { repoRoot } from '../git/repo-root.js';
import { resolveCommit } from '../git/revisions.js';
import { makePlan } from '../plan/make-plan.js';
import { planMarkdown } from '../report/plan-markdown.js';
import { planText } from '../report/plan-text.js';
import { shouldColor } from '../term/colors.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const planHelp = `Usage: tappaas plan --from REV [--to REV] [options]

For each host of the fleet, what the change FROM..TO does to its system: "unchanged",
"changed", "added" or "removed", with the toplevel store paths at both sides and, for changed
hosts, the package-level closure diff (added, removed and upgraded packages, size delta).
Only the hosts the changed files can reach (through imports, read from the Nix syntax of
both revisions) are evaluated; the others are "unchanged" with "evaluated": false.
flake.nix, flake.lock or a fleet file no host imports changes every host.
Both revisions are evaluated from clean copies of their commits (a throwaway index, checkout-index).

Options:
      --from REV        the base revision (e.g. the PR's target branch); required
      --to REV          the revision to plan (default: HEAD)
      --flake DIR       the flake's folder (default: the repository root)
      --json            print the plan as JSON
      --markdown FILE   also write the plan as markdown (job summary, PR comment)
      --no-closures     skip building changed hosts for their closure diffs
      --timeout SECONDS limit for each host's evaluation and build (default 900)
      --jobs N          Nix processes at a time (default 2)
      --batch N         hosts evaluated per Nix process (default 8): they share the cost of
                        common imports such as nixpkgs, but their memory adds up
      --max-memory MIB  memory budget of one Nix process; past it the rest of its batch goes
                        on in a fresh process (as nix-eval-jobs' --max-memory-size)
  -c, --config FILE     tappaas.json to use (default: the nearest one up to the git root)
      --color, --no-color
                        force colors on or off

On a GitHub or Gitea runner (GITHUB_STEP_SUMMARY set) the markdown also goes to the job
summary, and hosts that fail to evaluate become error annotations; the plan is always
printed to the log as well.

Exit codes: 0 planned, 1 a host fails to evaluate at TO or a closure diff could not be
made, 2 usage or internal error (a revision that does not exist, no flake).`;

export async function planCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string', default: 'HEAD' },
      flake: { type: 'string' },
      json: { type: 'boolean', default: false },
      markdown: { type: 'string' },
      'no-closures': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '900' },
      jobs: { type: 'string', default: '2' },
      batch: { type: 'string', default: '8' },
      'max-memory': { type: 'string' },
      config: { type: 'string', short: 'c' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${planHelp}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (!values.from)
    throw new UsageError('--from REV is required (the revision to compare against, e.g. origin/main)');
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout ${values.timeout}: give seconds > 0`);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs ${values.jobs}: give a whole number >= 1`);
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1)
    throw new UsageError(`--batch ${values.batch}: give a whole number >= 1`);
  const maxMemory = values['max-memory'] === undefined ? undefined : Number(values['max-memory']);
  if (maxMemory !== undefined && (!Number.isFinite(maxMemory) || maxMemory <= 0))
    throw new UsageError(`--max-memory ${values['max-memory']}: give MiB > 0`);
  if (values.color && values['no-color'])
    throw new UsageError('--color and --no-color contradict each other');
  const env = opts.env ?? process.env;

  const flakeDir = resolve(opts.cwd, values.flake ?? '.');
  const root = repoRoot(flakeDir);
  const { config } = loadConfig(flakeDir, values.config);
  const layout = fleetLayout(config.fleet);
  const rel = values.flake === undefined ? '' : relative(root, flakeDir).split('\\').join('/');
  if (rel.startsWith('..')) throw new UsageError(`--flake ${values.flake} is outside the repository ${root}`);
  const commit = async (rev: string, flag: string) => {
    const oid = await resolveCommit(root, rev);
    if (!oid)
      throw new UsageError(
        `${flag} ${JSON.stringify(rev)}: no such commit in ${root}; give a branch, tag or commit id`,
      );
    return { commit: oid, label: rev };
  };
  const from = await commit(values.from, '--from');
  const to = await commit(values.to, '--to');

  const { NixPlanError } = await import('../plan/nix.js');
  let plan: Awaited<ReturnType<typeof makePlan>>;
  try {
    plan = await makePlan({
      root,
      from,
      to,
      flakeDir: rel,
      // A flake in a sub-folder sees only that folder: any file there it might read.
      fleetRoot: rel || layout.root,
      hostsDir: layout.hosts,
      closures: !values['no-closures'],
      timeoutMs: timeout * 1000,
      limits: { jobs, batch, ...(maxMemory ? { maxMemoryMiB: maxMemory } : {}) },
      onProgress: opts.isTTY && !values.json ? (t) => opts.stderr(`tappaas plan: ${t}\n`) : undefined,
    });
  } catch (err) {
    if (err instanceof NixPlanError) {
      opts.stderr(`tappaas plan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const markdown = planMarkdown(plan);
  if (values.markdown) writeFileSync(resolve(opts.cwd, values.markdown), markdown);
  if (values.json) {
    const { changes, ...rest } = plan;
    opts.stdout(`${JSON.stringify({ ...rest, changedFiles: changes }, null, 2)}\n`);
  } else {
    const color = shouldColor({
      flag: values.color ? true : values['no-color'] ? false : undefined,
      env,
      isTTY: opts.isTTY,
    });
    opts.stdout(planText(plan, color));
  }
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_STEP_SUMMARY) {
    const { emitPlanToActions } = await import('../report/plan-actions.js');
    const problem = await emitPlanToActions(plan.hosts, markdown, env);
    if (problem) opts.stderr(`tappaas plan: warning: ${problem}\n`);
  }
  return plan.hosts.some((h) => h.error !== undefined || h.closureError !== undefined) ? 1 : 0;
}
