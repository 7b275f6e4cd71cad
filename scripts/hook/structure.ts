// The fleet's structure checks (`tappaas check`) at each pushed branch tip, reported like lint
// findings. Only what the push introduced counts: findings are compared with the old tip (the
// default branch for a new branch) by file, rule and message, so an old problem never blocks an
// unrelated push. Trees are listed and read through the hook's cat-file process
// (quarantine-safe, no work tree). Pushes that touch no fleet file pay nothing: the checks
// load only when one changed.

import { type FleetLayout, fleetLayout, normalizePath } from '../config/fleet.js';
import type { FileFacts } from '../fleet/facts.js';
import { isUnder } from '../fleet/layout.js';
import type { CatFile } from '../git/cat-file.js';
import { listTree, type TreeListing } from '../git/list-tree.js';
import type { Diagnostic } from '../lint/types.js';
import { type LintFinding, lintGateFor, lintProblems } from '../policy/content.js';
import { ZERO_OID } from '../policy/refs.js';
import type { ClassifiedUpdate, LintGate, Problem } from '../policy/types.js';
import type { UpdateFacts } from './facts.js';
import { factsKey, readFactsCache, writeFactsCache } from './fleet-cache.js';
import type { PolicySource } from './policy-source.js';
import { mark } from './timing.js';
import { allTiers } from './v8-tiers.js';

export interface JudgedRef {
  c: ClassifiedUpdate;
  facts: UpdateFacts;
  problems: Problem[];
}

interface Work {
  j: JudgedRef;
  gate: LintGate;
  /** The tree the findings are compared with; undefined: none (every finding is new). */
  base: string | undefined;
}

/** A tree's fleet files: path and blob id, in `git ls-tree` order. */
type Listing = TreeListing;

const FIX =
  'fix the structure finding as its message says; run `npx tappaas check` locally to see the fleet as the hook does';

/** Whether the checked commits of this ref add, change or delete a file of the fleet tree. */
export function touchesFleet(facts: UpdateFacts, layout: FleetLayout): boolean {
  return facts.commits.some((c) =>
    c.changes.some((ch) => ch.path === layout.flake || isUnder(ch.path, layout.root)),
  );
}

/**
 * Structure problems per judged ref (same order; empty for refs not checked). Checked: branch
 * updates that may move (no error yet), whose lint gate is not `off`, that are not
 * registrations, and whose commits touch the fleet tree.
 */
export async function structureProblems(
  judged: readonly JudgedRef[],
  source: PolicySource,
  cat: CatFile,
  /** The bare repository's directory, for the facts cache; undefined: no cache (a preview). */
  gitDir: string | undefined,
): Promise<Problem[][]> {
  const out: Problem[][] = judged.map(() => []);
  const { policy } = source;
  const layout = fleetLayout(source.config.fleet);
  const defaultRef = `refs/heads/${policy.defaultBranch}`;
  const picked: { at: number; gate: LintGate; j: JudgedRef }[] = [];
  judged.forEach((j, at) => {
    if (j.c.kind !== 'branch' || j.c.change === 'delete') return;
    if (j.c.name.startsWith(policy.registration.prefix)) return; // a lone hardware file is expected there
    if (j.problems.some((p) => p.severity === 'error')) return;
    const gate = lintGateFor(j.c, policy);
    if (gate === 'off' || !touchesFleet(j.facts, layout)) return;
    picked.push({ at, gate, j });
  });
  if (picked.length === 0) return out;

  const mainInfo = cat.info(defaultRef);
  cat.flush();
  const main = (await mainInfo)?.oid;
  const work: (Work & { at: number })[] = picked.map(({ at, gate, j }) => {
    const old = !ZERO_OID.test(j.c.oldOid) && j.facts.oldKnown ? j.c.oldOid : undefined;
    return { at, gate, j, base: old ?? main };
  });
  const [
    { applyLevels, checkStructure },
    { fileFacts },
    { introduced },
    { DEFAULT_MAX_FILE_BYTES, decodeSource },
  ] = await warmStructure();
  const maxBytes = source.config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  mark('structure loaded');

  // Every tree once, every distinct fleet `.nix` blob read (and parsed) once.
  const trees = new Map<string, Promise<Listing>>();
  for (const w of work) {
    for (const rev of [w.j.c.newOid, w.base]) {
      if (rev !== undefined && !trees.has(rev)) trees.set(rev, listFleetTree(cat, rev, layout));
    }
  }
  const listings = new Map<string, Listing>();
  for (const [rev, p] of trees) listings.set(rev, await p);
  // Facts depend on the path (relative imports, the flake) and the text: one parse per pair,
  // and none for pairs the server parsed before.
  mark('trees listed');
  const known = gitDir !== undefined ? readFactsCache(gitDir) : new Map<string, FileFacts>();
  const used = new Map<string, FileFacts>();
  let parsed = 0;
  const pending = new Map<string, { path: string; data: Promise<Buffer | undefined> }>();
  for (const listing of listings.values()) {
    for (const { path, oid } of listing) {
      const key = factsKey(path, oid);
      if (!isFleetNix(path, layout) || known.has(key) || pending.has(key)) continue;
      pending.set(key, { path, data: cat.contents(oid).then((o) => o?.data) });
    }
  }
  if (pending.size) cat.flush();
  // Parsing a fleet (a first push, or one after an upgrade): worth the optimising compiler.
  if (pending.size >= 20) allTiers();
  // The lint's budget (policy.limits.hookLint*) bounds parsing here too: a file over it has no
  // facts, and the checks skip what they cannot see (the lint warns that CI checks the file).
  let budget = policy.limits.hookLintPushBytes;
  for (const [key, { path, data }] of pending) {
    const bytes = await data;
    if (!bytes || bytes.length > policy.limits.hookLintFileBytes || bytes.length > budget) continue;
    budget -= bytes.length;
    const read = decodeSource(bytes, maxBytes);
    // Not decodable: the lint reports the file; the checks go on without its facts.
    if (!read.ok) continue;
    known.set(key, await fileFacts(path, read.text, { flake: path === layout.flake }));
    parsed++;
  }
  mark(`facts parsed ${parsed}`);
  const factsOf = (path: string, oid: string): FileFacts | undefined => {
    const key = factsKey(path, oid);
    const f = known.get(key);
    if (f) used.set(key, f);
    return f;
  };
  const findingsCache = new Map<string, Diagnostic[]>();
  const findingsAt = (rev: string) => {
    let p = findingsCache.get(rev);
    if (!p) {
      p = (() => {
        const listing = listings.get(rev) ?? [];
        const facts = new Map<string, FileFacts>();
        for (const { path, oid } of listing) {
          if (!isFleetNix(path, layout)) continue;
          const f = factsOf(path, oid);
          if (f) facts.set(path, f);
        }
        const files = listing.map((e) => e.path);
        return applyLevels(checkStructure({ layout, files, facts }), source.config);
      })();
      findingsCache.set(rev, p);
    }
    return p;
  };

  for (const w of work) {
    const head = findingsAt(w.j.c.newOid);
    const base = w.base !== undefined ? findingsAt(w.base) : [];
    const fresh = introduced(base, head);
    const findings: LintFinding[] = fresh.map((d) => ({
      file: d.file,
      line: d.line,
      column: d.column,
      rule: d.rule,
      severity: d.severity,
      message: d.message,
      help: FIX,
    }));
    out[w.at] = lintProblems(findings, w.gate, w.j.c.newOid);
  }
  mark('structure checked');
  if (gitDir !== undefined && parsed > 0) writeFactsCache(gitDir, used);
  return out;
}

/**
 * Starts loading the fleet checks' modules as soon as a ref is known to touch the fleet, so
 * their compilation overlaps with git's answers for the lint (and costs nothing otherwise).
 */
export function warmStructureFor(facts: UpdateFacts, source: PolicySource): void {
  if (touchesFleet(facts, fleetLayout(source.config.fleet))) void warmStructure().catch(() => {});
}

/** The fleet checks' modules. */
function warmStructure() {
  return Promise.all([
    import('../fleet/structure.js'),
    import('../fleet/facts.js'),
    import('../fleet/ratchet.js'),
    import('../lint/read-source.js'),
  ]);
}

function isFleetNix(path: string, layout: FleetLayout): boolean {
  return path.endsWith('.nix') && (path === layout.flake || isUnder(path, layout.root));
}

/**
 * The fleet files of a tree (under the fleet root, and the flake), as `tappaas check` lists
 * them with `git ls-tree -r`.
 */
async function listFleetTree(cat: CatFile, rev: string, layout: FleetLayout): Promise<Listing> {
  const listed = await listTree(cat, rev, [layout.root, layout.flake]);
  return listed
    .map((e) => ({ ...e, path: normalizePath(e.path) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
