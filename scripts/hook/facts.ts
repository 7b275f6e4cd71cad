// Gathers, through git, the facts the pure verdicts need for one ref update: fast-forward or
// not, the commits to check and their files, blob sizes and private key markers, the files to
// lint at the new tip, and registration facts. Reads objects only (quarantine-safe).
import type { CatFile } from '../git/cat-file.js';
import { type CommitChanges, commitChanges, isAncestor } from '../git/log.js';
import { type BlobFact, privateKeyLine } from '../policy/content.js';
import { matchesGlob } from '../policy/glob.js';
import { protectedRuleFor, ZERO_OID } from '../policy/refs.js';
import type { RegistrationFacts } from '../policy/registration.js';
import type { Policy, RefUpdate } from '../policy/types.js';

export interface UpdateFacts {
  nonFastForward: boolean;
  /** Whether the old tip is in this repository (always, on the server). */
  oldKnown?: boolean;
  /** Type of the new object (`commit`, `tag`, …), undefined on delete or when missing. */
  newType?: string;
  commits: CommitChanges[];
  blobs: BlobFact[];
  /** `.nix` paths changed by the checked commits that still exist at the new tip. */
  nixPaths: string[];
  /** Contents of those `.nix` files at the new tip, when already read (by path). */
  tipBlobs: Map<string, Buffer>;
  registration?: RegistrationFacts;
  /** Commits of OLD..NEW, when phase one walked them (protected branches). */
  protectedRange?: CommitChanges[];
}

export interface FactContext {
  cwd: string;
  cat: CatFile;
  policy: Policy;
  /** Host keys recorded on the server by earlier registrations (trust on first use). */
  knownHostKeys: Record<string, string>;
  /** What "already known" means for new commits: `--all` on the server, the remote's refs in a preview. */
  exclude?: string[];
  /** Allowed-signers file for `git log %G?`, when some branches require signed commits. */
  allowedSigners?: string;
  /** `git log`s started before the policy was read (`startLikelyLogs`), by their arguments. */
  earlyLogs?: Map<string, Promise<CommitChanges[]>>;
}

type LogOptions = { boundary?: boolean; allowedSigners?: string };

function logKey(revisions: string[], opts: LogOptions): string {
  return JSON.stringify([revisions, opts.boundary === true, opts.allowedSigners ?? '']);
}

/** The commits of a range: the early `git log` with the same arguments if one ran, else a new one. */
function log(ctx: FactContext, revisions: string[], opts: LogOptions): Promise<CommitChanges[]> {
  const key = logKey(revisions, opts);
  const early = ctx.earlyLogs?.get(key);
  if (early) {
    ctx.earlyLogs!.delete(key);
    return early;
  }
  return commitChanges(ctx.cwd, revisions, opts);
}

/**
 * Starts, while the policy is still being read, the `git log` each branch update will most
 * likely need: a new branch's new commits, or the range of a `main` update (protected by
 * default); any other branch update, its new commits. Only an exact match of arguments is
 * used later (`log`); a wrong guess costs one process, never a different answer.
 */
export function startLikelyLogs(
  updates: readonly RefUpdate[],
  cwd: string,
  exclude: string[] | undefined,
): Map<string, Promise<CommitChanges[]>> {
  const logs = new Map<string, Promise<CommitChanges[]>>();
  for (const u of updates.slice(0, 4)) {
    const branch = branchOf(u);
    if (branch === undefined || ZERO_OID.test(u.newOid)) continue;
    const [revisions, opts]: [string[], LogOptions] =
      !ZERO_OID.test(u.oldOid) && branch === 'main'
        ? [[`${u.oldOid}..${u.newOid}`], { boundary: true }]
        : [[u.newOid, '--not', ...(exclude ?? ['--all'])], {}];
    const key = logKey(revisions, opts);
    if (logs.has(key)) continue;
    const p = commitChanges(cwd, revisions, opts);
    p.catch(() => {}); // unused guesses fail quietly; a used one fails where it is awaited
    logs.set(key, p);
  }
  return logs;
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
  facts.oldKnown = old !== undefined && (await old) !== undefined;
  const branch = branchOf(u);
  // Only protected branches care about history rewrites; elsewhere skip the extra process.
  if (
    !ZERO_OID.test(u.oldOid) &&
    branch !== undefined &&
    protectedRuleFor(branch, ctx.policy) &&
    isCommitish(facts)
  ) {
    if (facts.oldKnown) {
      // One `git log --boundary OLD..NEW` answers both questions: the old tip is an ancestor
      // exactly when it is a boundary commit of the range (or the tips are equal), and the
      // range is the set of commits phase two checks on a protected branch.
      const range = await log(ctx, [`${u.oldOid}..${u.newOid}`], {
        boundary: true,
        ...signersFor(branch, ctx),
      });
      facts.nonFastForward = !(u.oldOid === u.newOid || range.some((c) => c.boundary && c.oid === u.oldOid));
      facts.protectedRange = range.filter((c) => !c.boundary);
    } else {
      facts.nonFastForward = !(await isAncestor(ctx.cwd, u.oldOid, u.newOid));
    }
  }
  return facts;
}

/** Signature checks for `git log %G?`, on branches that require signed commits. */
function signersFor(branch: string | undefined, ctx: FactContext): { allowedSigners?: string } {
  const signed =
    branch !== undefined && ctx.policy.signedCommits.branches.some((g) => matchesGlob(branch, g));
  return signed && ctx.allowedSigners ? { allowedSigners: ctx.allowedSigners } : {};
}

function branchOf(u: RefUpdate): string | undefined {
  return u.ref.startsWith('refs/heads/') ? u.ref.slice('refs/heads/'.length) : undefined;
}

function isCommitish(facts: UpdateFacts): boolean {
  return facts.newType === 'commit' || facts.newType === 'tag';
}

/** Phase two, for refs the verdicts let move: commits, blobs, lint paths, registration facts. */
export async function gatherContentFacts(u: RefUpdate, facts: UpdateFacts, ctx: FactContext): Promise<void> {
  if (ZERO_OID.test(u.newOid) || !isCommitish(facts)) return;
  const created = !facts.oldKnown;
  const branch = branchOf(u);
  const { policy } = ctx;
  const isRegistration = branch?.startsWith(policy.registration.prefix) ?? false;
  const isProtected = branch !== undefined && protectedRuleFor(branch, policy) !== undefined;
  // Protected branches: every commit the update brings, even ones already on another branch.
  const range =
    isProtected && !created
      ? [`${u.oldOid}..${u.newOid}`]
      : [u.newOid, '--not', ...(ctx.exclude ?? ['--all'])];
  const defaultRef = `refs/heads/${policy.defaultBranch}`;
  const mainInfo = isRegistration ? ctx.cat.info(defaultRef) : undefined;
  if (mainInfo) ctx.cat.flush();
  const mainExists = (await mainInfo) !== undefined;
  // Phase one already walked OLD..NEW of a protected branch.
  const known = isProtected && !created ? facts.protectedRange : undefined;

  const [commits, regCommits] = await Promise.all([
    known ?? log(ctx, range, signersFor(branch, ctx)),
    isRegistration && mainExists
      ? commitChanges(ctx.cwd, [u.newOid, '--not', defaultRef], { boundary: true })
      : Promise.resolve(undefined),
  ]);
  facts.commits = commits;

  if (isRegistration && branch) {
    const host = branch.slice(policy.registration.prefix.length);
    facts.registration = await registrationFacts(u, ctx, host, regCommits);
    // A registration is checked against the default branch, a wider range than --not --all.
    if (regCommits) facts.commits = regCommits.filter((c) => !c.boundary);
  }

  await blobFacts(facts, ctx, branch !== undefined ? u.newOid : undefined);
}

/**
 * Blob sizes and private key markers of every file the commits add or change, and the `.nix`
 * files to lint at the new tip, in two cat-file round trips: sizes and tip lookups first, then
 * contents of the blobs small enough to scan (tip `.nix` contents are kept for the linter).
 */
async function blobFacts(facts: UpdateFacts, ctx: FactContext, tip: string | undefined): Promise<void> {
  const { cat, policy } = ctx;
  const firstSeen = new Map<string, { commit: string; path: string }[]>();
  const nixPaths = new Set<string>();
  for (const c of facts.commits) {
    for (const ch of c.changes) {
      if (ch.path.endsWith('.nix')) nixPaths.add(ch.path);
      if (ch.status === 'D' || ch.mode === '160000' || ZERO_OID.test(ch.oid)) continue;
      let list = firstSeen.get(ch.oid);
      if (!list) firstSeen.set(ch.oid, (list = []));
      if (!list.some((x) => x.path === ch.path)) list.push({ commit: c.oid, path: ch.path });
    }
  }
  const oids = [...firstSeen.keys()];
  const paths = tip ? [...nixPaths] : [];
  const sizes = oids.map((oid) => cat.info(oid));
  // What the tip commit itself changed is what the tip holds (its diff's new side): only the
  // other paths need a `<tip>:<path>` lookup, which makes git walk the trees once per path.
  const tipChanges = new Map(facts.commits.find((c) => c.oid === tip)?.changes.map((ch) => [ch.path, ch]));
  const tipInfos = paths.map((p) => {
    const ch = tipChanges.get(p);
    if (!ch) return cat.info(`${tip}:${p}`);
    const gone = ch.status === 'D' || ch.mode === '160000' || ZERO_OID.test(ch.oid);
    return Promise.resolve(gone ? undefined : { oid: ch.oid, type: 'blob', size: -1 });
  });
  cat.flush();
  const [infos, found] = await Promise.all([Promise.all(sizes), Promise.all(tipInfos)]);
  const tipOids = new Map<string, string>();
  paths.forEach((p, i) => {
    const info = found[i];
    if (info?.type === 'blob') tipOids.set(info.oid, p);
  });
  facts.nixPaths = paths.filter((_, i) => found[i]?.type === 'blob');
  const scan = policy.limits.detectPrivateKeys;
  const reads = oids.map((oid, i) => {
    const size = infos[i]?.size ?? 0;
    const wanted = (scan && size <= policy.limits.maxBlobBytes) || tipOids.has(oid);
    return wanted ? cat.contents(oid) : Promise.resolve(undefined);
  });
  cat.flush();
  const contents = await Promise.all(reads);
  oids.forEach((oid, i) => {
    const size = infos[i]?.size ?? 0;
    const data = contents[i]?.data;
    if (data && tipOids.has(oid)) facts.tipBlobs.set(tipOids.get(oid)!, data);
    // Markers are ASCII: latin1 decoding is exact for them and never fails on binary data.
    const keyLine = data && scan ? privateKeyLine(data.toString('latin1')) : undefined;
    for (const at of firstSeen.get(oid) ?? []) {
      const fact: BlobFact = { ...at, oid, size };
      if (keyLine !== undefined) fact.privateKeyLine = keyLine;
      facts.blobs.push(fact);
    }
  });
}

async function registrationFacts(
  u: RefUpdate,
  ctx: FactContext,
  host: string,
  regCommits: CommitChanges[] | undefined,
): Promise<RegistrationFacts> {
  const payloadPath = `registrations/${host}.json`;
  const payloadRead = ctx.cat.contents(`${u.newOid}:${payloadPath}`);
  const mainPayloadRead = ctx.cat.contents(`refs/heads/${ctx.policy.defaultBranch}:${payloadPath}`);
  ctx.cat.flush();
  const [payloadObj, mainPayloadObj] = await Promise.all([payloadRead, mainPayloadRead]);
  const changes: RegistrationFacts['changes'] = [];
  const seen = new Set<string>();
  for (const c of regCommits ?? []) {
    if (c.boundary) continue;
    for (const ch of c.changes) {
      if (seen.has(ch.path)) continue;
      seen.add(ch.path);
      changes.push({ commit: c.oid, path: ch.path });
    }
  }
  // Shares history when the walk stopped at commits of the default branch, or brought nothing new.
  const sharesHistory =
    regCommits !== undefined && (regCommits.length === 0 || regCommits.some((c) => c.boundary));
  const facts: RegistrationFacts = { changes, sharesHistory };
  if (payloadObj) facts.payload = parsePayload(payloadObj.data);
  const recorded = ctx.knownHostKeys[host];
  const onMain = mainPayloadObj ? parsePayload(mainPayloadObj.data) : undefined;
  const mainKey =
    onMain?.ok && typeof (onMain.data as Record<string, unknown>)?.sshHostKey === 'string'
      ? ((onMain.data as Record<string, unknown>).sshHostKey as string)
      : undefined;
  const known = recorded ?? mainKey;
  if (known !== undefined) facts.knownHostKey = known;
  return facts;
}

function parsePayload(data: Buffer): { ok: true; data: unknown } | { ok: false; message: string } {
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, message: 'is not a JSON object' };
    return { ok: true, data: parsed };
  } catch (err) {
    return { ok: false, message: `is not valid JSON (${(err as Error).message})` };
  }
}
