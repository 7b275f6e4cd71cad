// The pre-receive run: parse git's stdin, load the policy from the pre-push state, gather
// facts per ref, judge them with the pure verdicts, lint the changed .nix files (and run the
// fleet structure checks, structure.ts) at each new
// tip, and report. Returns the exit code; throws only for internal errors (the caller fails
// closed).
import { CatFile } from '../git/cat-file.js';
import type { Diagnostic } from '../lint/types.js';
import {
  blobProblems,
  decide,
  type LintFinding,
  lintGateFor,
  lintProblems,
  signatureProblems,
  signaturesRequired,
} from '../policy/content.js';
import { identityFromEnv, identityMatches } from '../policy/identity.js';
import { classify } from '../policy/refs.js';
import { hostOf, registrationContentProblems, sameKey } from '../policy/registration.js';
import type { ClassifiedUpdate, Problem, RefDecision } from '../policy/types.js';
import { refProblems } from '../policy/verdicts.js';
import { gatherContentFacts, gatherRefFacts, startLikelyLogs, type UpdateFacts } from './facts.js';
import { formatInputProblems, formatReport } from './messages.js';
import { loadPolicySource, type PolicySource } from './policy-source.js';
import { parseUpdates } from './protocol.js';
import { readKnownHostKeys, recordHostKeys } from './server-state.js';
import { structureProblems, warmStructureFor } from './structure.js';
import { mark } from './timing.js';
import { allTiers, baselineTiers, OPTIMISE_CHARS } from './v8-tiers.js';

// For the code cache (code-cache.ts): the bundle's own copies of these modules are the ones
// that ran.
export { parserStarted } from '../nix-ast/parser.js';
export { restoreV8Flags } from './v8-tiers.js';

export interface PreReceiveOptions {
  cwd: string;
  gitDir: string;
  env: NodeJS.ProcessEnv;
  input: Buffer;
  policyFile?: string;
  /** Revision whose tappaas.json is the policy (default HEAD: the server's default branch). */
  policyRev?: string;
  /** Client-side preview: what counts as already known, and no server state is written. */
  preview?: { exclude: string[] };
  write: (text: string) => void;
}

export interface PreReceiveResult {
  accepted: boolean;
  decisions: RefDecision[];
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function preReceive(opts: PreReceiveOptions): Promise<PreReceiveResult> {
  const { updates, problems: inputProblems } = parseUpdates(opts.input);
  if (inputProblems.length) {
    opts.write(formatInputProblems(inputProblems));
    return { accepted: false, decisions: [] };
  }
  if (updates.length === 0) return { accepted: true, decisions: [] };
  baselineTiers();
  // Warm the Nix parser (WebAssembly compile) and load the rules while this thread waits for
  // git, when a branch may need linting.
  if (updates.some((u) => u.ref.startsWith('refs/heads/') && !/^0+$/.test(u.newOid))) {
    void import('../nix-ast/parser.js')
      .then((m) => {
        m.preferBaselineWasm();
        return m.nixParser();
      })
      .catch(() => {});
    void import('../lint/engine.js').catch(() => {});
  }
  const cat = new CatFile(opts.cwd, opts.env);
  let signers: { file: string; cleanup: () => void } | undefined;
  try {
    // Ask for the pushed objects in the same round trip as the policy (answers are remembered).
    for (const u of updates)
      for (const oid of [u.oldOid, u.newOid]) if (!/^0+$/.test(oid)) cat.info(oid).catch(() => undefined);
    const sourceRead = loadPolicySource(cat, opts.policyFile, opts.policyRev);
    // git answers the policy request while the likely logs start (sent before they spawn).
    const earlyLogs = startLikelyLogs(updates, opts.cwd, opts.preview?.exclude);
    const source = await sourceRead;
    mark('policy');
    const identity = identityFromEnv(opts.env);
    const knownHostKeys = readKnownHostKeys(opts.gitDir);
    if (source.policy.signedCommits.branches.length) {
      signers = await allowedSignersFile(cat, source, opts);
    }
    const ctx = {
      cwd: opts.cwd,
      cat,
      policy: source.policy,
      knownHostKeys,
      earlyLogs,
      ...(signers ? { allowedSigners: signers.file } : {}),
      ...(opts.preview ? { exclude: opts.preview.exclude } : {}),
    };
    const judged = await mapLimit(updates, 4, async (u) => {
      const facts = await gatherRefFacts(u, ctx);
      mark('ref facts');
      const c = classify(u, facts.nonFastForward);
      const problems = refProblems(c, identity, source.policy);
      // A ref that may not move at all is not worth reading content for.
      if (problems.length === 0) {
        await gatherContentFacts(u, facts, ctx);
        mark('content facts');
        warmStructureFor(facts, source);
        problems.push(...contentProblems(c, facts, source, identity));
      }
      return { c, facts, problems };
    });
    // Structure checks alongside the lint; their problems follow the lint's in each ref's block.
    const [structure] = await Promise.all([
      structureProblems(judged, source, cat, opts.preview ? undefined : opts.gitDir),
      lintTips(judged, source, cat),
    ]);
    mark('checked');
    for (const [i, j] of judged.entries()) j.problems.push(...structure[i]!);
    const decisions = judged.map(({ c, problems }) => ({ ...decide(c.ref, problems), newOid: c.newOid }));
    const accepted = decisions.every((d) => d.accepted);
    opts.write(formatReport({ decisions, identity, origin: source.origin }));
    mark('reported');
    if (accepted && !opts.preview) {
      // Trust on first use: remember host keys that registration keys brought for new hosts.
      const fresh: Record<string, string> = {};
      for (const { c, facts } of judged) {
        const reg = facts.registration;
        if (!reg || c.change === 'delete' || reg.knownHostKey !== undefined) continue;
        if (!identityMatches(identity, source.policy.registration.keys)) continue;
        const key = (
          reg.payload?.ok ? (reg.payload.data as Record<string, unknown>).sshHostKey : undefined
        ) as string | undefined;
        if (typeof key === 'string') fresh[hostOf(c, source.policy)] = sameKey(key);
      }
      if (Object.keys(fresh).length) recordHostKeys(opts.gitDir, fresh);
    }
    return { accepted, decisions };
  } finally {
    cat.close();
    signers?.cleanup();
  }
}

/**
 * The allowed-signers file, from the same place as the policy: beside a server-side policy
 * file, or from the repository at the policy's revision (written to a temporary file for git).
 */
async function allowedSignersFile(
  cat: CatFile,
  source: PolicySource,
  opts: PreReceiveOptions,
): Promise<{ file: string; cleanup: () => void }> {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { dirname, join, resolve } = await import('node:path');
  const name = source.policy.signedCommits.allowedSigners;
  if (opts.policyFile) return { file: resolve(dirname(opts.policyFile), name), cleanup: () => {} };
  const blob = cat.contents(`${opts.policyRev ?? 'HEAD'}:${name}`);
  cat.flush();
  const data = (await blob)?.data ?? Buffer.alloc(0); // none: no signer is allowed
  const dir = mkdtempSync(join(tmpdir(), 'tappaas-signers-'));
  const file = join(dir, 'allowed_signers');
  writeFileSync(file, data);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function contentProblems(
  c: ClassifiedUpdate,
  facts: UpdateFacts,
  source: PolicySource,
  identity: ReturnType<typeof identityFromEnv>,
): Problem[] {
  if (c.change === 'delete') return [];
  if (facts.newType !== 'commit' && facts.newType !== 'tag') {
    return [
      {
        rule: 'ref-target',
        severity: 'error',
        message: `${c.ref} would point at a ${facts.newType ?? 'missing object'}, not a commit or tag`,
        fix: 'push a commit (or an annotated tag of a commit)',
      },
    ];
  }
  const problems = blobProblems(facts.blobs, source.policy);
  if (signaturesRequired(c, source.policy)) problems.push(...signatureProblems(facts.commits, source.policy));
  if (facts.registration) {
    problems.push(...registrationContentProblems(c, identity, source.policy, facts.registration));
  }
  return problems;
}

/** From this much source on, lint threads pay for their start-up (see `npm run bench -- hook`). */
const PARALLEL_CHARS = 256 * 1024;

interface LintJob {
  file: string;
  text: string;
}

async function lintTips(
  judged: { c: ClassifiedUpdate; facts: UpdateFacts; problems: Problem[] }[],
  source: PolicySource,
  cat: CatFile,
): Promise<void> {
  const work = judged
    .map((j) => ({ ...j, gate: lintGateFor(j.c, source.policy) }))
    .filter(
      (j) =>
        j.gate !== 'off' && j.facts.nixPaths.length > 0 && j.problems.every((p) => p.severity !== 'error'),
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
  const ruleSettings = lint.rules ?? {};
  // Every ref's files in one cat-file round trip; one lint per distinct (path, text).
  const perRef = work.map((j) => {
    const paths = j.facts.nixPaths.filter((p) => !ignore.some((g) => matchesGlob(p, g)));
    const reads = paths.map((p) => {
      const known = j.facts.tipBlobs.get(p);
      return known ? Promise.resolve({ data: known }) : cat.contents(`${j.c.newOid}:${p}`);
    });
    return { j, paths, reads };
  });
  cat.flush();
  const jobs: LintJob[] = [];
  const jobIndex = new Map<string, number>();
  let chars = 0;
  const plans = [];
  for (const { j, paths, reads } of perRef) {
    const blobs = await Promise.all(reads);
    const findings: LintFinding[] = [];
    const linted: number[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const data = blobs[i]?.data;
      if (!data) continue;
      const read = decodeSource(data, maxBytes);
      if (!read.ok) {
        findings.push({
          file: path,
          line: 1,
          column: 1,
          rule: 'unreadable-file',
          severity: 'error',
          message: read.message,
        });
        continue;
      }
      const key = `${path}\0${read.text}`;
      let at = jobIndex.get(key);
      if (at === undefined) {
        at = jobs.push({ file: path, text: read.text }) - 1;
        jobIndex.set(key, at);
        chars += read.text.length;
      }
      linted.push(at);
    }
    plans.push({ j, findings, linted });
  }
  if (chars >= OPTIMISE_CHARS) allTiers();
  mark('lint read');
  const results = await lintJobs(jobs, chars, ruleSettings);
  mark('linted');
  for (const { j, findings, linted } of plans) {
    for (const at of linted) findings.push(...results[at]!);
    j.problems.push(...lintProblems(findings, j.gate, j.c.newOid));
  }
}

/** Lints the jobs; Nix is asked about the files tree-sitter doubts all at once, at the end. */
async function lintJobs(
  jobs: LintJob[],
  chars: number,
  ruleSettings: NonNullable<NonNullable<PolicySource['config']['lint']>['rules']>,
): Promise<LintFinding[][]> {
  if (jobs.length === 0) return [];
  const [{ lintSource }, { confirmDeferred, deferredNixChecker, hasDeferredVerdict }] = await Promise.all([
    import('../lint/engine.js'),
    import('../nix-ast/deferred.js'),
  ]);
  // Files tree-sitter doubts are marked in this pass and linted again at the end, with one
  // nix-instantiate for all of them instead of one each.
  const lintHere = (job: LintJob) =>
    lintSource(job.file, job.text, { ruleSettings, nixChecker: deferredNixChecker });
  const results = await lintPass(jobs, chars, ruleSettings, lintHere);
  await confirmDeferred(results, hasDeferredVerdict, (i, nixChecker) =>
    lintSource(jobs[i]!.file, jobs[i]!.text, { ruleSettings, nixChecker }),
  );
  return results;
}

/** Lints the jobs in this thread, or on every core when there is enough source to share. */
async function lintPass(
  jobs: LintJob[],
  chars: number,
  ruleSettings: NonNullable<NonNullable<PolicySource['config']['lint']>['rules']>,
  lintHere: (job: LintJob) => Promise<Diagnostic[]>,
): Promise<LintFinding[][]> {
  const { availableParallelism, loadavg } = await import('node:os');
  // TAPPAAS_LINT_THREADS as for `tappaas lint` (the pool's error messages suggest it). By
  // default only cores that are idle: on a busy server a thread costs its start-up (its own
  // parser and rules, ~0.5 s CPU) and gains nothing (measured: 1.1 s alone, 1.6 s with two).
  const asked = Number.parseInt(process.env.TAPPAAS_LINT_THREADS ?? '', 10);
  const cores = Math.min(availableParallelism(), 8);
  const idle = Math.max(1, Math.round(cores - loadavg()[0]!));
  const threads = Math.min(asked > 0 ? asked : idle, jobs.length);
  if (threads > 1 && chars >= PARALLEL_CHARS) {
    const { defaultWorkerUrl, lintInPool } = await import('../lint/pool.js');
    const workerUrl = defaultWorkerUrl();
    if (workerUrl) {
      // Small batches: a worker starts a few hundred milliseconds after this thread (its own
      // parser and rules), so large ones leave this thread idle waiting for the last of them.
      return lintInPool(jobs, {
        workers: threads - 1,
        workerUrl,
        setup: { ruleSettings, deferSyntax: true },
        lintHere,
        batchBytes: 12 * 1024,
      });
    }
  }
  const out: LintFinding[][] = [];
  for (const job of jobs) out.push(await lintHere(job));
  return out;
}
