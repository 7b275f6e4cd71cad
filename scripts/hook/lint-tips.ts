// The lint of a push: the `.nix` files each branch update changes, at its new tip, judged as
// `tappaas check --from` judges a change. Only findings the push introduces count: a file with
// findings at the tip is linted at the old tip too (the default branch for a new branch) and
// findings are matched by file, rule and message, so an old finding never blocks an unrelated
// push; what was already there shows as one note. Findings that depend on what kind of file they are in
// (a NixOS module, a home-manager module, plain Nix) are settled by the repository's import
// graph at the new tip, built only when such a finding exists. The options index CI
// published for the new tip's flake revision (options-ref.ts) is used when there is one.
// Parsing is the hook's one cost that grows with what a push brings (a 4 MB file took seconds
// and hundreds of MB), so it has a budget per file and per push (policy.limits.hookLint*):
// what does not fit is left to CI with a warning, never parsed here.
import type { CatFile } from '../git/cat-file.js';
import type { Diagnostic } from '../lint/types.js';
import type { RepoContext } from '../module-graph/apply.js';
import { grouped, type LintFinding, lintGateFor, lintProblems } from '../policy/content.js';
import { ZERO_OID } from '../policy/refs.js';
import type { ClassifiedUpdate, LintGate, Problem } from '../policy/types.js';
import type { UpdateFacts } from './facts.js';
import { publishedOptionsIndex } from './options-ref.js';
import type { PolicySource } from './policy-source.js';
import { mark } from './timing.js';
import { allTiers, OPTIMISE_CHARS } from './v8-tiers.js';

interface Judged {
  c: ClassifiedUpdate;
  facts: UpdateFacts;
  problems: Problem[];
}

type RuleSettings = NonNullable<NonNullable<PolicySource['config']['lint']>['rules']>;

interface LintJob {
  file: string;
  text: string;
}

/** One ref's lint: its files at the new tip and at the base, and the settings it is linted with. */
interface RefLint {
  j: Judged;
  gate: LintGate;
  base: string | undefined;
  settings: RuleSettings;
  key: string;
  /** Findings that need no lint (undecodable files). */
  unreadable: LintFinding[];
  /** Files the hook's lint budget left to CI, one warning each. */
  unlinted: Problem[];
  /** Each linted file: its job at the tip, and its text at the base (linted only when needed). */
  files: LintedFile[];
}

interface LintedFile {
  path: string;
  tip: number;
  before: string | undefined;
  /** Set when the base did not fit the budget: the tip's findings cannot be ratcheted. */
  baseUnlinted?: string;
}

/**
 * Bytes of Nix the hook may still parse in this push. A text already linted costs nothing
 * again (the same job); `take` says why a text does not fit, or undefined when it does.
 */
class LintBudget {
  private left: number;
  constructor(
    private readonly perFile: number,
    private readonly perPush: number,
  ) {
    this.left = perPush;
  }
  take(bytes: number): string | undefined {
    if (bytes > this.perFile)
      return `${grouped(bytes)} bytes, over the ${grouped(this.perFile)}-byte hook budget per file (policy.limits.hookLintFileBytes)`;
    if (bytes > this.left)
      return `${grouped(bytes)} bytes, over what this push left of the ${grouped(this.perPush)}-byte hook budget per push (policy.limits.hookLintPushBytes)`;
    this.left -= bytes;
    return undefined;
  }
}

function notLinted(path: string, why: string, commit: string): Problem {
  return {
    rule: 'lint/hook-budget',
    severity: 'warning',
    message: `not linted in the hook: ${why}; CI lints it`,
    fix: `see its findings with \`npx tappaas lint ${path}\` (CI runs it too); to lint such files in the hook, raise the budget in tappaas.json on the default branch`,
    commit,
    file: path,
  };
}

/** From this much source on, lint threads pay for their start-up (see `npm run bench -- hook`). */
const PARALLEL_CHARS = 256 * 1024;

export async function lintTips(
  judged: readonly Judged[],
  source: PolicySource,
  cat: CatFile,
  /** The bare repository's directory, for caches; undefined in a client-side preview. */
  gitDir: string | undefined,
  /** The hook's environment (TAPPAAS_LINT_THREADS). */
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const work = judged
    .map((j) => ({ j, gate: lintGateFor(j.c, source.policy) }))
    .filter(
      ({ j, gate }) =>
        gate !== 'off' && j.facts.nixPaths.length > 0 && j.problems.every((p) => p.severity !== 'error'),
    );
  if (work.length === 0) return;
  // The parser (WebAssembly) loads only when there is Nix to lint.
  const [{ DEFAULT_MAX_FILE_BYTES, decodeSource }, { matchesGlob }] = await Promise.all([
    import('../lint/read-source.js'),
    import('../policy/glob.js'),
  ]);
  const lint = source.config.lint ?? {};
  const maxBytes = lint.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const ignore = lint.ignore ?? [];
  const flake = source.config.fleet?.flake ?? 'flake.nix';
  const defaultRef = `refs/heads/${source.policy.defaultBranch}`;
  const mainInfo = cat.info(defaultRef);
  cat.flush();
  const main = (await mainInfo)?.oid;

  // Every ref's files (tip and base) in one cat-file round trip; one lint per distinct job.
  const planned = await Promise.all(
    work.map(async ({ j, gate }) => {
      const old = !ZERO_OID.test(j.c.oldOid) && j.facts.oldKnown ? j.c.oldOid : undefined;
      const base = old ?? (main !== j.c.newOid ? main : undefined);
      const paths = j.facts.nixPaths.filter((p) => !ignore.some((g) => matchesGlob(p, g)));
      const tipReads = paths.map((p) => {
        const known = j.facts.tipBlobs.get(p);
        return known ? Promise.resolve({ data: known }) : cat.contents(`${j.c.newOid}:${p}`);
      });
      const baseReads = paths.map((p) => (base ? cat.contents(`${base}:${p}`) : Promise.resolve(undefined)));
      const index = await publishedOptionsIndex(cat, j.c.newOid, flake, gitDir);
      return { j, gate, base, paths, tipReads, baseReads, index };
    }),
  );
  cat.flush();
  const { withOptionsIndex } = await import('../nixos/options-index/locate.js');
  const jobs: LintJob[] = [];
  const jobSettings: RuleSettings[] = [];
  const jobIndex = new Map<string, number>();
  let chars = 0;
  const { hookLintFileBytes, hookLintPushBytes } = source.policy.limits;
  const budget = new LintBudget(hookLintFileBytes, hookLintPushBytes);
  /** The job linting this text, or why the budget leaves it unlinted. */
  const add = (
    file: string,
    text: string,
    bytes: number,
    settings: RuleSettings,
    key: string,
  ): number | string => {
    const id = `${key}\0${file}\0${text}`;
    let at = jobIndex.get(id);
    if (at === undefined) {
      const over = budget.take(bytes);
      if (over !== undefined) return over;
      at = jobs.push({ file, text }) - 1;
      jobSettings.push(settings);
      jobIndex.set(id, at);
      chars += text.length;
    }
    return at;
  };
  const refs: RefLint[] = [];
  for (const p of planned) {
    const settings = withOptionsIndex(lint.rules ?? {}, p.index);
    const key = p.index ? p.index.stamp : '';
    const [tipBlobs, baseBlobs] = await Promise.all([Promise.all(p.tipReads), Promise.all(p.baseReads)]);
    const ref: RefLint = {
      j: p.j,
      gate: p.gate,
      base: p.base,
      settings,
      key,
      unreadable: [],
      unlinted: [],
      files: [],
    };
    for (let i = 0; i < p.paths.length; i++) {
      const path = p.paths[i]!;
      const data = tipBlobs[i]?.data;
      if (!data) continue;
      const read = decodeSource(data, maxBytes);
      if (!read.ok) {
        ref.unreadable.push({
          file: path,
          line: 1,
          column: 1,
          rule: 'unreadable-file',
          severity: 'error',
          message: read.message,
        });
        continue;
      }
      const tip = add(path, read.text, data.length, settings, key);
      if (typeof tip === 'string') {
        ref.unlinted.push(notLinted(path, tip, p.j.c.newOid));
        continue;
      }
      const old = baseBlobs[i]?.type === 'blob' ? baseBlobs[i]?.data : undefined;
      const readOld = old ? decodeSource(old, maxBytes) : undefined;
      ref.files.push({ path, tip, before: readOld?.ok ? readOld.text : undefined });
    }
    refs.push(ref);
  }
  if (chars >= OPTIMISE_CHARS) allTiers();
  mark('lint read');
  const tipCount = jobs.length;
  const tip = await lintJobs(jobs, jobSettings, env);
  const tipResults = tip.results;
  mark(`linted on ${tip.threads} thread${tip.threads === 1 ? '' : 's'}`);
  // The base of a file matters only when the tip has findings there (a typical push has none).
  const baseJob = new Map<LintedFile, number>();
  for (const ref of refs) {
    for (const f of ref.files) {
      if (f.before === undefined || !tipResults[f.tip]!.some((d) => d.severity !== 'info')) continue;
      const at = add(f.path, f.before, Buffer.byteLength(f.before), ref.settings, ref.key);
      if (typeof at === 'string') f.baseUnlinted = at;
      else baseJob.set(f, at);
    }
  }
  const more = jobs.slice(tipCount);
  const results =
    more.length > 0
      ? [...tipResults, ...(await lintJobs(more, jobSettings.slice(tipCount), env)).results]
      : tipResults;
  if (more.length > 0) mark('linted base');

  const contexts = new Map<string, Promise<RepoContext>>();
  const [{ introduced }, { applyRepoContext, dependsOnContext }, { contextAtRevision }] = await Promise.all([
    import('../fleet/ratchet.js'),
    import('../module-graph/apply.js'),
    import('./repo-context.js'),
  ]);
  for (const ref of refs) {
    const rev = ref.j.c.newOid;
    const head = ref.files.flatMap((f) => results[f.tip]!);
    // The base is judged without the context: a finding there in any form was already there.
    const before = ref.files.flatMap((f) => {
      const at = baseJob.get(f);
      return at === undefined ? [] : results[at]!;
    });
    let fresh = introduced(before, head);
    // The graph is built only when a finding the push brings depends on it (a typical push
    // brings none); what was already there is counted as the lint reports it.
    let settled = head;
    if (fresh.some(dependsOnContext)) {
      let context = contexts.get(rev);
      // Files over the per-file budget are not parsed for the graph either.
      const contextBytes = Math.min(maxBytes, hookLintFileBytes);
      if (!context) contexts.set(rev, (context = contextAtRevision(cat, rev, source, gitDir, contextBytes)));
      settled = applyRepoContext(head, await context, (file) => file);
      fresh = introduced(before, settled);
      mark('lint context');
    }
    const shown = (list: Diagnostic[]) => list.filter((d) => d.severity !== 'info').length;
    const already = shown(settled) - shown(fresh);
    // A file whose base the budget left unlinted cannot tell old findings from new ones: its
    // findings are shown, as warnings, and CI (which compares) judges them.
    const uncompared = new Map(ref.files.filter((f) => f.baseUnlinted).map((f) => [f.path, f.baseUnlinted!]));
    const compared = fresh.filter((d) => !uncompared.has(d.file));
    const unsure = fresh.filter((d) => uncompared.has(d.file));
    ref.j.problems.push(...lintProblems([...ref.unreadable, ...compared], ref.gate, rev));
    if (unsure.length) {
      ref.j.problems.push(...lintProblems(unsure, 'warning', rev));
      for (const [path, why] of uncompared)
        ref.j.problems.push({
          rule: 'lint/hook-budget',
          severity: 'note',
          message: `${path} at ${ref.base ? ref.base.slice(0, 12) : 'the base'} was not linted in the hook (${why}), so its findings here could not be told from ones already there and are shown as warnings; CI compares them`,
          fix: `see them with \`npx tappaas check --from ${ref.base ? ref.base.slice(0, 12) : '<base>'}\``,
          file: path,
        });
    }
    ref.j.problems.push(...ref.unlinted);
    if (already > 0) ref.j.problems.push(alreadyThere(already, ref.base));
  }
  mark('lint settled');
}

function alreadyThere(count: number, base: string | undefined): Problem {
  return {
    rule: 'lint/ratchet',
    severity: 'note',
    message: `${count} finding${count === 1 ? '' : 's'} in the changed files ${count === 1 ? 'was' : 'were'} already there at ${base ? base.slice(0, 12) : 'the base'}, so ${count === 1 ? 'it does' : 'they do'} not block this push`,
    fix: 'see them with `npx tappaas lint <file>`; fixing them is welcome but not required here',
  };
}

/**
 * Lints the jobs (lint/lint-blobs.ts, as `tappaas lint` does). Threads: TAPPAAS_LINT_THREADS
 * as for `tappaas lint` (the pool's error messages suggest it); by default only cores that are
 * idle: on a busy server a thread costs its start-up (its own parser and rules, ~0.5 s CPU) and
 * gains nothing (measured: 1.1 s alone, 1.6 s with two).
 */
async function lintJobs(
  jobs: LintJob[],
  settings: RuleSettings[],
  env: NodeJS.ProcessEnv,
): Promise<{ results: Diagnostic[][]; threads: number }> {
  if (jobs.length === 0) return { results: [], threads: 1 };
  const [{ lintBlobs }, { availableParallelism, loadavg }] = await Promise.all([
    import('../lint/lint-blobs.js'),
    import('node:os'),
  ]);
  const asked = Number.parseInt(env.TAPPAAS_LINT_THREADS ?? '', 10);
  const cores = Math.min(availableParallelism(), 8);
  const idle = Math.max(1, Math.round(cores - loadavg()[0]!));
  // Small batches: a worker starts a few hundred milliseconds after this thread (its own
  // parser and rules), so large ones leave this thread idle waiting for the last of them.
  return lintBlobs(jobs, {
    ruleSettings: settings,
    threads: asked > 0 ? asked : idle,
    minParallelChars: PARALLEL_CHARS,
    batchBytes: 12 * 1024,
  });
}
