import { describe, expect, it } from 'vitest';
import { formatNixError, parseNixError } from '../../../../scripts/nixos/options-index/nix-error.js';

const STORE = '/nix/store/v1g4j8d19x90cizg9zhnf3l6zamm8kxa-source';
const ours = (rel: string) => rel === 'host.nix' || rel === 'flake.nix';

describe('parseNixError', () => {
  it('Nix 2.8: the error line, then the position in the flake', () => {
    const stderr = `error: undefined variable 'undefinedThing'\n\n       at ${STORE}/host.nix:3:9:\n\n            2|   options = {\n            3|     x = undefinedThing;\n             |         ^\n(use '--show-trace' to show detailed location information)\n`;
    const info = parseNixError(stderr, ours);
    expect(info).toEqual({
      message: "undefined variable 'undefinedThing'",
      file: 'host.nix',
      line: 3,
      column: 9,
    });
    expect(formatNixError(info)).toBe("host.nix:3:9: undefined variable 'undefinedThing'");
  });
  it('newer Nix: a trace first, the cause last', () => {
    const stderr = [
      'error:',
      "       … while evaluating the attribute 'options'",
      `         at ${STORE}/flake.nix:7:9:`,
      '',
      "       error: attribute 'missing' missing",
      `       at ${STORE}/host.nix:12:5:`,
    ].join('\n');
    expect(parseNixError(stderr, ours)).toEqual({
      message: "attribute 'missing' missing",
      file: 'host.nix',
      line: 12,
      column: 5,
    });
  });
  it('keeps store paths that are not the flake (an input such as nixpkgs)', () => {
    const stderr = `error: boom\n       at ${STORE}/lib/modules.nix:1:2:`;
    expect(parseNixError(stderr, ours).file).toBe(`${STORE}/lib/modules.nix`);
  });
  it('no position: the message alone; no error line: the first line', () => {
    expect(
      parseNixError("error: flake 'path:/x' does not provide attribute 'nixosConfigurations'\n", ours),
    ).toEqual({
      message: "flake 'path:/x' does not provide attribute 'nixosConfigurations'",
    });
    expect(parseNixError('\nsomething odd\n', ours)).toEqual({ message: 'something odd' });
    expect(parseNixError('', ours).message).toBe('nix failed without a message');
  });
  it('positions in the --apply text («string») are not files', () => {
    const stderr = "error: attribute 'b' missing\n\n       at «string»:1:23:\n";
    expect(parseNixError(stderr, ours)).toEqual({ message: "attribute 'b' missing" });
  });
});
