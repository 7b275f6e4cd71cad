// Many doubted files, one Nix. `nix-instantiate --parse f1 … fn` parses its files in order and
// stops at the first that fails, naming it in the error's position (Nix 2.8 and current Nix
// alike). So a run that exits 0 confirms every file, and a failed run confirms every file
// before the one it names. That one is asked again alone, on stdin, for today's exact verdict
// (from a file, some messages quote the file's path where stdin says `(string)`); the files
// after it go to the next run. Each run costs what one single parse costs (~20 ms).
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  defaultNixChecker,
  type NixCheckOptions,
  type NixInstantiateOptions,
  type NixSyntaxChecker,
  type NixVerdict,
  nixInstantiateChecker,
  pipeFeatureFor,
  readNixError,
  runNix,
} from './nix-parse.js';

export interface NixBatchOptions extends NixInstantiateOptions {
  /** Files per nix-instantiate run. */
  maxFiles?: number;
  /** Source per run, in UTF-16 code units: Nix parses a few MB a second, and the timeout is per run. */
  maxChars?: number;
  /**
   * Sources longer than this are asked alone, on stdin: Nix 2.8 takes ~1 s per MB longer to
   * report an error in a file than on stdin (measured), and a large file's own parse time
   * already dwarfs the start of a process that a batch would save.
   */
  aloneChars?: number;
}

export interface NixBatchChecker extends NixSyntaxChecker {
  /** Parses asked of nix-instantiate so far: one per batch run, one per file asked alone. */
  readonly runs: number;
}

interface Waiting {
  source: string;
  opts: NixCheckOptions;
  resolve: (verdict: NixVerdict) => void;
  reject: (err: unknown) => void;
}

interface Queue {
  items: Waiting[];
  chars: number;
}

/** argv for one run over files (absolute paths); the pipe feature as for a single parse. */
export function batchArgv(pipeFeature: string | undefined, files: string[]): string[] {
  return pipeFeature
    ? ['--extra-experimental-features', pipeFeature, '--parse', ...files]
    : ['--parse', ...files];
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Which file of a failed run Nix names: `<n>.nix` in our private directory (called `dirName`,
 * matched by name alone, whatever Nix makes of the path before it). Undefined when none is.
 */
export function failingFile(stderr: string, dirName: string): number | undefined {
  const escaped = dirName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}/(\\d+)\\.nix`).exec(stderr.replace(ANSI, ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * A checker that answers each `check` as `nixInstantiateChecker` would, but asks Nix about
 * every source waiting at the same time in one run. Sources wait until the caller has nothing
 * else to do (the next turn of the event loop) or a run is full, so callers that ask many
 * checks at once (`Promise.all`) get batches, and a caller that awaits each check gets one
 * run per check, as before.
 */
export function nixBatchChecker(
  opts: NixBatchOptions = {},
  single: NixSyntaxChecker = nixInstantiateChecker(opts),
): NixBatchChecker {
  const program = opts.program ?? 'nix-instantiate';
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const maxFiles = opts.maxFiles ?? 128;
  const maxChars = opts.maxChars ?? 8 * 1024 * 1024;
  const aloneChars = opts.aloneChars ?? 256 * 1024;
  // Queues by the pipe feature named on the command line ('' for none).
  const queues = new Map<string, Queue>();
  let scheduled = false;
  // Off once a run surprised us (a failure we could not place, or one that stdin does not
  // share): from then on every file is asked alone, exactly as before batching.
  let batching = true;
  let runs = 0;

  const askAlone = (w: Waiting) => {
    runs++;
    return single.check(w.source, w.opts);
  };

  const flush = (key: string) => {
    const q = queues.get(key);
    if (!q) return;
    queues.delete(key);
    settle(key || undefined, q.items).catch((err: unknown) => {
      for (const w of q.items) w.reject(err);
    });
  };

  const enqueue = (key: string, w: Waiting) => {
    let q = queues.get(key);
    if (!q) queues.set(key, (q = { items: [], chars: 0 }));
    q.items.push(w);
    q.chars += w.source.length;
    if (q.items.length >= maxFiles || q.chars >= maxChars) flush(key);
    else if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        for (const k of [...queues.keys()]) flush(k);
      });
    }
  };

  async function settle(feature: string | undefined, items: Waiting[]): Promise<void> {
    if (items.length === 1 || !batching) {
      for (const w of items) w.resolve(await askAlone(w));
      return;
    }
    let dir: string | undefined;
    let written = false;
    let rest = items.map((w, i) => ({ w, i }));
    const confirming: Promise<void>[] = [];
    try {
      try {
        // A directory of our own (mode 0700); its real path, so Nix names files as we do.
        dir = mkdtempSync(join(tmpdir(), 'tappaas-nix-parse-'));
        dir = realpathSync(dir);
        for (const { w, i } of rest) writeFileSync(join(dir, `${i}.nix`), w.source);
        written = true;
      } catch {
        // No temporary directory or no room in it: each file is asked alone below.
      }
      while (dir && written && batching && rest.length > 1) {
        const files = rest.map(({ i }) => join(dir!, `${i}.nix`));
        const r = await runNix(program, batchArgv(feature, files), undefined, timeoutMs, 'ignore');
        runs++;
        if (r.error || r.timedOut) break; // asked alone below: the same unknown verdicts as before
        if (r.code === 0) {
          for (const { w } of rest) w.resolve({ kind: 'valid' });
          rest = [];
          break;
        }
        const named = failingFile(r.stderr, basename(dir));
        const at = rest.findIndex(({ i }) => i === named);
        if (at === -1) {
          batching = false;
          break;
        }
        for (const { w } of rest.slice(0, at)) w.resolve({ kind: 'valid' });
        const failed = rest[at]!.w;
        rest = rest.slice(at + 1);
        // Variables are bound once the whole file has parsed: valid syntax (readNixError).
        if (readNixError(r.stderr, failed.source).kind === 'valid') {
          failed.resolve({ kind: 'valid' });
          continue;
        }
        // Asked alone while the next run goes on: where most files fail, no slower than before.
        confirming.push(
          askAlone(failed).then((verdict) => {
            failed.resolve(verdict);
            if (verdict.kind === 'valid') batching = false;
          }),
        );
      }
      for (const { w } of rest) w.resolve(await askAlone(w));
      await Promise.all(confirming);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  return {
    get runs() {
      return runs;
    },
    version: () => single.version(),
    supportsPipes: () => single.supportsPipes(),
    async check(source, checkOpts = {}) {
      const version = await single.version();
      // No Nix to ask (missing, or its --version failed): the single checker says so, unasked.
      if (version === undefined) return single.check(source, checkOpts);
      if (source.length > aloneChars) {
        runs++;
        return single.check(source, checkOpts);
      }
      const feature = checkOpts.pipes ? pipeFeatureFor(version) : undefined;
      return new Promise<NixVerdict>((resolve, reject) =>
        enqueue(feature ?? '', { source, opts: checkOpts, resolve, reject }),
      );
    },
  };
}

let shared: NixBatchChecker | undefined;

/** One per process (per thread), sharing the version probe of `defaultNixChecker`. */
export function defaultNixBatchChecker(): NixBatchChecker {
  shared ??= nixBatchChecker({}, defaultNixChecker());
  return shared;
}
