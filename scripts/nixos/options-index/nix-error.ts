// What went wrong in a `nix eval`, from its stderr: the message and the first position in a
// file, with the store copy of the flake mapped back to the work tree. Pure; Nix 2.8 prints
// `error: …` then `at FILE:L:C:`; newer Nix prints a trace of `… while …` lines and the
// innermost `error: …` last, so the last error line is the one that names the cause.

export interface NixErrorInfo {
  /** The cause in one line, without `error: `. */
  message: string;
  /** A file of the flake (relative to it) or an absolute path elsewhere, when Nix named one. */
  file?: string;
  line?: number;
  column?: number;
}

const ERROR_LINE = /^\s*error:\s*(\S.*)$/;
const POSITION = /\bat (\/[^\s:]+):(\d+):(\d+)/;
/** The store copy of a flake source (`/nix/store/<hash>-source/…`). */
const STORE_SOURCE = /^\/nix\/store\/[0-9a-z]{32}-source\/(.+)$/;

/**
 * `exists(rel)` says whether the flake has a file at that relative path: only then is a store
 * path taken as the flake's own (inputs such as nixpkgs are `-source` copies too).
 */
export function parseNixError(stderr: string, exists: (rel: string) => boolean): NixErrorInfo {
  const lines = stderr.split('\n');
  let errorAt = -1;
  for (let i = 0; i < lines.length; i++) if (ERROR_LINE.test(lines[i]!)) errorAt = i;
  const message =
    errorAt >= 0
      ? ERROR_LINE.exec(lines[errorAt]!)![1]!.trim()
      : lines.find((l) => l.trim() !== '')?.trim() || 'nix failed without a message';
  const position = firstPosition(lines, Math.max(errorAt, 0)) ?? firstPosition(lines, 0);
  if (!position) return { message };
  const store = STORE_SOURCE.exec(position.file);
  const file = store && exists(store[1]!) ? store[1]! : position.file;
  return { message, file, line: position.line, column: position.column };
}

function firstPosition(lines: string[], from: number) {
  for (let i = from; i < lines.length; i++) {
    const m = POSITION.exec(lines[i]!);
    if (m) return { file: m[1]!, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** `file:line:column: message`, or the message alone. */
export function formatNixError(info: NixErrorInfo): string {
  if (!info.file) return info.message;
  return `${info.file}:${info.line}:${info.column}: ${info.message}`;
}
