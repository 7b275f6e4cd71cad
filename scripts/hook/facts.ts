// Gathers, through git, the facts the pure verdicts need for one ref update: fast-forward or
// not, the commits to check and their files, blob sizes and private key markers, the files to
// lint at the new tip, and registration facts. Reads objects only (quarantine-safe). The
// commits of a ref are those new to it (push-walk.ts), from one walk for the whole push.
import { payloadPath } from '../fleet/registration-files.js';
import type { CatFile } from '../git/cat-file.js';
import { type CommitChanges, commitChanges, isAncestor } from '../git/log.js';
import type { BlobFact } from '../policy/content.js';
import { matchesGlob } from '../policy/glob.js';
import { protectedRuleFor, ZERO_OID } from '../policy/refs.js';
import { payloadFact, type RegistrationFacts } from '../policy/registration.js';
import type { Policy, RefUpdate } from '../policy/types.js';
import { bringsBlob, CommitContent } from './commit-content.js';
import type { PushWalk, RangeJob } from './push-walk.js';
import { Signatures } from './signatures.js';
import { taggedObjectFacts } from './tag-targets.js';

export interface UpdateFacts {
  nonFastForward: boolean;
  /** Whether the old tip is in this repository (always, on the server). */
  oldKnown?: boolean;
  /** Type of the new object (`commit`, `tag`, …), undefined on delete or when missing. */
  newType?: string;
  /** Type of what the new object is at the end of its tag chain (itself when not a tag). */
  peeledType?: string;
  commits: CommitChanges[];
  blobs: BlobFact[];
  /** `.nix` paths changed by the checked commits that still exist at the new tip. */
  nixPaths: string[];
  /** Contents of those `.nix` files at the new tip, when already read (by path). */
  tipBlobs: Map<string, Buffer>;
  registration?: RegistrationFacts;
}

export interface FactContext {
  cwd: string;
  /** The environment git runs with: the hook's own (GIT_DIR, the quarantine). */
  env: NodeJS.ProcessEnv;
  cat: CatFile;
  policy: Policy;
  /** Host keys recorded on the server by earlier registrations (trust on first use). */
  knownHostKeys: Record<string, string>;
  /** The push's walk (started before the policy was read; planned with `planRanges`). */
  walk: PushWalk;
  /**
   * The revision a new ref's commits are judged against: the policy branch
   * (`refs/heads/<defaultBranch>` on the server, the remote's copy of it in a preview).
   */
  policyBranch: string;
  /** The bare repository's directory, for the verdict caches; undefined in a preview. */
  gitDir?: string;
  /** Allowed-signers file for `%G?`, when some branches require signed commits. */
  allowedSigners?: string;
}

/** What facts keep for the whole push: content judged once, signatures, tagged trees. */
interface PushState {
  content: CommitContent;
  primed?: Promise<unknown>;
  signatures?: Signatures;
  listings: Map<string, Promise<{ path: string; oid: string }[]>>;
}

const pushStates = new WeakMap<FactContext, PushState>();

function stateOf(ctx: FactContext): PushState {
  let state = pushStates.get(ctx);
  if (!state) {
    state = { content: new CommitContent(ctx.cat, ctx.policy, ctx.gitDir), listings: new Map() };
    pushStates.set(ctx, state);
  }
  return state;
}

/** The object at the end of a tag chain (`<oid>^{}`); the object itself when it is not a tag. */
function peeled(cat: CatFile, oid: string, type: string | undefined) {
  return type === 'tag' ? cat.info(`${oid}^{}`) : cat.info(oid);
}

/**
 * Each ref's range for the push's walk: its new commit (a tag peeled) against its old tip,
 * or, for a new branch or any tag, against the policy branch (and a tag's old tip). Deletions
 * and refs that do not end in a commit have none.
 */
export async function planRanges(
  updates: readonly RefUpdate[],
  ctx: FactContext,
): Promise<Map<string, RangeJob>> {
  const { cat } = ctx;
  const live = updates.filter((u) => !ZERO_OID.test(u.newOid));
  const infos = live.map((u) => ({
    u,
    new: cat.info(u.newOid),
    old: ZERO_OID.test(u.oldOid) ? undefined : cat.info(u.oldOid),
  }));
  const policyTip = cat.info(ctx.policyBranch);
  cat.flush();
  const typed = await Promise.all(
    infos.map(async (i) => ({ u: i.u, newType: (await i.new)?.type, oldType: (await i.old)?.type })),
  );
  const peels = typed.map((t) => ({
    u: t.u,
    tip: t.newType ? peeled(cat, t.u.newOid, t.newType) : undefined,
    old: t.oldType ? peeled(cat, t.u.oldOid, t.oldType) : undefined,
  }));
  const policyCommit = peeled(cat, ctx.policyBranch, (await policyTip)?.type);
  cat.flush();
  const base = await policyCommit;
  const policyBase = base?.type === 'commit' ? [base.oid] : [];
  const jobs = new Map<string, RangeJob>();
  for (const p of peels) {
    const tip = await p.tip;
    if (tip?.type !== 'commit') continue;
    const old = await p.old;
    const oldBase = old?.type === 'commit' ? [old.oid] : [];
    const bases = p.u.ref.startsWith('refs/heads/') && oldBase.length ? oldBase : [...oldBase, ...policyBase];
    jobs.set(p.u.ref, { tip: tip.oid, bases: [...new Set(bases)] });
  }
  return jobs;
}

/** Phase one, enough for the ref verdicts: object type and fast-forward. */
export async function gatherRefFacts(u: RefUpdate, ctx: FactContext): Promise<UpdateFacts> {
  const facts: UpdateFacts = {
    nonFastForward: false,
    commits: [],
    blobs: [],
    nixPaths: [],
    tipBlobs: new Map(),
  };
  if (ZERO_OID.test(u.newOid)) return facts;
  const info = ctx.cat.info(u.newOid);
  const old = ZERO_OID.test(u.oldOid) ? undefined : ctx.cat.info(u.oldOid);
  ctx.cat.flush();
  facts.newType = (await info)?.type;
  // A client preview may not have the remote's old tip: then judge it like a new ref.
  const oldInfo = await old;
  facts.oldKnown = oldInfo !== undefined;
  const tip = peeled(ctx.cat, u.newOid, facts.newType);
  ctx.cat.flush();
  facts.peeledType = (await tip)?.type;
  const branch = branchOf(u);
  // Only protected branches care about history rewrites; elsewhere skip the question.
  if (
    !ZERO_OID.test(u.oldOid) &&
    branch !== undefined &&
    protectedRuleFor(branch, ctx.policy) &&
    facts.peeledType === 'commit'
  ) {
    const range = facts.oldKnown ? await ctx.walk.range(u.ref) : undefined;
    const oldCommit = oldInfo ? await peeled(ctx.cat, u.oldOid, oldInfo.type) : undefined;
    if (range && oldCommit?.type === 'commit') {
      // The old tip is an ancestor exactly when the range of new commits stops at it (or the
      // tips are equal).
      const newCommit = (await tip)!.oid;
      facts.nonFastForward = !(newCommit === oldCommit.oid || range.stops.has(oldCommit.oid));
    } else {
      facts.nonFastForward = !(await isAncestor(ctx, u.oldOid, u.newOid));
    }
  }
  return facts;
}

function branchOf(u: RefUpdate): string | undefined {
  return u.ref.startsWith('refs/heads/') ? u.ref.slice('refs/heads/'.length) : undefined;
}

/** Phase two, for refs the verdicts let move: commits, blobs, lint paths, registration facts. */
export async function gatherContentFacts(u: RefUpdate, facts: UpdateFacts, ctx: FactContext): Promise<void> {
  if (ZERO_OID.test(u.newOid)) return;
  if (facts.peeledType === 'tree' || facts.peeledType === 'blob') {
    const targetInfo = ctx.cat.info(`${u.newOid}^{}`);
    ctx.cat.flush(); // a ref straight at a tree or blob was not peeled in phase one
    const target = await targetInfo;
    if (!target) return;
    const { listings } = stateOf(ctx);
    facts.blobs = await taggedObjectFacts(
      ctx.cat,
      u.ref,
      { oid: target.oid, type: facts.peeledType },
      ctx.policy,
      listings,
    );
    return;
  }
  if (facts.peeledType !== 'commit') return;
  const branch = branchOf(u);
  const { policy } = ctx;
  const isRegistration = branch?.startsWith(policy.registration.prefix) ?? false;
  const defaultRef = `refs/heads/${policy.defaultBranch}`;
  const mainInfo = isRegistration ? ctx.cat.info(defaultRef) : undefined;
  if (mainInfo) ctx.cat.flush();
  const mainExists = (await mainInfo) !== undefined;

  const [range, regCommits] = await Promise.all([
    ctx.walk.range(u.ref),
    isRegistration && mainExists
      ? commitChanges(ctx, [u.newOid, '--not', defaultRef], { boundary: true })
      : Promise.resolve(undefined),
  ]);
  facts.commits = range?.commits ?? [];

  if (isRegistration && branch) {
    const host = branch.slice(policy.registration.prefix.length);
    facts.registration = await registrationFacts(u, ctx, host, regCommits);
    // A registration is checked against the default branch, whatever its old tip was.
    if (regCommits) facts.commits = regCommits.filter((c) => !c.boundary);
  }
  if (branch !== undefined && ctx.allowedSigners && signedBranch(branch, policy)) {
    const state = stateOf(ctx);
    state.signatures ??= new Signatures(ctx, ctx.allowedSigners, ctx.gitDir);
    const states = await state.signatures.states(facts.commits.map((c) => c.oid));
    facts.commits = facts.commits.map((c) => ({ ...c, signature: states.get(c.oid) ?? 'E' }));
  }

  await blobFacts(facts, ctx, branch !== undefined ? u.newOid : undefined);
}

function signedBranch(branch: string, policy: Policy): boolean {
  return policy.signedCommits.branches.some((g) => matchesGlob(branch, g));
}

/**
 * Blob facts of the commits (judged for the whole push at once, commit-content.ts), and the
 * `.nix` files to lint at the new tip: what the tip commit itself changed is what the tip holds
 * (its diff's new side); only the other paths need a `<tip>:<path>` lookup, in one round trip.
 */
async function blobFacts(facts: UpdateFacts, ctx: FactContext, tip: string | undefined): Promise<void> {
  const { cat } = ctx;
  const state = stateOf(ctx);
  // The first ref to get here judges every commit of the push's walk in one batch.
  state.primed ??= ctx.walk.commits().then((all) => state.content.facts(all));
  await state.primed;
  facts.blobs = await state.content.facts(facts.commits);
  if (!tip) return;
  const nixPaths = new Set<string>();
  for (const c of facts.commits)
    for (const ch of c.changes) if (ch.path.endsWith('.nix')) nixPaths.add(ch.path);
  const paths = [...nixPaths];
  const tipChanges = new Map(facts.commits.find((c) => c.oid === tip)?.changes.map((ch) => [ch.path, ch]));
  const tipInfos = paths.map((p) => {
    const ch = tipChanges.get(p);
    if (!ch) return cat.info(`${tip}:${p}`);
    return Promise.resolve(bringsBlob(ch) ? { oid: ch.oid, type: 'blob', size: -1 } : undefined);
  });
  if (paths.some((p) => !tipChanges.has(p))) cat.flush();
  const found = await Promise.all(tipInfos);
  facts.nixPaths = paths.filter((_, i) => found[i]?.type === 'blob');
  paths.forEach((p, i) => {
    const data = found[i]?.type === 'blob' ? state.content.nixContents(found[i]!.oid) : undefined;
    if (data) facts.tipBlobs.set(p, data);
  });
}

async function registrationFacts(
  u: RefUpdate,
  ctx: FactContext,
  host: string,
  regCommits: CommitChanges[] | undefined,
): Promise<RegistrationFacts> {
  const payload = payloadPath(host);
  const payloadRead = ctx.cat.contents(`${u.newOid}:${payload}`);
  const mainPayloadRead = ctx.cat.contents(`refs/heads/${ctx.policy.defaultBranch}:${payload}`);
  // The branch as it is: an earlier registration that git applied holds the first key, even
  // before its post-receive has recorded it (two VMs racing for one name).
  const oldPayloadRead = ZERO_OID.test(u.oldOid)
    ? Promise.resolve(undefined)
    : ctx.cat.contents(`${u.oldOid}:${payload}`);
  ctx.cat.flush();
  const [payloadObj, mainPayloadObj, oldPayloadObj] = await Promise.all([
    payloadRead,
    mainPayloadRead,
    oldPayloadRead,
  ]);
  const changes: RegistrationFacts['changes'] = [];
  const seen = new Set<string>();
  for (const c of regCommits ?? []) {
    if (c.boundary) continue;
    for (const ch of c.changes) {
      if (seen.has(ch.path)) continue;
      seen.add(ch.path);
      changes.push({ commit: c.oid, path: ch.path, mode: ch.mode });
    }
  }
  // Shares history when the walk stopped at commits of the default branch, or brought nothing new.
  const sharesHistory =
    regCommits !== undefined && (regCommits.length === 0 || regCommits.some((c) => c.boundary));
  const facts: RegistrationFacts = { host, ref: u.ref, changes, sharesHistory };
  if (payloadObj) facts.payload = payloadFact(payloadObj.data);
  const recorded = ctx.knownHostKeys[host];
  const mainKey = payloadKey(mainPayloadObj?.data);
  const branchKey = payloadKey(oldPayloadObj?.data);
  if (recorded !== undefined) facts.knownHostKey = { key: recorded, from: 'server' };
  else if (mainKey !== undefined) facts.knownHostKey = { key: mainKey, from: 'default-branch' };
  else if (branchKey !== undefined) facts.knownHostKey = { key: branchKey, from: 'registration-branch' };
  return facts;
}

/** `sshHostKey` of a registration payload, when it has one. */
function payloadKey(data: Buffer | undefined): string | undefined {
  const parsed = data ? payloadFact(data) : undefined;
  const key = parsed?.ok ? (parsed.data as Record<string, unknown>).sshHostKey : undefined;
  return typeof key === 'string' ? key : undefined;
}
