// The commits each pushed ref brings, from one `git log` for the whole push. Each ref is
// judged on the commits that are new to it (its tip, minus what its bases reach: the old tip,
// or the policy branch for a new ref), not on what is new to the repository: a commit first
// pushed to a branch whose checks are weaker must be judged again when it moves to a branch
// whose checks are stronger. One walk over every tip with every base excluded (fed on stdin,
// so a push of thousands of refs is one process whose cost does not grow with the refs
// already on the server), then split per ref by following parents inside the walk. Where a
// ref's range ran into a commit excluded only for another ref, that ref gets a walk of its own.
import type { CommitChanges, GitPlace } from '../git/log.js';
import { logFromStdin } from '../git/log.js';

export interface RangeJob {
  /** The commit the ref will point at (a tag already peeled). */
  tip: string;
  /** Commits whose history the ref already has: the old tip, or the policy branch's tip. */
  bases: readonly string[];
}

export interface RefRange {
  /** Commits reachable from the tip and from none of the bases, in the walk's order. */
  commits: CommitChanges[];
  /** Excluded commits where the range ends: the tip itself, or parents of `commits`. */
  stops: ReadonlySet<string>;
}

/**
 * Splits one walk (`git log --boundary` with parents over every job's tip and every base
 * excluded) into each job's range. Undefined for a job whose range ran into a commit that
 * none of its own bases is known to reach (excluded for another job). Pure.
 */
export function splitWalk(
  walked: readonly CommitChanges[],
  jobs: readonly RangeJob[],
  excluded: readonly string[],
): (RefRange | undefined)[] {
  const index = new Map<string, number>();
  walked.forEach((c, i) => {
    if (!c.boundary) index.set(c.oid, i);
  });
  const everyBase = new Set(excluded);
  return jobs.map((job) => {
    const bases = new Set(job.bases);
    // Excluded commits are exactly what this job's bases reach when they are all its own.
    const ownBasesOnly = everyBase.size <= bases.size && [...everyBase].every((b) => bases.has(b));
    const seen = new Set<number>();
    const stops = new Set<string>();
    const stack = [job.tip];
    while (stack.length) {
      const oid = stack.pop()!;
      const at = index.get(oid);
      if (at === undefined) {
        stops.add(oid);
        continue;
      }
      if (seen.has(at)) continue;
      seen.add(at);
      for (const parent of walked[at]!.parents ?? []) stack.push(parent);
    }
    if (!ownBasesOnly && [...stops].some((s) => !bases.has(s))) return undefined;
    return { commits: [...seen].sort((a, b) => a - b).map((i) => walked[i]!), stops };
  });
}

const WALK = { boundary: true, parents: true } as const;

/**
 * The push's walk. Started before the policy is read (git starts and waits for its input),
 * planned once the refs' types and bases are known, then asked per ref.
 */
export class PushWalk {
  private readonly abort = new AbortController();
  private feed!: (lines: readonly string[]) => void;
  private readonly walked: Promise<CommitChanges[]>;
  private planned: Promise<Map<string, () => Promise<RefRange>>> | undefined;

  constructor(private readonly at: GitPlace) {
    const lines = new Promise<readonly string[]>((resolve) => {
      this.feed = resolve;
    });
    this.walked = logFromStdin(at, lines, WALK, this.abort.signal);
    this.walked.catch(() => {}); // awaited where used; an unplanned walk is stopped on purpose
  }

  /** Gives the walk its refs (by ref name); a ref without a job has no commits to judge. */
  plan(jobs: Promise<Map<string, RangeJob>>): void {
    this.planned = jobs.then(
      (byRef) => {
        const list = [...byRef.values()];
        if (list.length === 0) {
          this.abort.abort(); // `git log` with no revisions would walk HEAD
          return new Map();
        }
        const tips = unique(list.map((j) => j.tip));
        const excluded = unique(list.flatMap((j) => j.bases));
        this.feed([...tips, ...excluded.map((b) => `^${b}`)]);
        const split = this.walked.then((w) => splitWalk(w, list, excluded));
        const out = new Map<string, () => Promise<RefRange>>();
        [...byRef.keys()].forEach((ref, i) => {
          let range: Promise<RefRange> | undefined;
          out.set(ref, () => {
            range ??= split.then((s) => s[i] ?? this.alone(list[i]!));
            return range;
          });
        });
        return out;
      },
      (err: unknown) => {
        this.abort.abort();
        throw err;
      },
    );
  }

  /** The commits new to this ref; undefined for a ref with nothing to walk (or before `plan`). */
  async range(ref: string): Promise<RefRange | undefined> {
    const planned = await this.planned;
    return planned?.get(ref)?.();
  }

  /** Every commit of the push's walk (for judging their content in one batch). */
  async commits(): Promise<CommitChanges[]> {
    if ((await this.planned)?.size) return (await this.walked).filter((c) => !c.boundary);
    return [];
  }

  /** Stops git if the walk was never given its input (an early error). */
  close(): void {
    if (!this.planned) this.abort.abort();
  }

  /** A ref whose range the shared walk could not settle: walked on its own. */
  private async alone(job: RangeJob): Promise<RefRange> {
    const lines = [job.tip, ...job.bases.map((b) => `^${b}`)];
    const walked = await logFromStdin(this.at, Promise.resolve(lines), WALK);
    return splitWalk(walked, [job], job.bases)[0]!;
  }
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}
