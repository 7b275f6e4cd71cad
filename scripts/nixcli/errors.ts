// Nix error output trimmed to what a human needs: the message and the failing file:line
// first, then a few frames of context in our own files. Pure: the adapter supplies how to
// tell our source from other store paths and how to find a message's literal in the repo.
//
// Formats handled (see test/fixtures/nix-errors/):
// - Nix 2.8: `error: MSG` first, then `at /nix/store/…-source/f.nix:12:5:` and a code frame,
//   then `… while …` frames (innermost first), each with its own `at …:` line;
// - Nix 2.1x/2.2x: `error:` alone, frames outermost first (`… while …` then `at POS:`, or
//   `whose name attribute is located at POS`), and the message last (`error: MSG`, indented),
//   positions also as `«none»:0`, `«string»:1:2`, `<nix/derivation-internal.nix>:34:12`;
// - builds: `builder for '/nix/store/…drv' failed with exit code N;` (2.8 and later) or
//   `Cannot build '/nix/store/…drv'.` + `Reason: builder failed …` (2.26+), with `> ` log lines.

export interface NixPosition {
  /** Repo-relative when the file is in our flake's source, else as Nix printed it. */
  file: string;
  line: number;
  column?: number;
  /** The file is ours (mapped from the flake's source in the store). */
  inRepo: boolean;
}

export interface NixFrame {
  /** What Nix was doing, e.g. "while evaluating 'load'". */
  what: string;
  at?: NixPosition;
}

export interface TrimmedNixError {
  message: string;
  /** The failing place: where Nix points, or where the message's literal is in the repo. */
  at?: NixPosition;
  /** Code frame lines Nix printed for `at` (e.g. `  6|   x = y;` and the caret line). */
  codeFrame: string[];
  /** Context in our own files, innermost first. */
  frames: NixFrame[];
  /** The derivation whose builder failed (build errors). */
  failedDrv?: string;
  /** The builder's last log lines Nix showed. */
  log: string[];
  /** Message, place, code and context as a few lines for a log or an annotation. */
  text: string;
}

export interface TrimOptions {
  /**
   * Whether a `/nix/store/<hash>-source` root (given without trailing slash) is our flake's
   * source; default: every `-source` root is.
   */
  isOurSource?: (storeRoot: string, rel: string) => boolean;
  /** Our flake's directory on disk, for Nix versions that print real paths. */
  flakeDir?: string;
  /** Finds a string literal (a thrown message, a package name) in the repo's Nix files. */
  locateLiteral?: (literal: string) => { file: string; line: number; column?: number } | undefined;
  /** Context frames to keep (default 4). */
  maxFrames?: number;
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const STORE_SOURCE = /^(\/nix\/store\/[0-9a-z]{32}-source)\/(.+)$/;
const POS = /^(«[^»]*»(?:\/[^:]*)?|<[^>]*>|\/[^:]*):(\d+)(?::(\d+))?:?(?:\s.*)?$/;
const NOISE = /^\((?:use '--show-trace' to show detailed location information|stack trace truncated.*)\)$/;

/** Maps a path Nix printed to a repo-relative one when it is in our source. */
export function mapPath(path: string, opts: TrimOptions = {}): { file: string; inRepo: boolean } {
  const store = STORE_SOURCE.exec(path);
  if (store) {
    const ours = opts.isOurSource ? opts.isOurSource(store[1]!, store[2]!) : true;
    return ours ? { file: store[2]!, inRepo: true } : { file: path, inRepo: false };
  }
  // Nix with lazy trees prints `«path:/dir»/rel` or `«git+file:///dir?…»/rel`.
  const lazy = /^«(?:path|git\+file):[^»]*»\/(.+)$/.exec(path);
  if (lazy) return { file: lazy[1]!, inRepo: true };
  if (opts.flakeDir && path.startsWith(`${opts.flakeDir.replace(/\/$/, '')}/`))
    return { file: path.slice(opts.flakeDir.replace(/\/$/, '').length + 1), inRepo: true };
  return { file: path, inRepo: false };
}

/** Store paths of our source inside a message, shown repo-relative. */
function mapPathsInText(text: string, opts: TrimOptions): string {
  return text.replace(/\/nix\/store\/[0-9a-z]{32}-source\/[^\s:'"]+/g, (p) => mapPath(p, opts).file);
}

function parsePosition(text: string, opts: TrimOptions): NixPosition | undefined {
  const m = POS.exec(text.trim());
  if (!m) return undefined;
  const line = Number(m[2]);
  if (line === 0) return undefined; // «none»:0 and the like: Nix does not know
  const { file, inRepo } = mapPath(m[1]!, opts);
  const pos: NixPosition = { file, line, inRepo };
  if (m[3]) pos.column = Number(m[3]);
  return pos;
}

interface Block {
  kind: 'error' | 'frame';
  text: string[];
  at?: NixPosition;
  code: string[];
}

function blocks(stderr: string, opts: TrimOptions): { list: Block[]; log: string[] } {
  const list: Block[] = [];
  const log: string[] = [];
  let cur: Block | undefined;
  let inMessage = false;
  for (const raw of stderr.replace(ANSI, '').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const t = line.trim();
    if (t === '' || NOISE.test(t) || /^(trace|warning):/.test(line)) {
      inMessage = false;
      continue;
    }
    const err = /^\s*error:(.*)$/.exec(line);
    if (err) {
      cur = { kind: 'error', text: err[1]!.trim() ? [err[1]!.trim()] : [], code: [] };
      list.push(cur);
      inMessage = true;
      continue;
    }
    const frame = /^\s*…\s*(.*)$/.exec(line);
    if (frame) {
      cur = { kind: 'frame', text: [frame[1]!], code: [] };
      list.push(cur);
      inMessage = false;
      continue;
    }
    if (!cur) continue;
    const at = /^at (.*)$/.exec(t) ?? /^whose name attribute is located at (.*)$/.exec(t);
    if (at) {
      cur.at ??= parsePosition(at[1]!, opts);
      inMessage = false;
      continue;
    }
    if (/^(\d+)?\s*\|/.test(t)) {
      cur.code.push(line);
      continue;
    }
    const logLine = /^>\s?(.*)$/.exec(t);
    if (logLine) {
      log.push(logLine[1]!);
      continue;
    }
    if (
      /^For full logs, run/.test(t) ||
      /^nix log \/nix\/store\//.test(t) ||
      /^(Last|last) \d+ log lines:$/.test(t)
    )
      continue;
    if (inMessage) cur.text.push(t);
  }
  return { list, log };
}

function shortDrv(drv: string): string {
  return drv.replace(/^\/nix\/store\/[0-9a-z]{32}-/, '').replace(/\.drv$/, '');
}

/** The literal a `throw`/`abort` carried, as it would appear in the source. */
export function thrownLiteral(message: string): string | undefined {
  const abort = /^evaluation aborted with the following error message: '([\s\S]*)'$/.exec(message);
  const lit = abort ? abort[1]! : message;
  return lit.length >= 4 && !lit.includes('\n') ? lit : undefined;
}

/** Name without its version (`broken-tool-1.0` → `broken-tool`), as a `pname` holds it. */
export function drvPname(name: string): string {
  return name.replace(/-\d[^-]*$/, '');
}

/** A code frame moved to a two-space indent, its alignment kept. */
function dedent(lines: string[]): string[] {
  if (lines.length === 0) return lines;
  const indent = Math.min(...lines.map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((l) => `  ${l.slice(indent)}`);
}

export function trimNixError(stderr: string, opts: TrimOptions = {}): TrimmedNixError {
  const { list, log } = blocks(stderr, opts);
  const errors = list.filter((b) => b.kind === 'error');
  const primaryIndex = list.findIndex((b) => b.kind === 'error' && b.text.length > 0);
  const primary = primaryIndex >= 0 ? list[primaryIndex]! : undefined;
  let message = primary ? mapPathsInText(primary.text.join('\n'), opts) : '';
  if (!primary) {
    const rest = stderr
      .replace(ANSI, '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !NOISE.test(l) && !/^(trace|warning):/.test(l));
    message = rest.at(-1) ?? 'nix failed without a message';
  }

  // Build failures: name the derivation and keep its log.
  let failedDrv: string | undefined;
  for (const e of errors) {
    const joined = e.text.join(' ');
    const old = /^builder for '([^']+\.drv)' failed with exit code (\d+)/.exec(joined);
    const cannot = /^Cannot build '([^']+\.drv)'\.\s*Reason: builder failed with exit code (\d+)/.exec(
      joined,
    );
    const hit = old ?? cannot;
    if (hit) {
      failedDrv = hit[1]!;
      message = `builder for ${shortDrv(failedDrv)} failed with exit code ${hit[2]}`;
      break;
    }
  }

  // Frames, innermost first: Nix 2.8 lists them after the message, newer Nix before it.
  const after = primaryIndex >= 0 ? list.slice(primaryIndex + 1) : [];
  const before = primaryIndex >= 0 ? list.slice(0, primaryIndex).reverse() : [];
  const framesInner = (after.some((b) => b.kind === 'frame') ? after : before).filter(
    (b) => b.kind === 'frame',
  );

  let at: NixPosition | undefined = primary?.at;
  let codeFrame = primary?.at ? primary.code : [];
  if (!at) {
    const builtin = framesInner[0];
    if (builtin?.at && /while calling the '(throw|abort)' builtin/.test(builtin.text[0] ?? '')) {
      at = builtin.at;
      codeFrame = builtin.code;
    }
  }
  if (!at && opts.locateLiteral) {
    const literal = failedDrv ? undefined : thrownLiteral(message);
    const found = literal
      ? opts.locateLiteral(literal)
      : failedDrv
        ? (opts.locateLiteral(shortDrv(failedDrv)) ?? opts.locateLiteral(drvPname(shortDrv(failedDrv))))
        : undefined;
    if (found) at = { ...found, inRepo: true };
  }
  if (!at) {
    const nearest = framesInner.find((b) => b.at?.inRepo);
    if (nearest?.at) {
      at = nearest.at;
      codeFrame = nearest.code;
    }
  }

  const frames: NixFrame[] = framesInner
    .filter((b) => b.at?.inRepo && b.text[0] !== 'from call site')
    .slice(0, opts.maxFrames ?? 4)
    .map((b) => ({ what: mapPathsInText(b.text.join(' '), opts), at: b.at }));

  const where = at ? `${at.file}:${at.line}${at.column ? `:${at.column}` : ''}: ` : '';
  const text = [
    `${where}${message.split('\n')[0]}`,
    ...message.split('\n').slice(1),
    ...dedent(codeFrame),
    ...log.slice(-10).map((l) => `  > ${l}`),
    ...frames.map((f) => `  ${f.what}${f.at ? ` (${f.at.file}:${f.at.line})` : ''}`),
  ].join('\n');
  const result: TrimmedNixError = { message, codeFrame: dedent(codeFrame), frames, log, text };
  if (at) result.at = at;
  if (failedDrv) result.failedDrv = failedDrv;
  return result;
}
