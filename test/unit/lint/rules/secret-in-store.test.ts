// Fake secrets are assembled at run time so that this file itself holds no string a secret
// scanner (or this rule) would take for a real key.
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/secret-in-store.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const dashes = '-'.repeat(5);
const pem = (kind: string) => `${dashes}BEGIN ${kind}PRIVATE KEY${dashes}`;
const ghToken = `gh${'p'}_${'a1B2'.repeat(9)}`;
const wgKey = `${'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm'}k=`;
const tsKey = `tskey-${'auth'}-kAbCdEf1CNTRL-${'x'.repeat(30)}`;

ruleTester('secret-in-store', rule, {
  valid: [
    '{ users.users.a.hashedPassword = "$6$salt$abc"; }',
    '{ users.users.a.hashedPasswordFile = "/run/secrets/a"; }',
    '{ users.users.a.passwordFile = config.age.secrets.a.path; }',
    '{ services.x.passwordFile = "/run/secrets/x"; }',
    {
      name: 'empty and locked values',
      code: '{ password = ""; b.password = "!"; c.initialPassword = "*"; }',
    },
    { name: 'an interpolation refers to a file', code: `{ password = "\${config.sops.secrets.x.path}"; }` },
    {
      name: 'placeholders substituted at runtime',
      code: '{ a.password = "$DB_PASSWORD"; b.token = "@TOKEN@"; }',
    },
    {
      name: 'booleans and numbers',
      code: '{ services.openssh.settings.PasswordAuthentication = false; tokenLength = 32; }',
    },
    {
      name: 'names that only contain a word',
      code: '{ passwordAuthentication = "no"; tokenUrl = "https://x/token"; secretName = "db"; }',
    },
    {
      name: 'public keys are public',
      code: '{ publicKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="; publicKeyFile = ./wg.pub; }',
    },
    {
      name: 'encrypted files belong in the store',
      code: '{ age.secrets.a.file = ./a.age; sops.defaultSopsFile = ./secrets.yaml; passwordFile = ./pw.age; }',
    },
    { name: 'a path to a non-secret file', code: '{ sslCertificate = ./cert.pem; configFile = ./x.conf; }' },
    { name: 'the word in prose', code: '{ description = "the private key is read from keyFile"; }' },
    {
      name: 'a hash in the wrong option is not plaintext',
      code: '{ users.users.a.password = "$y$j9T$abc$def"; }',
    },
  ],
  invalid: [
    {
      code: '{\n  users.users.admin.password = "hunter2";\n}',
      errors: [{ messageId: 'literal', line: 2, column: 32, message: '(7 characters, not shown)' }],
    },
    {
      code: '{ users.users.root.initialPassword = "changeme"; }',
      errors: [{ messageId: 'literal', line: 1, column: 38, message: 'hashedPasswordFile' }],
    },
    {
      name: 'names spelled in several styles',
      code: '{ api_key = "k1"; apiKey = "k2"; "SECRET_KEY" = "k3"; clientSecret = "k4"; auth-token = \'\'k5\'\'; psk = "wifi-pass"; }',
      errors: [
        { messageId: 'literal', line: 1, column: 13 },
        { messageId: 'literal', line: 1, column: 28 },
        { messageId: 'literal', line: 1, column: 49 },
        { messageId: 'literal', line: 1, column: 70 },
        { messageId: 'literal', line: 1, column: 89 },
        { messageId: 'literal', line: 1, column: 103 },
      ],
    },
    {
      name: 'a secret file from the repository',
      code: '{ services.wireguard.privateKeyFile = ./wg.key; boot.initrd.luks.devices.root.keyFile = /root/luks.key; }',
      errors: [
        { messageId: 'repoFile', line: 1, column: 39 },
        { messageId: 'absoluteFile', line: 1, column: 89 },
      ],
    },
    {
      name: 'key material in any string, reported once',
      code: `{\n  environment.etc."ssh/id".text = ''\n    ${pem('OPENSSH ')}\n  '';\n  privateKey = "${pem('')}";\n}`,
      errors: [
        { messageId: 'material', line: 2, column: 35, message: 'a private key' },
        { messageId: 'literal', line: 5, column: 16 },
      ],
    },
    {
      name: 'tokens with unmistakable prefixes',
      code: `[ "${ghToken}" "token ${tsKey}" "[Interface]\\nPrivateKey = ${wgKey}\\n" ]`,
      errors: [
        { messageId: 'material', line: 1, column: 3, message: 'a GitHub token' },
        { messageId: 'material', line: 1, column: 46, message: 'a Tailscale auth key' },
        { messageId: 'material', line: 1, column: 110, message: 'a WireGuard private key' },
      ],
    },
  ],
});

it('secret-in-store: no message shows the secret', async () => {
  const found = await lintWithRule('secret-in-store', rule, `{ password = "hunter2"; a = "${ghToken}"; }`);
  expect(found).toHaveLength(2);
  for (const d of found) {
    expect(d.message).not.toContain('hunter2');
    expect(d.message).not.toContain(ghToken.slice(4));
  }
});
