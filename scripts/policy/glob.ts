// Small glob matcher for ref and path patterns: `**` crosses `/`, `*` and `?` do not.
// Ours rather than a dependency because the hook must start fast and the dialect is tiny.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string, flags = ''): RegExp {
  const key = `${flags}\0${glob}`;
  let re = cache.get(key);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // `**/` also matches nothing, so `**/.env` matches `.env` at the root.
        if (glob[i + 1] === '/') {
          i++;
          src += '(?:.*/)?';
        } else src += '.*';
      } else src += '[^/]*';
    } else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`, flags);
  cache.set(key, re);
  return re;
}

export function matchesGlob(name: string, glob: string, opts: { ignoreCase?: boolean } = {}): boolean {
  return globToRegExp(glob, opts.ignoreCase ? 'i' : '').test(name);
}
