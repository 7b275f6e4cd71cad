// Private key material in a pushed file, in the encodings keys actually travel in: PEM and
// age armour, the same base64-encoded (Kubernetes' `client-key-data`, CI variables), an
// OpenSSH key body without its BEGIN line, PuTTY's .ppk, ssh.com's SSH2 format, and any of
// these saved as UTF-16 (Windows editors). A rejection must be certain, so every candidate
// the fast search finds is confirmed: decoded base64 must itself hold a key, an OpenSSH body
// must have the container's structure, a .ppk its private lines. Public keys, certificates
// and prose that says "private key" pass. Pure.
//
// The text is the blob decoded as latin1 (one character per byte: exact for the ASCII the
// markers are made of, and it never fails on binary data). It runs on every pushed blob, so
// the search is the cheapest that works for each kind of content (measured here: about 1 ms
// for 5 MB of text or of binary data, near the armour-only search it replaced).

const PEM_LINE = /-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/y;
const SSH2_LINE = /-{4,5} ?BEGIN SSH2 ENCRYPTED PRIVATE KEY ?-{4,5}/y;
const AGE_KEY = /AGE-SECRET-KEY-1[0-9A-Z]{20,}/y;

type Kind = 'armour' | 'age' | 'base64' | 'openssh' | 'putty';

/**
 * Where text may hold a key, found by substring search (in text, several times faster than
 * one regular expression with every marker as an alternative). `BEGIN ` leads to PEM and
 * SSH2 armour; the base64 literals are the encodings, at the start of the encoded data, of
 * `-----` or `---- `, `PuTTY-User-Key-File-` and `AGE-SECRET-KEY-1`; `b3BlbnNzaC1rZXktdjE`
 * is OpenSSH's binary magic `openssh-key-v1`.
 */
const TEXT_MARKERS: readonly { literal: string; kind: Kind }[] = [
  { literal: 'BEGIN ', kind: 'armour' },
  { literal: 'AGE-SECRET-KEY-1', kind: 'age' },
  { literal: 'LS0tLS', kind: 'base64' },
  { literal: 'UHVUVFktVXNlci1LZXktRmlsZS', kind: 'base64' },
  { literal: 'QUdFLVNFQ1JFVC1LRVktMS', kind: 'base64' },
  { literal: 'b3BlbnNzaC1rZXktdjE', kind: 'openssh' },
  { literal: 'PuTTY-User-Key-File-', kind: 'putty' },
];

/**
 * In binary data only armour is looked for (the other encodings are text), by one regular
 * expression: on binary data V8's regular expressions outrun substring search.
 */
const BINARY_MARKERS = /-----BEGIN |---- BEGIN SSH2|AGE-SECRET-KEY-1/g;

/** Base64 characters decoded per candidate (a .ppk's private lines come after its public ones). */
const MAX_DECODED_BASE64 = 8 * 1024;

/**
 * Base64 characters decoded per scanned text at most: hundreds of encoded certificates fit,
 * and a file of decoys (the same literal over and over) cannot make the scan quadratic.
 */
const DECODE_BUDGET = 1024 * 1024;

/** 1-based line of the first private key material in a text (latin1 of a blob), or undefined. */
export function privateKeyLine(text: string): number | undefined {
  const nul = text.indexOf('\0');
  if (nul === -1) return lineOf(text, textKeyOffset(text, true));
  const armour = binaryKeyOffset(text);
  if (armour !== undefined) return lineOf(text, armour);
  if (!looksLikeUtf16(text, nul)) return undefined;
  // Little-endian, the first NUL ends a character; big-endian, it starts one. Both byte
  // orders are tried (ASCII reads as ASCII in one of them); whole characters from the start.
  for (const [from, swap] of [
    [(nul + 1) % 2, false],
    [nul % 2, true],
  ] as const) {
    const bytes = Buffer.from(text.slice(from), 'latin1');
    const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
    const decoded = (swap ? Buffer.from(even).swap16() : even).toString('utf16le');
    const line = lineOf(decoded, textKeyOffset(decoded, true));
    if (line !== undefined) return line;
  }
  return undefined;
}

/**
 * UTF-16 text of ASCII has a NUL in every other byte: from the first NUL on, the bytes at its
 * parity are (nearly) all NUL and the others (nearly) all not.
 */
function looksLikeUtf16(text: string, nul: number): boolean {
  const end = Math.min(text.length, nul + 512);
  if (end - nul < 16) return false;
  let agree = 0;
  for (let i = nul; i < end; i++) if ((text.charCodeAt(i) === 0) === ((i - nul) % 2 === 0)) agree++;
  return agree >= 0.9 * (end - nul);
}

function binaryKeyOffset(text: string): number | undefined {
  BINARY_MARKERS.lastIndex = 0;
  for (let m = BINARY_MARKERS.exec(text); m; m = BINARY_MARKERS.exec(text)) {
    const kind: Kind = m[0] === 'AGE-SECRET-KEY-1' ? 'age' : 'armour';
    if (confirmed(text, kind, m.index + m[0].indexOf('BEGIN'), undefined)) return m.index;
  }
  return undefined;
}

/** Offset of the first confirmed key in text; `nested`: whether base64 may be decoded. */
function textKeyOffset(text: string, nested: boolean): number | undefined {
  let budget = DECODE_BUDGET;
  const decode = (from: number, maxChars: number): string | undefined => {
    if (budget <= 0) return undefined;
    const run = decodeBase64Run(text, from, Math.min(maxChars, budget));
    budget -= run.chars;
    return run.data;
  };
  let first: number | undefined;
  for (const { literal, kind } of TEXT_MARKERS) {
    for (
      let at = text.indexOf(literal);
      at !== -1 && (first === undefined || at < first);
      at = text.indexOf(literal, at + 1)
    ) {
      if (confirmed(text, kind, at, kind === 'base64' && !nested ? undefined : decode)) {
        first = at;
        break;
      }
    }
  }
  return first;
}

/** Whether the candidate of this kind at `at` is key material; `decode` reads base64 from an offset. */
function confirmed(
  text: string,
  kind: Kind,
  at: number,
  decode: ((from: number, maxChars: number) => string | undefined) | undefined,
): boolean {
  switch (kind) {
    case 'armour':
      // `at` is where BEGIN starts: PEM's five dashes, or SSH2's four or five and a space.
      for (const [re, back] of [
        [PEM_LINE, 5],
        [SSH2_LINE, 5],
        [SSH2_LINE, 6],
      ] as const) {
        re.lastIndex = at - back;
        if (at >= back && re.test(text)) return true;
      }
      return false;
    case 'age':
      AGE_KEY.lastIndex = at;
      return AGE_KEY.test(text);
    case 'base64': {
      const data = decode?.(at, MAX_DECODED_BASE64);
      return data !== undefined && textKeyOffset(data, false) !== undefined;
    }
    case 'openssh': {
      const data = decode?.(at, 120);
      return data !== undefined && isOpenSshKeyBody(data);
    }
    case 'putty':
      return isPuttyKeyFile(text, at);
  }
}

function lineOf(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function isBase64Char(c: number): boolean {
  return (
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61
  );
}

/**
 * The base64 run starting at `from`, decoded (as latin1), at most `maxChars` base64
 * characters, and how many it read. Line breaks and indentation inside the run are
 * skipped, and so are the escapes `\n`, `\r` and `\t` of a key kept in a JSON or Nix string.
 */
function decodeBase64Run(text: string, from: number, maxChars: number): { data: string; chars: number } {
  let b64 = '';
  for (let i = from; i < text.length && b64.length < maxChars; i++) {
    const c = text.charCodeAt(i);
    if (isBase64Char(c)) b64 += text[i];
    else if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    else if (c === 92 && /[nrt]/.test(text[i + 1] ?? '')) i++;
    else break;
  }
  const data = Buffer.from(b64.slice(0, b64.length - (b64.length % 4)), 'base64').toString('latin1');
  return { data, chars: Math.max(b64.length, 1) };
}

/**
 * OpenSSH's private key container (PROTOCOL.key): `openssh-key-v1\0`, then the cipher, KDF
 * and KDF options as length-prefixed strings, then the number of keys. Public keys and
 * certificates never start so; prose that only names the magic has no such structure.
 */
function isOpenSshKeyBody(data: string): boolean {
  const MAGIC = 'openssh-key-v1\0';
  if (!data.startsWith(MAGIC)) return false;
  let at = MAGIC.length;
  const u32 = (): number | undefined => {
    if (at + 4 > data.length) return undefined;
    const n =
      data.charCodeAt(at) * 0x1000000 +
      (data.charCodeAt(at + 1) << 16) +
      (data.charCodeAt(at + 2) << 8) +
      data.charCodeAt(at + 3);
    at += 4;
    return n;
  };
  const name = (): boolean => {
    const n = u32();
    if (n === undefined || n < 1 || n > 64 || at + n > data.length) return false;
    const s = data.slice(at, at + n);
    at += n;
    return /^[\x21-\x7e]+$/.test(s);
  };
  if (!name() || !name()) return false; // cipher ("none", "aes256-ctr", …) and KDF ("none", "bcrypt")
  const options = u32();
  if (options === undefined || options > 1024) return false;
  at += options;
  const keys = u32();
  return keys !== undefined && keys >= 1 && keys <= 1024;
}

/**
 * A PuTTY key file: `PuTTY-User-Key-File-<version>: <algorithm>` as a line of its own (the
 * first may follow a UTF-16 byte order mark), and a
 * `Private-Lines:` header below it (present in every .ppk, encrypted or not).
 */
function isPuttyKeyFile(text: string, at: number): boolean {
  if (at > 0 && text[at - 1] !== '\n' && text[at - 1] !== '\ufeff') return false;
  const rest = text.slice(at, at + 16 * 1024);
  return /^PuTTY-User-Key-File-\d+: [\w@.+-]+\r?\n/.test(rest) && /\nPrivate-Lines: \d+\r?\n/.test(rest);
}
