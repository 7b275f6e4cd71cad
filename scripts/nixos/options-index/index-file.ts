// The options index of one host as it is stored: plain JSON, one file per host and flake
// revision. Pure conversion from what the Nix walk prints.

export const INDEX_VERSION = 1;

export interface OptionsIndexFile {
  version: typeof INDEX_VERSION;
  host: string;
  /** The flake directory it was evaluated from. */
  flake: string;
  /** Hash of what identifies the flake revision (see cache.ts). */
  key: string;
  keySource: 'flake.lock' | 'flake.nix';
  createdAt: string;
  /** Every option path; placeholders as NixOS shows them (`<name>`, `*`). */
  options: string[][];
  /**
   * Options with sub-options and no freeform type: only those sub-options may be defined
   * below them. Every other option takes any value below it.
   */
  closed: string[][];
  /** Paths whose evaluation failed: anything below them is taken as allowed. */
  errors: string[][];
}

export interface WalkOutput {
  options: { p: string[]; c: boolean }[];
  errors: string[][];
}

/** Checks the shape of the walk's JSON (a wrong shape means a bug or an odd Nix). */
export function parseWalkOutput(text: string): WalkOutput {
  const data = JSON.parse(text) as Partial<WalkOutput>;
  const isPath = (p: unknown): p is string[] => Array.isArray(p) && p.every((s) => typeof s === 'string');
  if (
    !Array.isArray(data.options) ||
    !Array.isArray(data.errors) ||
    !data.options.every((o) => isPath(o?.p) && typeof o.c === 'boolean') ||
    !data.errors.every(isPath)
  )
    throw new Error('the options walk printed JSON of an unexpected shape');
  return data as WalkOutput;
}

export function indexFromWalk(
  walk: WalkOutput,
  meta: Pick<OptionsIndexFile, 'host' | 'flake' | 'key' | 'keySource'>,
  now = new Date(),
): OptionsIndexFile {
  return {
    version: INDEX_VERSION,
    ...meta,
    createdAt: now.toISOString(),
    options: walk.options.map((o) => o.p),
    closed: walk.options.filter((o) => o.c).map((o) => o.p),
    errors: walk.errors,
  };
}

/** Reads an index file's JSON; undefined when it is not one (another version, or damaged). */
export function parseIndexFile(text: string): OptionsIndexFile | undefined {
  try {
    const data = JSON.parse(text) as Partial<OptionsIndexFile>;
    if (
      data.version !== INDEX_VERSION ||
      typeof data.host !== 'string' ||
      !Array.isArray(data.options) ||
      !Array.isArray(data.closed) ||
      !Array.isArray(data.errors)
    )
      return undefined;
    return data as OptionsIndexFile;
  } catch {
    return undefined;
  }
}
