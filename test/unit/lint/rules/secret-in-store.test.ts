// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source and service placeholders, not templates
// Fake secrets are assembled at run time so that this file itself holds no string a secret
// scanner (or this rule) would take for a real key. Every value here is made up; the false
// positives are shaped like what real fleets hold, not copied from them.
import { expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/secret-in-store.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const dashes = '-'.repeat(5);
const pem = (kind: string) => `${dashes}BEGIN ${kind}PRIVATE KEY${dashes}`;
const pemEnd = (kind: string) => `${dashes}END ${kind}PRIVATE KEY${dashes}`;
const body = `${'b3BlbnNzaC1r'}ZXktdjEAAAAABG5vbmUAAAAEbm9uZQ`;
const ghToken = `gh${'p'}_${'a1B2c3D4e5F6'.repeat(3)}`;
const wgKey = `${'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm'}k=`;
const tsKey = `tskey-${'auth'}-kAbCdEf1CNTRL-${'q7W2e9R4t1Y6u3I8o5P0'}`;
const awsId = `AK${'IA'}QW7RT2YU4IO6PA3S`;
const ageKey = `AGE-SECRET-${'KEY'}-1${'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.repeat(2).slice(0, 58)}`;

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
      code: '{ a.password = "$DB_PASSWORD"; b.token = "@TOKEN@"; c.bind_password = "Bearer @BIND_PW@"; }',
    },
    {
      name: 'a key into networking.wireless.secretsFile',
      code: '{ networking.wireless.networks.cafe.pskRaw = "ext:cafe_wifi"; networking.wireless.networks.home.psk = "ext:home"; }',
    },
    {
      name: 'secret-manager addresses',
      code: '{ home.sessionVariables.FORGE_TOKEN = "op://Team/Forge/credential"; a.apiKey = "vault:kv/forge#token"; b.token = "env:FORGE_TOKEN"; }',
    },
    {
      name: 'commands that print the secret',
      code: '{ a.apiKey = "!gopass show -o web/forge"; b.api_key = "$(cat /run/secrets/forge)"; c.secret = "pass show mail/work"; }',
    },
    {
      name: 'file and environment templates of services (Grafana, Symfony, opencode)',
      code: '{ grafana.security.admin_password = "$__file{/run/secrets/grafana}"; smtp.password = "$__env{SMTP_PASS}"; app.ldap.password = "%env(LDAP_PW)%"; mcp.env.SEARCH_API_KEY = "{env:SEARCH_API_KEY}"; }',
    },
    {
      name: 'systemd credentials',
      code: '{ a.password = "%d/db-password"; b.token = "\\${CREDENTIALS_DIRECTORY}/forge"; }',
    },
    {
      name: 'Go and Jinja templates',
      code: '{ a.password = "{{ .Env.DB_PASS }}"; b.token = "{{ forge_token }}"; }',
    },
    {
      name: 'durations share the name of the token they bound',
      code: '{ oidc.lifespans = { access_token = "90m"; refresh_token = "2 weeks"; id_token = "1h"; }; }',
    },
    {
      name: 'addresses',
      code: '{ networkd.ipv6Token = "::fd00:1:2"; relay.authKey = "relay.example.net:443"; a.secret = "https://auth.example.org/oauth/token"; }',
    },
    {
      name: 'names of entries in a password store',
      code: '{ services.bot.rbwEntries."mail-app-password" = "mail-app-password"; services.bot.rbwEntries."forge-token" = "forge-api-token"; }',
    },
    {
      name: 'values that say there is none',
      code: '{ llm.apiKey = "unused"; a.token = "<your token here>"; b.api_key = "XXXXXXXXXXXX"; }',
    },
    {
      name: "an option's example is documentation, not configuration",
      code: '{ options.programs.x.settings = lib.mkOption { example = { password = "hunter2"; token = "abc123"; }; }; }',
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
    {
      name: 'a key header without a body is no key (a script that looks for one)',
      code: `{ check = "grep -q -- '${pem('OPENSSH ')}' key"; }`,
    },
    {
      name: 'tokens that documents write as stand-ins',
      code: `[ "gh${'p'}_${'x'.repeat(36)}" "AK${'IA'}IOSFODNN7EXAMPLE" ]`,
    },
  ],
  invalid: [
    {
      name: 'a literal password in a password option is certain',
      code: '{\n  users.users.admin.password = "hunter2";\n}',
      errors: [
        {
          messageId: 'literal',
          line: 2,
          column: 32,
          message: '(7 characters, not shown)',
          severity: 'error',
        },
      ],
    },
    {
      code: '{ users.users.root.initialPassword = "changeme"; }',
      errors: [
        { messageId: 'literal', line: 1, column: 38, message: 'hashedPasswordFile', severity: 'error' },
      ],
    },
    {
      name: 'password options of services and Wi-Fi passphrases',
      code: '{ services.x.settings.db_password = "Zq8-rT2.mV9"; networking.wireless.networks.cafe.psk = "correct horse"; }',
      errors: [
        { messageId: 'literal', line: 1, column: 37, severity: 'error' },
        { messageId: 'literal', line: 1, column: 92, message: 'secretsFile', severity: 'error' },
      ],
    },
    {
      name: 'an attribute merely named like a secret is a guess (names spelled in several styles)',
      code: '{ api_key = "k1"; apiKey = "k2"; "SECRET_KEY" = "k3"; clientSecret = "k4"; auth-token = \'\'k5\'\'; }',
      errors: [
        { messageId: 'named', line: 1, column: 13, severity: 'warning' },
        { messageId: 'named', line: 1, column: 28, severity: 'warning' },
        { messageId: 'named', line: 1, column: 49, severity: 'warning' },
        { messageId: 'named', line: 1, column: 70, severity: 'warning' },
        { messageId: 'named', line: 1, column: 89, severity: 'warning' },
      ],
    },
    {
      name: 'a secret file path literal: whether it is copied depends on the option',
      code: '{ services.wireguard.privateKeyFile = ./wg.key; boot.initrd.luks.devices.root.keyFile = /root/luks.key; }',
      errors: [
        { messageId: 'repoFile', line: 1, column: 39, severity: 'warning' },
        { messageId: 'absoluteFile', line: 1, column: 89, severity: 'warning' },
      ],
    },
    {
      name: 'key material in any string, reported once, also in an option example',
      code: `{\n  environment.etc."ssh/id".text = ''\n    ${pem('OPENSSH ')}\n    ${body}\n    ${pemEnd('OPENSSH ')}\n  '';\n  privateKey = "${pem('')}\\n${body}\\n${pemEnd('')}";\n  o = mkOption { example = { token = "${ghToken}"; }; };\n}`,
      errors: [
        { messageId: 'material', line: 2, column: 35, message: 'a private key', severity: 'error' },
        { messageId: 'material', line: 7, column: 16, message: 'a private key', severity: 'error' },
        { messageId: 'material', line: 8, column: 38, message: 'a GitHub token', severity: 'error' },
      ],
    },
    {
      name: 'tokens with unmistakable prefixes',
      code: `[ "${ghToken}" "token ${tsKey}" "[Interface]\\nPrivateKey = ${wgKey}\\n" "${awsId}" "${ageKey}" ]`,
      errors: [
        { messageId: 'material', line: 1, column: 3, message: 'a GitHub token', severity: 'error' },
        { messageId: 'material', line: 1, column: 46, message: 'a Tailscale auth key', severity: 'error' },
        {
          messageId: 'material',
          line: 1,
          column: 100,
          message: 'a WireGuard private key',
          severity: 'error',
        },
        { messageId: 'material', line: 1, column: 175, message: 'an AWS access key id', severity: 'error' },
        { messageId: 'material', line: 1, column: 198, message: 'an age secret key', severity: 'error' },
      ],
    },
    {
      name: 'private keys in their other forms: a PGP block with headers, a PuTTY file',
      code: `{\n  a = ''\n    ${pem('PGP ').replace('KEY', 'KEY BLOCK')}\n    Version: x 1\n\n    ${body}\n  '';\n  b = ''\n    PuTTY-User-Key-File-3: ssh-ed25519\n    Private-Lines: 1\n    ${body}\n  '';\n}`,
      errors: [
        { messageId: 'material', line: 2, column: 7, message: 'a private key', severity: 'error' },
        { messageId: 'material', line: 8, column: 7, message: 'a PuTTY private key', severity: 'error' },
      ],
    },
    {
      name: 'a WireGuard key in a private or preshared key attribute',
      code: `{ networking.wireguard.interfaces.wg0 = { privateKey = "${wgKey}"; peers = [ { presharedKey = "${wgKey}"; } ]; }; }`,
      errors: [
        { messageId: 'material', line: 1, column: 56, message: 'a WireGuard private key', severity: 'error' },
        {
          messageId: 'material',
          line: 1,
          column: 131,
          message: 'a WireGuard preshared key',
          severity: 'error',
        },
      ],
    },
  ],
});

it('secret-in-store: no message shows the secret', async () => {
  const found = await lintWithRule(
    'secret-in-store',
    rule,
    `{ password = "hunter2"; token = "Zq8rT2mV9"; a = "${ghToken}"; }`,
  );
  expect(found).toHaveLength(3);
  for (const d of found) {
    expect(d.message).not.toContain('hunter2');
    expect(d.message).not.toContain('Zq8rT2mV9');
    expect(d.message).not.toContain(ghToken.slice(4));
  }
});
