// What a literal in an attribute named like a secret (`password`, `apiKey`, `pskRaw`) holds
// when it is not the secret itself. Real fleets put many things there: a key into a secrets
// file (`ext:home_wifi`), a secret manager's address (`op://vault/item/field`), a command that
// prints the secret, a placeholder the service replaces at start-up (`$__file{…}`, `@TOKEN@`,
// `%d/name`), the name of an entry in a password store, or values that only share the name
// (`access_token = "1 hour"` is a lifespan). None of these puts a secret in the store.

/** Why a literal is not a secret; `undefined` when it may be one. */
export type NotSecret =
  | 'empty'
  | 'hash'
  | 'path'
  | 'template'
  | 'command'
  | 'reference'
  | 'duration'
  | 'address'
  | 'name'
  | 'placeholder';

/** Locked or unset markers (`!` and `*` lock an account). */
const EMPTY = new Set(['', '!', '*', '!*', '!!']);

/**
 * Password hashes: crypt(3) (`$6$`, `$y$`, `$2b$`, `$apr1$`), argon2/scrypt/pbkdf2 in PHC
 * form, and the `{SCHEME}` prefixes of LDAP and Dovecot. A hash in a plaintext option is a
 * different mistake, not an exposed password.
 */
const HASH =
  /^\$(?:1|2[abxy]?|5|6|7|y|gy|apr1|argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?)\$|^\{[A-Z0-9-]+\}\S/;

/**
 * Locations: absolute, relative and home paths, and systemd specifiers of a directory
 * (`%d/name` is a credential, `%S/…` state), which systemd expands when the unit starts.
 */
const PATH = /^(?:\/|\.\.?\/|~\/|%[dStCEhLT]\/)/;

/** A whole value that is one variable: `$X`, `${x}`, `@x@`, `%x%`, `{x}`. */
const WHOLE_VARIABLE =
  /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|@[A-Za-z_][A-Za-z0-9_]*@|%[A-Za-z_][A-Za-z0-9_]*%|\{[A-Za-z_][A-Za-z0-9_]*\})$/;

/** Templates the service (or its start script) fills in, anywhere in the value. */
const TEMPLATES: RegExp[] = [
  /\$\{[^}\s]+\}/, // ${VAR}, ${CREDENTIALS_DIRECTORY}/x (an escaped `${` in Nix)
  /\$[A-Z_][A-Z0-9_]+/, // $DB_PASSWORD in a shell or an env-expanding config
  /\$__[a-z]+\{[^}]*\}/, // Grafana: $__file{…}, $__env{…}, $__vault{…}
  /@[A-Z][A-Z0-9_]*@/, // @PASSWORD@ replaced by a preStart script
  /%env\([^)]+\)%/, // Symfony: %env(NAME)%
  /\{(?:env|file|secret|cmd):[^}]+\}/i, // {env:NAME}, {file:/run/secrets/x}
  /\{\{[\s\S]*\}\}/, // Go, Jinja, Handlebars
  /\{%[\s\S]*%\}/, // Jinja statements
];

/** Command substitution: `$(cat …)`, `` `pass show …` ``. */
const SUBSTITUTION = /\$\([^)]+\)|`[^`]+`/;

/**
 * A command that prints the secret: `!rbw get x` (the `!` of git-style configs), or a first
 * word that reads a secret store or a file, followed by its arguments.
 */
const COMMAND =
  /^!\s*[A-Za-z][\w.-]*\s|^(?:cat|head|pass|gopass|rbw|bw|op|lpass|secret-tool|security|gpg2?|sops|age|rage|keepassxc-cli|systemd-creds|vault|doppler|infisical|kwallet-query|passage)\s+\S/;

/** Secret-manager addresses and `scheme:name` references (`ext:` keys `secretsFile`). */
const REFERENCE =
  /^(?:op|vault|pass|passage|gopass|keyring|keychain|kwallet|bw|rbw|bitwarden|lpass|lastpass|sops|age|file|env|ext|cmd|exec|secret|secrets|credential|credentials|systemd-creds|awssm|gcpsm|azkv|infisical|doppler):\S/i;

const UNIT = '(?:ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|mo|months?|y|years?)';
/** Durations: `1h`, `30d`, `1h30m`, `3 months` (a token's lifespan, not the token). */
const DURATION = new RegExp(`^\\d+(?:\\.\\d+)?\\s*${UNIT}(?:\\s*\\d+(?:\\.\\d+)?\\s*${UNIT})*$`, 'i');

/** Addresses: an IP (with port or prefix), a host with a port. */
const ADDRESSES: RegExp[] = [
  /^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?:\/\d{1,2})?$/,
  /^\[?[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*\]?(?::\d{1,5})?(?:\/\d{1,3})?$/i,
  /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{1,5}$/i,
];

/** A URL without credentials or query (`https://auth.example.org/token`). */
const URL_ADDRESS = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@?#]+(?:\/[^\s?#@]*)?$/i;

/** A long random path segment: webhook URLs carry their secret in the path. */
const SECRET_SEGMENT = /\/[A-Za-z0-9_-]{20,}/;

/** Words that name a kind of secret; a slug made of them is the name of an entry. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pw',
  'secret',
  'secrets',
  'token',
  'key',
  'apikey',
  'psk',
  'credential',
  'credentials',
]);

/**
 * The name of a secret rather than the secret: a lower-case slug of several words, one of
 * which names a kind of secret (`gmaps-api-key`, `github-webhook-secret`, `my_password`),
 * e.g. an entry of a password store or a file name under /run/secrets.
 */
const SLUG = /^[a-z0-9]+(?:[-_./][a-z0-9]+)+$/;

/** Values that say there is no secret, or stand in for one in an example. */
const NO_SECRET = new Set([
  'unused',
  'none',
  'null',
  'nil',
  'dummy',
  'placeholder',
  'notneeded',
  'not-needed',
  'not_needed',
  'notused',
  'not-used',
  'unset',
  'nokey',
  'no-key',
  'ignored',
  'sk-no-key-required',
]);

/** `<your token>`, `XXXXXXXX`, `********`: a stand-in, not a value. */
const STAND_IN = /^<[^<>]+>$|(.)\1{5,}/;

/** Why `value` (a literal in an attribute named like a secret) is not a secret, if it is not. */
export function notASecret(value: string): NotSecret | undefined {
  const v = value.trim();
  if (EMPTY.has(v)) return 'empty';
  if (HASH.test(v)) return 'hash';
  if (PATH.test(v)) return 'path';
  if (WHOLE_VARIABLE.test(v) || TEMPLATES.some((t) => t.test(v))) return 'template';
  if (SUBSTITUTION.test(v) || COMMAND.test(v)) return 'command';
  if (REFERENCE.test(v)) return 'reference';
  if (DURATION.test(v)) return 'duration';
  if (ADDRESSES.some((a) => a.test(v))) return 'address';
  if (URL_ADDRESS.test(v) && !SECRET_SEGMENT.test(v.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, '')))
    return 'address';
  if (SLUG.test(v) && v.split(/[-_./]/).some((w) => SECRET_WORDS.has(w))) return 'name';
  if (NO_SECRET.has(v.toLowerCase()) || STAND_IN.test(v)) return 'placeholder';
  return undefined;
}
