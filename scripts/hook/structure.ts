// The fleet's structure checks (`tappaas check`) at each pushed branch tip, reported like lint
// findings. Only what the push introduced counts: findings are compared with the old tip (the
// default branch for a new branch) by file, rule and message, so an old problem never blocks an
// unrelated push. Trees are listed with `git ls-tree` and read through the hook's cat-file
// process (quarantine-safe, no work tree). Pushes that touch no fleet file pay nothing: the
// checks load only when one changed.

import { type FleetLayout, fleetLayout, isUnder, normalizePath } from '../fleet/layout.js';
import type { CatFile } from '../git/cat-file.js';
import { runGit } from '../git/exec.js';
import type { Diagnostic } from '../lint/types.js';
import { type LintFinding, lintGateFor, lintProblems } from '../policy/content.js';
import { ZERO_OID } from '../policy/refs.js';
import type { ClassifiedUpdate, LintGate, Problem } from '../policy/types.js';
import type { UpdateFacts } from './facts.js';
import type { PolicySource } from './policy-source.js';

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
type Listing = { path: string; oid: string }[];

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
  cwd: string,
  env: NodeJS.ProcessEnv,
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
    { checkStructure },
    { fileFacts },
    { introduced },
    { applyLevels },
    { decodeSource },
    { DEFAULT_MAX_FILE_BYTES },
  ] = await Promise.all([
    import('../fleet/structure.js'),
    import('../fleet/facts.js'),
    import('../fleet/ratchet.js'),
    import('../fleet/check.js'),
    import('../lint/read-source.js'),
    import('../lint/run.js'),
  ]);
  const maxBytes = source.config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  // Every tree once (`ls-tree` in parallel), every distinct fleet `.nix` blob read once.
  const trees = new Map<string, Promise<Listing>>();
  for (const w of work) {
    for (const rev of [w.j.c.newOid, w.base]) {
      if (rev !== undefined && !trees.has(rev)) trees.set(rev, listTree(rev, layout, cwd, env));
    }
  }
  const listings = new Map<string, Listing>();
  for (const [rev, p] of trees) listings.set(rev, await p);
  const blobs = new Map<string, Promise<Buffer | undefined>>();
  for (const listing of listings.values()) {
    for (const { path, oid } of listing) {
      if (!isFleetNix(path, layout) || blobs.has(oid)) continue;
      blobs.set(
        oid,
        cat.contents(oid).then((o) => o?.data),
      );
    }
  }
  cat.flush();
  // Facts depend on the path (relative imports, the flake) and the text: one parse per pair.
  const factCache = new Map<string, Promise<import('../fleet/facts.js').FileFacts | undefined>>();
  const factsOf = (path: string, oid: string) => {
    const key = `${path}\0${oid}`;
    let p = factCache.get(key);
    if (!p) {
      p = (async () => {
        const data = await blobs.get(oid);
        if (!data) return undefined;
        const read = decodeSource(data, maxBytes);
        // Not decodable: the lint reports the file; the checks go on without its facts.
        if (!read.ok) return undefined;
        return fileFacts(path, read.text, { flake: path === layout.flake });
      })();
      factCache.set(key, p);
    }
    return p;
  };
  const findingsCache = new Map<string, Promise<Diagnostic[]>>();
  const findingsAt = (rev: string) => {
    let p = findingsCache.get(rev);
    if (!p) {
      p = (async () => {
        const listing = listings.get(rev) ?? [];
        const facts = new Map<string, import('../fleet/facts.js').FileFacts>();
        for (const { path, oid } of listing) {
          if (!isFleetNix(path, layout)) continue;
          const f = await factsOf(path, oid);
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
    const head = await findingsAt(w.j.c.newOid);
    const base = w.base !== undefined ? await findingsAt(w.base) : [];
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
  return out;
}

function isFleetNix(path: string, layout: FleetLayout): boolean {
  return path.endsWith('.nix') && (path === layout.flake || isUnder(path, layout.root));
}

/** The fleet files of a tree (under the fleet root, and the flake), as `tappaas check` lists them. */
async function listTree(
  rev: string,
  layout: FleetLayout,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Listing> {
  const paths = [layout.root, layout.flake].filter((p) => p !== '');
  const r = await runGit(
    [
      '-c',
      'core.quotePath=false',
      'ls-tree',
      '-r',
      '-z',
      '--full-tree',
      rev,
      '--',
      ...(paths.length ? paths : ['.']),
    ],
    { cwd, env },
  );
  const out: Listing = [];
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    // <mode> SP <type> SP <oid> TAB <path>
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, oid] = entry.slice(0, tab).split(' ');
    if (type === 'blob' && oid) out.push({ path: normalizePath(entry.slice(tab + 1)), oid });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
