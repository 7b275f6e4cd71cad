// Turns a file's bytes into Nix source text, or says plainly why it cannot be linted and
// what to do. Binary content is an error (Nix rejects it too); bytes that are not UTF-8 and
// files over the size limit are warnings: Nix may well accept them, we just cannot lint them.
import type { Severity } from './types.js';

export type SourceRead =
  | { ok: true; text: string }
  | { ok: false; message: string; severity: Severity; line: number; column: number };

const decoder = new TextDecoder('utf-8', { fatal: true });

const MiB = 1024 * 1024;

/** Files over this many bytes are not linted unless `lint.maxFileBytes` says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 10 * MiB;

export function decodeSource(bytes: Uint8Array, maxBytes: number): SourceRead {
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      severity: 'warning',
      line: 1,
      column: 1,
      message: `file is ${(bytes.length / MiB).toFixed(1)} MiB, over the ${(maxBytes / MiB).toFixed(1)} MiB limit: not linted. Raise lint.maxFileBytes in tappaas.json, or add the file to lint.ignore.`,
    };
  }
  const nul = bytes.subarray(0, 8192).indexOf(0);
  if (nul !== -1) {
    const { line, column } = lineColumnOfByte(bytes, nul);
    return {
      ok: false,
      severity: 'error',
      line,
      column,
      message: `binary file (a NUL byte at line ${line}, column ${column}): not Nix source. Remove it, rename it away from .nix, or add it to lint.ignore.`,
    };
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const { line, column } = lineColumnOfByte(bytes, at);
    return {
      ok: false,
      severity: 'warning',
      line,
      column,
      message: `not valid UTF-8 (first bad byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at line ${line}, column ${column}): not linted. Re-save the file as UTF-8.`,
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`; // keep offsets: a BOM becomes a space
  return { ok: true, text };
}

/** 1-based line and column (in characters of the valid UTF-8 before it) of a byte offset. */
function lineColumnOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset));
  return { line, column: before.length + 1 };
}

/** Offset of the first byte that starts an invalid or cut-off UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const extra = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (extra === 0 || i + extra >= b.length) return i;
    // The second byte's range rules out overlong forms, surrogates and code points > U+10FFFF.
    const min = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const max = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (b[i + 1]! < min || b[i + 1]! > max) return i;
    for (let k = 2; k <= extra; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return b.length;
}
