// The renamed/removed NixOS options table (renamed-options.json) and pure lookups over it.
//
// Where the data comes from: nixpkgs declares every rename and removal as a module in some
// `imports` list: `mkRenamedOptionModule from to`, `mkRenamedOptionModuleWith { sinceRelease;
// from; to; }`, `mkRemovedOptionModule from explanation`, `mkAliasOptionModule(MD) from to`,
// `mkChangedOptionModule from to f`. The table holds those facts (option names, nixpkgs'
// explanation text, the release), never Nix code. Each entry says how its `since` was
// established (`sinceBasis`, explained at the top of the JSON).
//
// Regenerating it from a local nixpkgs checkout (outside this repo):
//   npx esbuild test/tools/extract-renamed-options.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=dist/extract-renamed-options.mjs
//   node dist/extract-renamed-options.mjs /path/to/nixpkgs > /tmp/renamed-options.json
// The script parses every file under nixos/modules with our tree-sitter layer, collects the
// calls above whose paths are literal lists of strings, takes `since` from `sinceRelease`
// or else from `git log` (the first commit adding the call's line), and prints the JSON.
// Review the diff before committing: calls built by `map` over a list (libinput, nix.nix's
// legacy settings) are not literal and are kept by hand.
import table from './renamed-options.json' with { type: 'json' };

export type OptionChangeKind = 'renamed' | 'removed' | 'changed' | 'alias';

export interface OptionChange {
  /** The old option path, as segments. */
  from: readonly string[];
  kind: OptionChangeKind;
  /** The new path (renamed, changed, alias). */
  to?: readonly string[];
  removed?: boolean;
  /** nixpkgs' explanation (removed) or what the change does to the value (changed). */
  note?: string;
  /** The NixOS release that made the change ("24.11"), or null when not established. */
  since: string | null;
  sinceBasis: string;
  /** The nixpkgs file that declares it. */
  origin: string;
  snapshot?: string;
}

/** What a definition path runs into: the entries followed, the final path or the removal. */
export interface ResolvedChange {
  /** The first entry, the one whose `from` is the path or a prefix of it. */
  entry: OptionChange;
  /** Every entry followed, in order (renames of renames, ending maybe in a removal). */
  chain: OptionChange[];
  /** The path after all renames; undefined when the chain ends in a removal. */
  newPath?: string[];
  /** The removal the chain ends in, if any. */
  removedBy?: OptionChange;
}

export interface LookupOptions {
  /**
   * The NixOS release the fleet runs ("24.05"): changes made in a later release are
   * ignored, because on that release the old name is still the right one. Anything but
   * `YY.MM` filters nothing.
   */
  release?: string;
}

interface TrieNode {
  entry?: OptionChange;
  children: Map<string, TrieNode>;
}

export const OPTION_CHANGES: readonly OptionChange[] = (table as { entries: OptionChange[] }).entries;

function buildTrie(entries: readonly OptionChange[]): TrieNode {
  const root: TrieNode = { children: new Map() };
  for (const entry of entries) {
    let node = root;
    for (const segment of entry.from) {
      let next = node.children.get(segment);
      if (!next) node.children.set(segment, (next = { children: new Map() }));
      node = next;
    }
    node.entry = entry;
  }
  return root;
}

const ROOT = buildTrie(OPTION_CHANGES);

/** "24.11" -> 2411; anything unparsable sorts first so it never hides an entry. */
export function releaseNumber(release: string): number {
  const m = /^(\d{2})\.(\d{2})$/.exec(release.trim());
  return m ? Number(m[1]) * 100 + Number(m[2]) : 0;
}

function applies(entry: OptionChange, opts: LookupOptions): boolean {
  // An unparsable release filters nothing: better a report too many than a rename missed.
  const fleet = opts.release ? releaseNumber(opts.release) : 0;
  if (fleet === 0 || entry.since === null) return true;
  return releaseNumber(entry.since) <= fleet;
}

/** The deepest entry whose `from` is `path` or a prefix of it (one trie walk, no allocation). */
function deepestEntry(
  root: TrieNode,
  path: readonly string[],
  opts: LookupOptions,
): OptionChange | undefined {
  let node: TrieNode | undefined = root;
  let found: OptionChange | undefined;
  for (const segment of path) {
    node = node.children.get(segment);
    if (!node) break;
    if (node.entry && applies(node.entry, opts)) found = node.entry;
  }
  return found;
}

// Old renames point at names that were renamed again (services.sshd.permitRootLogin ->
// services.openssh.permitRootLogin -> services.openssh.settings.PermitRootLogin); follow them,
// with a bound in case the data ever holds a cycle.
const MAX_CHAIN = 8;

/**
 * The change a definition at `path` runs into, or undefined when none does. Aliases are
 * followed like renames but a chain made only of aliases still resolves (callers decide
 * whether an alias is worth a report; NixOS accepts both names silently).
 */
export function lookupOptionChange(
  path: readonly string[],
  opts: LookupOptions = {},
): ResolvedChange | undefined {
  const first = deepestEntry(ROOT, path, opts);
  if (!first) return undefined;
  const chain: OptionChange[] = [];
  let current: readonly string[] = path;
  let entry: OptionChange | undefined = first;
  while (entry && chain.length < MAX_CHAIN) {
    chain.push(entry);
    if (entry.kind === 'removed' || !entry.to) return { entry: first, chain, removedBy: entry };
    current = [...entry.to, ...current.slice(entry.from.length)];
    entry = deepestEntry(ROOT, current, opts);
  }
  return { entry: first, chain, newPath: [...current] };
}

/** Entries strictly below `path` (for a definition that sets a whole subtree at once). */
export function changesBelow(path: readonly string[], opts: LookupOptions = {}): OptionChange[] {
  let node: TrieNode | undefined = ROOT;
  for (const segment of path) {
    node = node.children.get(segment);
    if (!node) return [];
  }
  const out: OptionChange[] = [];
  const visit = (n: TrieNode): void => {
    for (const child of n.children.values()) {
      if (child.entry && applies(child.entry, opts)) out.push(child.entry);
      visit(child);
    }
  };
  visit(node);
  return out;
}

/** True when some entry's path starts with this name. Cheap pre-filter per definition. */
export function mayHaveChange(firstSegment: string): boolean {
  return ROOT.children.has(firstSegment);
}

// Every name of every entry's `from` path, for the text pre-filter below.
const NAME = /[A-Za-z_][A-Za-z0-9_'-]*/g;

/**
 * False when no entry can match anything in this source: some name of every entry's old
 * path is missing from the text. Scanning the text once is far cheaper than resolving the
 * attribute paths of a file, and almost every file of a current fleet fails this test.
 */
export function mentionsAnyChange(source: string): boolean {
  const names = new Set(source.match(NAME));
  return OPTION_CHANGES.some((e) => e.from.every((s) => names.has(s)));
}

/** `a.b."c d"` for messages: segments that are not plain identifiers are quoted as in Nix. */
export function formatOptionPath(path: readonly string[]): string {
  return path.map((s) => (/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(s) ? s : JSON.stringify(s))).join('.');
}
