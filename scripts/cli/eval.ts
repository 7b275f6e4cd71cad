// `tappaas eval [HOST...] [--build]`: evaluate (and build) hosts' toplevels, report per host.
// Flags in, the nixcli adapter does the work, scripts/report renders. Exit 1 when any host
// failed, 2 for a usage or internal error.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/file.js';
import { fleetLayout } from '../config/fleet.js';
import { repoRoot } from '../git/repo-root.js';
import { buildHosts } from '../nixcli/build.js';
import { evaluateWithEvalJobs, nixEvalJobsAvailable } from '../nixcli/eval-jobs.js';
import { evaluateHosts } from '../nixcli/evaluate.js';
import { type FlakeRef, hasFlakeNix, localFlake } from '../nixcli/flake.js';
import { FlakeError, listHosts } from '../nixcli/hosts.js';
import { NixMissingError } from '../nixcli/run.js';
import type { HostResult } from '../nixcli/types.js';
import { evalProgress, progressMode } from '../report/eval-progress.js';
import { annotationCommands, plainSummary, summaryMarkdown } from '../report/eval-report.js';
import { painter, shouldColor } from '../term/colors.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const evalHelp = `Usage: tappaas eval [HOST...] [options]

Evaluates each host's config.system.build.toplevel (all hosts of the flake by default) and,
with --build, builds it. Several hosts share one Nix process (what they have in common is
evaluated once); --jobs processes run at a time.

Options:
      --build             also build each evaluated host (nix build --no-link)
  -j, --jobs N            Nix processes at a time (default 1)
      --json              print {"hosts": [{"name","status","drvPath","outPath","error",…}]}
      --flake DIR         the flake (default: the git work tree around the current directory)
      --timeout SECONDS   time one host may take to evaluate (default 600)
      --build-timeout SECONDS
                          time one host may take to build (default: no limit)
      --max-memory MIB    memory budget of one Nix process (default 4096): a process over it
                          after a host is replaced for the rest; one host over twice it fails
      --batch-size N      hosts per Nix process (default: all hosts spread over --jobs)
      --evaluator NAME    auto (default: nix-eval-jobs when installed, else nix), nix or
                          nix-eval-jobs
      --color, --no-color force colors on or off

Statuses: ok, eval-error, build-error. On a terminal a live line shows what runs; in GitHub
or Gitea Actions each host is a collapsed group, failures are annotated at their file:line,
and the table also goes to the job summary (GitHub) and always to the log.
Exit codes: 0 every host ok, 1 a host failed, 2 usage or internal error.`;

function positiveInt(name: string, value: string | undefined, fallback: number): number;
function positiveInt(name: string, value: string | undefined, fallback: undefined): number | undefined;
function positiveInt(name: string, value: string | undefined, fallback: number | undefined) {
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0)
    throw new UsageError(`${name} wants a positive number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** The flake to use: --flake, else the git work tree around cwd, else cwd. */
export function chooseFlake(cwd: string, flag: string | undefined): FlakeRef {
  const dir = flag ? resolve(cwd, flag) : repoRoot(cwd);
  const flake = localFlake(dir);
  if (!existsSync(dir)) throw new UsageError(`--flake ${flag}: no such folder`);
  if (!hasFlakeNix(flake))
    throw new UsageError(`no flake.nix in ${dir}; run in the fleet repository or give --flake DIR`);
  return flake;
}

/** HOST arguments checked against the flake's hosts; the flake's order is kept. */
export function selectHosts(known: readonly string[], asked: readonly string[]): string[] {
  if (asked.length === 0) return [...known];
  const unknown = asked.filter((h) => !known.includes(h));
  if (unknown.length > 0) {
    const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
    throw new UsageError(
      `unknown host ${unknown.map((h) => JSON.stringify(h)).join(', ')}; the flake defines: ${list || 'no hosts'}`,
    );
  }
  return known.filter((h) => asked.includes(h));
}

export async function evalCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      build: { type: 'boolean', default: false },
      jobs: { type: 'string', short: 'j' },
      json: { type: 'boolean', default: false },
      flake: { type: 'string' },
      timeout: { type: 'string' },
      'build-timeout': { type: 'string' },
      'max-memory': { type: 'string' },
      'batch-size': { type: 'string' },
      evaluator: { type: 'string', default: 'auto' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${evalHelp}\n`);
    return 0;
  }
  const env = opts.env ?? process.env;
  const jobs = Math.floor(positiveInt('--jobs', values.jobs, 1));
  const timeoutMs = positiveInt('--timeout', values.timeout, 600) * 1000;
  const buildTimeout = positiveInt('--build-timeout', values['build-timeout'], undefined);
  const maxMemoryMiB = positiveInt('--max-memory', values['max-memory'], 4096);
  const batchSize = positiveInt('--batch-size', values['batch-size'], undefined);
  if (!['auto', 'nix', 'nix-eval-jobs'].includes(values.evaluator))
    throw new UsageError(
      `--evaluator wants auto, nix or nix-eval-jobs, not ${JSON.stringify(values.evaluator)}`,
    );
  if (values.color && values['no-color'])
    throw new UsageError('--color and --no-color contradict each other');
  const flake = chooseFlake(opts.cwd, values.flake);
  const { config } = loadConfig(flake.dir);
  const hostsDir = fleetLayout(config.fleet).hosts;
  const hostFile = (h: string) => {
    const rel = `${hostsDir}/${h}.nix`;
    return existsSync(join(flake.sourceRoot, rel)) ? rel : undefined;
  };

  const ci = env.GITHUB_ACTIONS === 'true';
  const paint = painter(
    shouldColor({
      flag: values.color ? true : values['no-color'] ? false : undefined,
      env,
      isTTY: opts.isTTY,
    }),
  );
  // With --json, stdout carries the JSON alone: everything else goes to stderr (the Actions
  // runner reads workflow commands from both).
  const log = values.json ? opts.stderr : opts.stdout;

  let known: string[];
  try {
    known = await listHosts(flake, { timeoutMs });
  } catch (err) {
    if (err instanceof NixMissingError) throw new UsageError(err.message);
    if (!(err instanceof FlakeError)) throw err;
    return flakeFailure(err, { json: values.json, ci, log, stdout: opts.stdout, env });
  }
  const hosts = selectHosts(known, positionals);

  const mode = progressMode({ isTTY: opts.isTTY, env });
  const progress = evalProgress({
    mode: values.json && mode !== 'ci' ? (opts.isTTY ? 'tty' : 'none') : mode,
    write: mode === 'tty' || values.json ? opts.stderr : opts.stdout,
    paint,
    total: hosts.length,
    building: values.build,
  });
  const useEvalJobs =
    values.evaluator === 'nix-eval-jobs' || (values.evaluator === 'auto' && (await nixEvalJobsAvailable()));
  const common = { jobs, timeoutMs, maxMemoryMiB, hostFile, onEvent: progress.onEvent };
  let results: HostResult[] = useEvalJobs
    ? await evaluateWithEvalJobs(flake, hosts, common)
    : await evaluateHosts(flake, hosts, { ...common, batchSize });
  if (values.build)
    results = await buildHosts(flake, results, {
      jobs,
      timeoutMs: buildTimeout === undefined ? undefined : buildTimeout * 1000,
      hostFile,
      onEvent: progress.onEvent,
    });
  progress.finish();

  if (values.json) opts.stdout(`${JSON.stringify({ hosts: results }, null, 2)}\n`);
  log(`${mode === 'tty' && !values.json ? '\n' : ''}${plainSummary(results, values.build)}`);
  if (ci) {
    const commands = annotationCommands(results);
    if (commands.length) log(`${commands.join('\n')}\n`);
    const problem = await writeJobSummary(summaryMarkdown(results, values.build), env);
    if (problem) opts.stderr(`tappaas eval: warning: ${problem}\n`);
  }
  return results.every((r) => r.status === 'ok') ? 0 : 1;
}

/** The flake does not evaluate far enough to list hosts: one finding at its place. */
async function flakeFailure(
  err: FlakeError,
  o: {
    json: boolean;
    ci: boolean;
    log: (t: string) => void;
    stdout: (t: string) => void;
    env: Record<string, string | undefined>;
  },
): Promise<number> {
  const at = err.trimmed.at?.inRepo ? err.trimmed.at : undefined;
  const text = `tappaas eval: cannot list the hosts of ${err.flake.dir}:\n${err.trimmed.text}\n`;
  if (o.json) {
    const error: Record<string, unknown> = { message: err.trimmed.message, error: err.trimmed.text };
    if (at) Object.assign(error, { file: at.file, line: at.line, column: at.column });
    o.stdout(`${JSON.stringify({ hosts: [], error }, null, 2)}\n`);
  }
  o.log(text);
  if (o.ci) {
    const flakeHost: HostResult = {
      name: '(flake)',
      status: 'eval-error',
      drvPath: null,
      outPath: null,
      error: err.trimmed.text,
      ...(at ? { file: at.file, line: at.line, column: at.column } : {}),
    };
    o.log(`${annotationCommands([flakeHost]).join('\n')}\n`);
    await writeJobSummary(summaryMarkdown([flakeHost], false), o.env);
  }
  return 1;
}

/** Appends the summary to GITHUB_STEP_SUMMARY through @actions/core; a problem is a warning. */
async function writeJobSummary(markdown: string, env: Record<string, string | undefined>) {
  if (!env.GITHUB_STEP_SUMMARY) return undefined;
  try {
    const core = await import('@actions/core');
    // @actions/core reads the variable from process.env.
    process.env.GITHUB_STEP_SUMMARY = env.GITHUB_STEP_SUMMARY;
    await core.summary.addRaw(markdown, true).write();
    return undefined;
  } catch (err) {
    return `could not write the job summary to ${env.GITHUB_STEP_SUMMARY}: ${(err as Error).message}`;
  }
}
