// Real Nix as the judge of syntax: `nix-instantiate --parse -` behind a small interface, so
// the engine can be handed another checker (a fixed one in tests, a daemon later).
// Only consulted where tree-sitter doubts a file, so its cost is paid rarely.
import { spawn } from 'node:child_process';

export type NixVerdict =
  | { kind: 'valid' }
  /** Nix rejects the source. line/column are 1-based, columns in UTF-16 code units. */
  | { kind: 'invalid'; message: string; line?: number; column?: number }
  /** No answer: Nix is missing, timed out or failed for another reason. */
  | { kind: 'unknown'; reason: string; missing: boolean };

export interface NixCheckOptions {
  /** The source uses pipe operators (`|>`, `<|`), an experimental feature of Nix >= 2.24. */
  pipes?: boolean;
}

export interface NixSyntaxChecker {
  check(source: string, opts?: NixCheckOptions): Promise<NixVerdict>;
  /** Whether this Nix can parse pipe operators at all (then `check` enables them). */
  supportsPipes(): Promise<boolean>;
  /** What answers, e.g. "nix-instantiate (Nix) 2.8.0"; undefined when absent. */
  version(): Promise<string | undefined>;
}

export interface NixInstantiateOptions {
  /** Program to run; default `nix-instantiate` from PATH. */
  program?: string;
  /** Milliseconds before one parse is abandoned. */
  timeoutMs?: number;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
  timedOut: boolean;
}

/**
 * Runs Nix once. `stdout: 'ignore'` when only the exit and stderr matter: a batch's printed
 * expressions are as large as its files and nobody reads them (nix-batch.ts).
 *
 * Its own spawn, not nixcli/run.ts (every other Nix call): this is the hook's hot path, where
 * a parse must drop or cap what Nix prints back, answer a missing Nix as a verdict instead of
 * an exception, and need no process group or memory watch (`--parse` starts no children).
 */
export function runNix(
  program: string,
  args: string[],
  input: string | undefined,
  timeoutMs: number,
  stdout: 'pipe' | 'ignore' = 'pipe',
): Promise<Ran> {
  return new Promise((resolve) => {
    // Our own timer rather than spawn's `timeout`: that one is not cleared when the spawn
    // fails (ENOENT) and would keep the process alive until it fires.
    const child = spawn(program, args, { stdio: [input === undefined ? 'ignore' : 'pipe', stdout, 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    let out = '';
    let stderr = '';
    let error: NodeJS.ErrnoException | undefined;
    // The parsed expression can be as large as the file; keep only a head of it.
    child.stdout?.on('data', (d: Buffer) => {
      if (out.length < 4096) out += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 65536) stderr += d.toString('utf8');
    });
    child.on('error', (err) => {
      error = err;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr, error, timedOut });
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when Nix stops reading early; its exit says why
      child.stdin.end(input);
    }
  });
}

/** Feature name for pipe operators by implementation and version, if it has them. */
export function pipeFeatureFor(versionLine: string): string | undefined {
  const m = /(\d+)\.(\d+)/.exec(versionLine);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (/\bLix\b/.test(versionLine))
    return major > 2 || (major === 2 && minor >= 91) ? 'pipe-operator' : undefined;
  return major > 2 || (major === 2 && minor >= 24) ? 'pipe-operators' : undefined;
}

/** argv for one parse of stdin. Nix 2.8 warns about feature names it does not know, so the
 *  pipe feature is only named to a Nix that has it. */
export function parseArgv(pipeFeature: string | undefined): string[] {
  return pipeFeature ? ['--extra-experimental-features', pipeFeature, '--parse', '-'] : ['--parse', '-'];
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Reads Nix's verdict from a failed `--parse`. Formats: Nix 2.4+ puts the position on its own
 * line (`at «stdin»:2:5:`); Nix 2.3 and older append it (`..., at (string):2:5`).
 * Positions are in bytes of the line; `source` converts them to UTF-16 columns.
 */
export function readNixError(stderr: string, source: string): NixVerdict {
  const text = stderr.replace(ANSI, '');
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('error:'));
  if (first === -1) return { kind: 'unknown', reason: text.trim() || 'no message', missing: false };
  let message = lines[first]!.slice('error:'.length).trim();
  const rest = lines.slice(first).join('\n');
  // Own-line position (2.4+) first: a message may itself quote another position.
  let pos = /^\s+at (?:\u00ab(?:stdin|string)\u00bb|\(string\)):(\d+):(\d+):?\s*$/m.exec(rest);
  if (!pos) {
    const inline = /,? at (?:\u00ab(?:stdin|string)\u00bb|\(string\)):(\d+):(\d+):?$/.exec(message);
    if (inline) message = message.slice(0, inline.index);
    pos = inline;
  }
  // Variables are resolved after the whole file has parsed: the syntax itself is valid.
  if (/^undefined variable\b/.test(message)) return { kind: 'valid' };
  if (!pos) {
    // An error with no position in our input is about Nix itself (store, daemon, options).
    return /syntax error/.test(message)
      ? { kind: 'invalid', message }
      : { kind: 'unknown', reason: message, missing: false };
  }
  const line = Number(pos[1]);
  return { kind: 'invalid', message, line, column: byteColumnToUtf16(source, line, Number(pos[2])) };
}

/** Nix counts columns in bytes of UTF-8; we count UTF-16 code units. */
export function byteColumnToUtf16(source: string, line: number, byteColumn: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = source.indexOf('\n', start);
    if (nl === -1) return byteColumn;
    start = nl + 1;
  }
  let bytes = 0;
  let i = start;
  while (i < source.length && bytes < byteColumn - 1 && source[i] !== '\n') {
    const cp = source.codePointAt(i)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i - start + 1;
}

/** The checker that runs nix-instantiate. Availability and version are probed once. */
export function nixInstantiateChecker(opts: NixInstantiateOptions = {}): NixSyntaxChecker {
  const program = opts.program ?? 'nix-instantiate';
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const missingReason = `${program} not found`;
  let probed: Promise<{ version?: string; problem?: string; missing: boolean }> | undefined;
  const probe = () => {
    probed ??= runNix(program, ['--version'], undefined, timeoutMs).then((r) => {
      if (r.error?.code === 'ENOENT') return { problem: missingReason, missing: true };
      if (r.error || r.code !== 0)
        return {
          problem: `${program} --version failed: ${r.error?.message ?? r.stderr.trim()}`,
          missing: false,
        };
      return { version: r.stdout.trim().split('\n')[0], missing: false };
    });
    return probed;
  };
  const version = async () => (await probe()).version;
  return {
    version,
    async supportsPipes() {
      const v = await version();
      return v !== undefined && pipeFeatureFor(v) !== undefined;
    },
    async check(source, checkOpts = {}) {
      const p = await probe();
      const v = p.version;
      if (v === undefined) return { kind: 'unknown', reason: p.problem ?? 'no version', missing: p.missing };
      const feature = checkOpts.pipes ? pipeFeatureFor(v) : undefined;
      const r = await runNix(program, parseArgv(feature), source, timeoutMs);
      if (r.error) {
        const missing = r.error.code === 'ENOENT';
        return { kind: 'unknown', reason: missing ? missingReason : r.error.message, missing };
      }
      if (r.timedOut) {
        return {
          kind: 'unknown',
          reason: `${program} --parse timed out after ${timeoutMs} ms`,
          missing: false,
        };
      }
      if (r.code === 0) return { kind: 'valid' };
      return readNixError(r.stderr, source);
    },
  };
}

let shared: NixSyntaxChecker | undefined;

/** One checker per process, so the version probe runs once. */
export function defaultNixChecker(): NixSyntaxChecker {
  shared ??= nixInstantiateChecker();
  return shared;
}
