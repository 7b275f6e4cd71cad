// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source and service placeholders, not templates
// Values shaped like what real fleets put in attributes named like a secret, each with the
// reason it is not one; and values that may be a secret. All values are made up.
import { describe, expect, it } from 'vitest';
import { type NotSecret, notASecret } from '../../../../../scripts/lint/rules/util/secret-values.js';

const NOT_SECRETS: [string, NotSecret][] = [
  ['', 'empty'],
  ['!', 'empty'],
  ['$6$salt$hashhash', 'hash'],
  ['$argon2id$v=19$m=65536$abc$def', 'hash'],
  ['{SSHA}c2FsdGVkaGFzaA==', 'hash'],
  ['/run/secrets/db', 'path'],
  ['%d/db-password', 'path'],
  ['$DB_PASSWORD', 'template'],
  ['${CREDENTIALS_DIRECTORY}/token', 'template'],
  ['$__file{/run/secrets/grafana-admin}', 'template'],
  ['$__env{SMTP_PASS}', 'template'],
  ['@LDAP_BIND_PW@', 'template'],
  ['Bearer @API_TOKEN@', 'template'],
  ['%env(MAILER_PASSWORD)%', 'template'],
  ['{env:SEARCH_API_KEY}', 'template'],
  ['{file:/run/secrets/search}', 'template'],
  ['{{ .Env.DB_PASS }}', 'template'],
  ['{{ vault_token }}', 'template'],
  ['{token}', 'template'],
  ['!gopass show -o web/forge', 'command'],
  ['$(cat /run/secrets/forge)', 'command'],
  ['pass show mail/work', 'command'],
  ['cat /run/agenix/smtp', 'command'],
  ['rbw get forge-token', 'command'],
  ['ext:home_wifi', 'reference'],
  ['op://Team/Forge/credential', 'reference'],
  ['vault:secret/data/forge#token', 'reference'],
  ['env:FORGE_TOKEN', 'reference'],
  ['1h', 'duration'],
  ['30d', 'duration'],
  ['1h30m', 'duration'],
  ['2 weeks', 'duration'],
  ['10.0.0.7:8200', 'address'],
  ['::fd00:1:2', 'address'],
  ['vault.example.net:8200', 'address'],
  ['https://auth.example.org/oauth/token', 'address'],
  ['forge-api-key', 'name'],
  ['mail_app_password', 'name'],
  ['unused', 'placeholder'],
  ['<your token here>', 'placeholder'],
  ['XXXXXXXXXXXX', 'placeholder'],
];

const MAYBE_SECRETS = [
  'hunter2',
  'correct horse battery staple',
  'Zq8-rT2.mV9',
  'pa$word', // a lone `$` and lower case is no variable
  'https://hooks.example.org/in/Qm3x9TzLw8VbN2pRkD7yHc4', // the path carries the secret
  'https://user:pw@host.example.org/',
  '1234',
  'ollama',
];

describe('util/secret-values: notASecret', () => {
  it.each(NOT_SECRETS)('%j is not a secret (%s)', (value, why) => {
    expect(notASecret(value)).toBe(why);
  });
  it.each(MAYBE_SECRETS)('%j may be a secret', (value) => {
    expect(notASecret(value)).toBeUndefined();
  });
});
