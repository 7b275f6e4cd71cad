// Turns a file's bytes into Nix source text, or says plainly why it cannot be linted.
export type SourceRead = { ok: true; text: string } | { ok: false; message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeSource(bytes: Uint8Array, maxBytes: number): SourceRead {
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      message: `file is ${(bytes.length / 1048576).toFixed(1)} MiB, over the ${(maxBytes / 1048576).toFixed(1)} MiB limit (lint.maxFileBytes in tappaas.json); not parsed`,
    };
  }
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, message: 'binary file (it contains NUL bytes): not Nix source' };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return {
      ok: false,
      message: `not valid UTF-8 (first bad byte at offset ${at}); Nix files must be UTF-8 text`,
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`; // keep offsets: a BOM becomes a space
  return { ok: true, text };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest prefix that fails, tolerating a cut in a sequence.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}
