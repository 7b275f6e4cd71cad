// Private keys in the encodings the content checks must find, shared by the unit tests of the
// detector and the hook's tests with real pushes. No key here is real: the PuTTY and SSH2
// samples carry the format's framing around made-up bytes.

/** The body of an OpenSSH or PEM key: its base64 lines without the BEGIN and END lines. */
export const keyBody = (pem: string) =>
  pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('\n');

export const PPK_SAMPLE = [
  'PuTTY-User-Key-File-3: ssh-ed25519',
  'Encryption: none',
  'Comment: eddsa-key-20260101',
  'Public-Lines: 2',
  'AAAAC3NzaC1lZDI1NTE5AAAAIHx5bHh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5',
  'bHh5',
  'Private-Lines: 1',
  'AAAAIGh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5bHh5',
  'Private-MAC: 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f',
  '',
].join('\r\n');

export const SSH2_SAMPLE = [
  '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----',
  'Comment: "rsa-key-20260101"',
  'P2/56wAAAi4AAAA3aWYtbW9kbntzaWdue3JzYS1wa2NzMS1zaGExfSxlbmNyeXB0e3JzYS',
  '---- END SSH2 ENCRYPTED PRIVATE KEY ----',
  '',
].join('\n');
