// Private key material in every encoding the hook looks for, made by the real tools
// (ssh-keygen, openssl) where they can make it, and what must pass: public keys,
// certificates, prose.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyLine } from '../../../scripts/policy/private-keys.js';
import { keyBody, PPK_SAMPLE, SSH2_SAMPLE } from '../../helpers/key-samples.js';

let dir: string;
const keys: Record<string, string> = {};

/** What the hook scans: the blob's bytes as latin1. */
const scan = (bytes: Buffer | string) => privateKeyLine(Buffer.from(bytes).toString('latin1'));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const wrap = (s: string, width = 76) => s.replace(new RegExp(`(.{${width}})`, 'g'), '$1\n');
const utf16le = (s: string) => Buffer.from(s, 'utf16le');
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tappaas-keys-'));
  const sshKey = (name: string, args: string[]) => {
    execFileSync('ssh-keygen', ['-q', '-N', '', '-C', name, '-f', join(dir, name), ...args]);
    keys[name] = readFileSync(join(dir, name), 'utf8');
    keys[`${name}.pub`] = readFileSync(join(dir, `${name}.pub`), 'utf8');
  };
  sshKey('ed25519', ['-t', 'ed25519']);
  sshKey('rsa-pem', ['-t', 'rsa', '-b', '1024', '-m', 'PEM']);
  execFileSync('ssh-keygen', ['-q', '-p', '-N', 'secret', '-P', '', '-f', join(dir, 'ed25519')]);
  keys['ed25519-encrypted'] = readFileSync(join(dir, 'ed25519'), 'utf8');
  // An SSH certificate of the public key (signed by itself: a CA is just a key).
  execFileSync('ssh-keygen', [
    '-q',
    '-s',
    join(dir, 'ed25519'),
    '-P',
    'secret',
    '-I',
    'id',
    join(dir, 'ed25519.pub'),
  ]);
  keys['ed25519-cert.pub'] = readFileSync(join(dir, 'ed25519-cert.pub'), 'utf8');
  keys['rfc4716.pub'] = execFileSync('ssh-keygen', ['-e', '-f', join(dir, 'ed25519.pub')], {
    encoding: 'utf8',
  });
  keys.pkcs8 = execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519'], { encoding: 'utf8' });
  keys['pkcs8.pub'] = execFileSync('openssl', ['pkey', '-pubout'], { input: keys.pkcs8, encoding: 'utf8' });
  writeFileSync(join(dir, 'pkcs8'), keys.pkcs8);
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    join(dir, 'pkcs8'),
    '-subj',
    '/CN=test',
    '-days',
    '1',
    '-out',
    join(dir, 'cert.pem'),
  ]);
  keys.certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const body = keyBody;
const PPK = PPK_SAMPLE;
const SSH2 = SSH2_SAMPLE;

describe('privateKeyLine finds', () => {
  it.each([
    ['an OpenSSH key', () => `# notes\n${keys.ed25519}`, 2],
    ['an encrypted OpenSSH key', () => keys['ed25519-encrypted']!, 1],
    ['a PEM RSA key', () => keys['rsa-pem']!, 1],
    ['a PKCS#8 key', () => `a\nb\n${keys.pkcs8}`, 3],
    ['base64 of an OpenSSH key, one line', () => `client-key-data: ${b64(keys.ed25519!)}\n`, 1],
    ['base64 of a PEM key, wrapped at 76', () => `x\n${wrap(b64(keys['rsa-pem']!))}`, 2],
    [
      'base64 of a PEM key in a JSON string with \\n escapes',
      () => `{"k": "${wrap(b64(keys.pkcs8!), 20).replaceAll('\n', '\\n')}"}`,
      1,
    ],
    [
      'an OpenSSH key body without its BEGIN line',
      () => `let\n  key = ''\n${body(keys.ed25519!).replace(/^/gm, '    ')}\n  '';\n`,
      3,
    ],
    ['an encrypted OpenSSH key body without its BEGIN line', () => body(keys['ed25519-encrypted']!), 1],
    ['a PuTTY .ppk', () => PPK, 1],
    ['an SSH2 encrypted private key', () => `\n${SSH2}`, 2],
    ['an age secret key', () => 'x\nAGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', 2],
    ['base64 of a PuTTY .ppk', () => b64(PPK), 1],
  ])('%s', (_name, text, line) => {
    expect(scan(text())).toBe(line);
  });

  it.each([
    ['UTF-16LE with BOM', (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(s)])],
    ['UTF-16LE without BOM', utf16le],
    ['UTF-16BE with BOM', (s: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(s)])],
    ['UTF-16BE without BOM', utf16be],
    [
      'UTF-16LE after an odd-length binary prefix',
      (s: string) => Buffer.concat([Buffer.from([1, 2, 3]), utf16le(s)]),
    ],
  ])('keys saved as %s', (_name, encode) => {
    expect(scan(encode(`first\nsecond\n${keys.ed25519}`))).toBe(3);
    expect(scan(encode(`\n${b64(keys.pkcs8!)}`))).toBe(2);
    expect(scan(encode(`x\n${PPK}`))).toBe(2);
    expect(scan(encode(body(keys.ed25519!)))).toBe(1);
  });

  it('a .ppk saved as UTF-16 with a byte order mark', () => {
    expect(scan(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(PPK)]))).toBe(1);
    expect(scan(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(PPK)]))).toBe(1);
  });
});

describe('privateKeyLine passes', () => {
  it.each([
    ['an OpenSSH public key', () => keys['ed25519.pub']!],
    ['an OpenSSH certificate', () => keys['ed25519-cert.pub']!],
    ['an RFC 4716 public key', () => keys['rfc4716.pub']!],
    ['a PEM public key', () => keys['pkcs8.pub']!],
    ['an X.509 certificate', () => keys.certificate!],
    ['base64 of a certificate', () => b64(keys.certificate!)],
    ['base64 of a public key', () => b64(keys['pkcs8.pub']!)],
    ['UTF-16 of a certificate', () => utf16le(keys.certificate!)],
    [
      'prose about private keys',
      () =>
        'Never commit a PRIVATE KEY. OpenSSH keys start with the magic b3BlbnNzaC1rZXktdjE (base64 of\n' +
        '`openssh-key-v1`), base64 of a PEM file starts with LS0tLS1CRUdJTi, and PuTTY keys with\n' +
        'PuTTY-User-Key-File-3: ssh-ed25519 on their first line.\n',
    ],
    ['the magic alone on a line', () => 'b3BlbnNzaC1rZXktdjEAAAAA\n'],
    [
      'a .ppk header line without private lines',
      () => 'PuTTY-User-Key-File-3: ssh-ed25519\nComment: example\n',
    ],
    ['random binary data', () => Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256))],
  ])('%s', (_name, text) => {
    expect(scan(text())).toBeUndefined();
  });
});

describe('privateKeyLine speed', () => {
  it('scans 5 MB of text, binary data and decoys in well under a second each', () => {
    const text = Buffer.from(
      '{ services.nginx.virtualHosts."a.example.org".root = "/srv/www"; }\n'.repeat(75_000),
    );
    const binary = Buffer.from(Array.from({ length: 5_000_000 }, (_, i) => (i * 2654435761) >>> 24));
    // Decoys: every candidate the one pass finds, over and over, none of them a key.
    const decoys = Buffer.from(
      'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t b3BlbnNzaC1rZXktdjE PuTTY-User-Key-File-\n'.repeat(65_000),
    );
    const utf16Decoys = Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(90_000), 'utf16le');
    for (const data of [text, binary, decoys, utf16Decoys]) {
      const latin1 = data.toString('latin1');
      const t0 = performance.now();
      expect(privateKeyLine(latin1)).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});
