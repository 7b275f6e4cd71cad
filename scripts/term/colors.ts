// Whether to color terminal output, and a painter that is a no-op when not. One decision for
// every command so `--color`, `--no-color`, NO_COLOR and FORCE_COLOR mean the same everywhere.

export interface ColorInputs {
  /** `--color` (true) or `--no-color` (false); undefined when neither was given. */
  flag: boolean | undefined;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

/**
 * Flags win; then FORCE_COLOR (any value but "0" or "false" forces color on, those force it
 * off), then NO_COLOR (any non-empty value, per no-color.org), then whether stdout is a
 * terminal. FORCE_COLOR beats NO_COLOR as in Node itself, and TERM=dumb means no color.
 */
export function shouldColor({ flag, env, isTTY }: ColorInputs): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

export type Style = keyof typeof CODES;
export type Paint = (style: Style, text: string) => string;

export function painter(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => {
    const [open, close] = CODES[style];
    return `\x1b[${open}m${text}\x1b[${close}m`;
  };
}

/**
 * Source text made safe to print: control characters (an escape sequence hidden in a
 * comment could rewrite the terminal) become U+FFFD; tabs become one space so columns hold.
 */
export function printable(text: string): string {
  return text.replace(/\t/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '\uFFFD');
}
