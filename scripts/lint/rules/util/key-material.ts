// Text that is a secret whatever attribute holds it: private keys with their body, and
// tokens whose format their issuer fixed (a prefix and a length, often a checksum). Each
// pattern checks the shape closely enough that a match is the real thing, not a word that
// happens to share a prefix; a header without a body (`grep -q "BEGIN … PRIVATE KEY"`) or a
// token made of a run of one character (`ghp_xxxx…`) is not key material.
import type { Node } from 'web-tree-sitter';
import { decodeString } from '../../../nix-ast/strings.js';

export interface KeyMaterial {
  what: string;
  re: RegExp;
  /** What every match contains, as a quick test: a file without any is not searched. */
  hint: RegExp;
  /** Whether a stand-in (`EXAMPLE`, a run of one character, `1234567`) makes a match a mere example. */
  token: boolean;
}

/** Optional header lines of an encrypted PEM or a PGP block (`Proc-Type: …`, `Version: …`). */
const PEM_HEADERS = String.raw`(?:[A-Za-z][A-Za-z-]*:[^\n]*\n\s*)*`;

export const KEY_MATERIAL: readonly KeyMaterial[] = [
  {
    what: 'a private key (PEM/OpenSSH/PGP)',
    re: new RegExp(
      String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----\s*${PEM_HEADERS}[A-Za-z0-9+/]{20,}`,
    ),
    hint: /PRIVATE KEY/,
    token: false,
  },
  {
    what: 'a PuTTY private key',
    re: /PuTTY-User-Key-File-\d+:[\s\S]*?Private-Lines:\s*\d+\s+[A-Za-z0-9+/]{20,}/,
    hint: /PuTTY-User-Key-File-/,
    token: false,
  },
  {
    what: 'a WireGuard private key',
    re: /PrivateKey\s*=\s*[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=/,
    hint: /PrivateKey/,
    token: true,
  },
  {
    what: 'an age secret key',
    re: /AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}/,
    hint: /AGE-SECRET-KEY-1/,
    token: true,
  },
  { what: 'an AWS access key id', re: /\bAKIA[0-9A-Z]{16}(?![0-9A-Za-z])/, hint: /AKIA/, token: true },
  {
    what: 'an AWS secret access key',
    re: /aws_secret_access_key\s*=\s*[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i,
    hint: /aws_secret_access_key/i,
    token: true,
  },
  {
    what: 'a GitHub token',
    re: /\bgh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])/,
    hint: /gh[pousr]_/,
    token: true,
  },
  { what: 'a GitHub token', re: /\bgithub_pat_[A-Za-z0-9_]{22,}/, hint: /github_pat_/, token: true },
  { what: 'a GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}/, hint: /glpat-/, token: true },
  { what: 'a Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}/, hint: /xox/, token: true },
  {
    what: 'a Slack webhook URL',
    re: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/,
    hint: /hooks\.slack\.com/,
    token: true,
  },
  {
    what: 'a Tailscale auth key',
    re: /\btskey-(?:auth|client)-[A-Za-z0-9]+-[A-Za-z0-9]{16,}/,
    hint: /tskey-/,
    token: true,
  },
  {
    what: 'an OpenAI API key',
    re: /\bsk-[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}/,
    hint: /T3BlbkFJ/,
    token: true,
  },
  {
    what: 'an Anthropic API key',
    re: /\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}/,
    hint: /sk-ant-/,
    token: true,
  },
  { what: 'a Stripe secret key', re: /\b[rs]k_live_[A-Za-z0-9]{24,}/, hint: /k_live_/, token: true },
  { what: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/, hint: /AIza/, token: true },
  { what: 'an npm token', re: /\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/, hint: /npm_/, token: true },
  {
    what: 'a PyPI token',
    re: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/,
    hint: /pypi-AgEIcHlwaS5vcmc/,
    token: true,
  },
  { what: 'a Hugging Face token', re: /\bhf_[A-Za-z]{34}(?![A-Za-z0-9])/, hint: /hf_/, token: true },
  { what: 'a DigitalOcean token', re: /\bdo[por]_v1_[a-f0-9]{64}(?![a-f0-9])/, hint: /_v1_/, token: true },
  {
    what: 'a SendGrid API key',
    re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/,
    hint: /SG\./,
    token: true,
  },
];

/** A stand-in a document writes for a token: `EXAMPLE`, a run of one character, a counted sequence. */
const STAND_IN = /EXAMPLE|(.)\1{5,}|0123456|1234567|abcdefg/i;

/** Whether some key material could be in `source` (a quick test before looking at its strings). */
export function mayHoldKeyMaterial(source: string): boolean {
  return KEY_MATERIAL.some((k) => k.hint.test(source));
}

/** The key material in `text`, if any. */
export function findKeyMaterial(text: string): KeyMaterial | undefined {
  return KEY_MATERIAL.find((k) => {
    const m = k.re.exec(text);
    return m !== null && !(k.token && STAND_IN.test(m[0]));
  });
}

/**
 * A WireGuard key (32 random bytes in base64) as a whole value: in an attribute named like a
 * private or preshared key this shape leaves no doubt.
 */
export const WIREGUARD_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/**
 * The text of a string literal as the program sees it (scripts/nix-ast/strings.ts), each
 * interpolation one marker so that no match spans one: key material written with `\n` escapes
 * (`"-----BEGIN …-----\nb3Bl…"`) is then one text, as it is in the file it becomes. A literal
 * the decoder cannot read is searched as written.
 */
export function stringText(node: Node): string {
  return decodeString(node)?.text ?? node.text;
}
