// The pre-receive run: parse git's stdin, load the policy from the pre-push state, gather
// facts per ref, judge them with the pure verdicts, lint the changed .nix files (and run the
// fleet structure checks, structure.ts) at each new tip, and report. Returns the exit code;
// throws only for internal errors (the caller fails closed). What runs around it, V8's tuning
// for a short run, is the entry's (pre-receive-entry.ts).
import { fleetLayout } from '../config/fleet.js';
import { registrationLayout } from '../fleet/registration-files.js';
import { CatFile } from '../git/cat-file.js';
import { contentProblems, decide } from '../policy/content.js';
import { identityFromEnv } from '../policy/identity.js';
import { classify, shadowCandidates } from '../policy/refs.js';
import { registrationProblems, viaRegistrationKey } from '../policy/registration.js';
import type { RefDecision } from '../policy/types.js';
import { refProblems } from '../policy/verdicts.js';
import { mapLimit } from '../util/map-limit.js';
import { type AllowedSigners, allowedSignersFile } from './allowed-signers.js';
import { type FactContext, gatherContentFacts, gatherRefFacts, planRanges } from './facts.js';
import { hostKeyClaims, writeHostKeyClaims } from './host-key-trust.js';
import { lintTips } from './lint-tips.js';
import { formatInputProblems, formatReport } from './messages.js';
import { loadPolicySource, policyUpdateProblems, prefetchPolicyUpdate } from './policy-source.js';
import { parseUpdates } from './protocol.js';
import { PushWalk } from './push-walk.js';
import { readKnownHostKeys } from './server-state.js';
import { structureProblems, warmStructureFor } from './structure.js';
import { mark } from './timing.js';

export interface PreReceiveOptions {
  cwd: string;
  gitDir: string;
  env: NodeJS.ProcessEnv;
  input: Buffer;
  policyFile?: string;
  /** The branch whose tappaas.json is the policy (`hook install --policy-branch`, default main). */
  policyBranch?: string;
  /** Where to read that branch instead of refs/heads/<policyBranch> (the client preview). */
  policyRev?: string;
  /**
   * Client-side preview: no server state is written, and new refs are judged against the
   * remote's copy of the policy branch (`policyRev`).
   */
  preview?: boolean;
  write: (text: string) => void;
}

export interface PreReceiveResult {
  accepted: boolean;
  decisions: RefDecision[];
}

export async function preReceive(opts: PreReceiveOptions): Promise<PreReceiveResult> {
  const { updates, problems: inputProblems } = parseUpdates(opts.input);
  if (inputProblems.length) {
    opts.write(formatInputProblems(inputProblems));
    return { accepted: false, decisions: [] };
  }
  if (updates.length === 0) return { accepted: true, decisions: [] };
  // Warm the Nix parser (WebAssembly compile) and load the rules while this thread waits for
  // git, when a branch may need linting.
  if (updates.some((u) => u.ref.startsWith('refs/heads/') && !/^0+$/.test(u.newOid))) {
    void import('../nix-ast/parser.js').then((m) => m.nixParser()).catch(() => {});
    void import('../lint/engine.js').catch(() => {});
  }
  const cat = new CatFile(opts.cwd, opts.env);
  let walk: PushWalk | undefined;
  let signers: AllowedSigners | undefined;
  try {
    // Ask for the pushed objects in the same round trip as the policy (answers are remembered).
    for (const u of updates)
      for (const oid of [u.oldOid, u.newOid]) if (!/^0+$/.test(oid)) cat.info(oid).catch(() => undefined);
    if (!opts.policyFile) for (const u of updates) prefetchPolicyUpdate(cat, u, opts.policyBranch);
    const sourceRead = loadPolicySource(cat, opts.policyFile, {
      ...(opts.policyBranch ? { policyBranch: opts.policyBranch } : {}),
      ...(opts.policyRev ? { rev: opts.policyRev } : {}),
    });
    // git answers the policy request while the push's walk starts (it waits for its refs).
    walk = new PushWalk({ cwd: opts.cwd, env: opts.env });
    const source = await sourceRead;
    mark('policy');
    const identity = identityFromEnv(opts.env);
    const knownHostKeys = readKnownHostKeys(opts.gitDir);
    if (source.policy.signedCommits.branches.length) {
      signers = await allowedSignersFile(cat, source, opts.policyFile);
    }
    const gitDir = opts.preview ? undefined : opts.gitDir;
    const ctx: FactContext = {
      cwd: opts.cwd,
      env: opts.env,
      cat,
      policy: source.policy,
      knownHostKeys,
      walk,
      // New refs are judged against the policy branch: the remote's copy of it in a preview.
      policyBranch: opts.preview ? (opts.policyRev ?? 'HEAD') : `refs/heads/${source.policy.defaultBranch}`,
      ...(gitDir ? { gitDir } : {}),
      ...(signers ? { allowedSigners: signers.file } : {}),
    };
    walk.plan(planRanges(updates, ctx));
    const judged = await mapLimit(updates, 4, async (u) => {
      const existing = existingBranches(cat, shadowCandidates(classify(u, false), source.policy));
      const facts = await gatherRefFacts(u, ctx);
      mark('ref facts');
      const c = classify(u, facts.nonFastForward);
      const problems = refProblems(c, identity, source.policy, await existing);
      // A ref that may not move at all is not worth reading content for.
      if (problems.length === 0) {
        await gatherContentFacts(u, facts, ctx);
        mark('content facts');
        warmStructureFor(facts, source);
        problems.push(...contentProblems(c, facts, source.policy));
        const reg = facts.registration;
        if (reg) {
          const via = viaRegistrationKey(identity, source.policy, reg.host);
          const layout = registrationLayout(fleetLayout(source.config.fleet), reg.host);
          problems.push(...registrationProblems({ ...reg, viaRegistrationKey: via }, source.policy, layout));
        }
        problems.push(...(await policyUpdateProblems(cat, c, source)));
      }
      return { c, facts, problems };
    });
    // Structure checks alongside the lint; their problems follow the lint's in each ref's block.
    const [structure] = await Promise.all([
      structureProblems(judged, source, cat, gitDir),
      lintTips(judged, source, cat, gitDir, opts.env),
    ]);
    mark('checked');
    for (const [i, j] of judged.entries()) j.problems.push(...structure[i]!);
    const decisions = judged.map(({ c, problems }) => ({ ...decide(c.ref, problems), newOid: c.newOid }));
    const accepted = decisions.every((d) => d.accepted);
    opts.write(formatReport({ decisions, identity, origin: source.origin }));
    mark('reported');
    // Trust on first use: the host keys registration keys brought for new hosts become records
    // in post-receive, and only for the ref updates that happen (host-key-trust.ts).
    if (accepted && !opts.preview)
      writeHostKeyClaims(opts.gitDir, hostKeyClaims(judged, identity, source.policy));
    return { accepted, decisions };
  } finally {
    walk?.close();
    cat.close();
    signers?.cleanup();
  }
}

/** Which of these branch names the repository has (usually none are asked: see shadowCandidates). */
async function existingBranches(cat: CatFile, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const reads = names.map((n) => cat.info(`refs/heads/${n}`));
  cat.flush();
  const found = await Promise.all(reads);
  return new Set(names.filter((_, i) => found[i] !== undefined));
}
