// A small glob matcher over the file system (Node 20 has no fs.glob): `*` and `?` within one
// path segment, `**` as a whole segment for any number of directories (none included). Names
// starting with a dot are matched only by a pattern segment that starts with a dot. No braces,
// no character classes: `[`, `]`, `{`, `}` are literal. The result is every regular file that
// matches (symlinks followed), sorted by path.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a pattern has a wildcard (`*` or `?`) and is therefore expanded. */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** One pattern segment as a regular expression over a single name. */
function segmentRegex(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function entries(dir: string): { name: string; isDir: boolean; isFile: boolean }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { name: string; isDir: boolean; isFile: boolean }[] = [];
  for (const name of names) {
    try {
      const st = statSync(join(dir, name));
      out.push({ name, isDir: st.isDirectory(), isFile: st.isFile() });
    } catch {
      // A dangling symlink or a file gone meanwhile: not a match.
    }
  }
  return out;
}

/** The files matching `pattern` (relative to the working directory, or absolute), sorted. */
export function globFiles(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0).filter((s) => s !== '');
  // The literal directories before the first wildcard segment are where the walk starts.
  let k = 0;
  while (k < segments.length - 1 && !isGlob(segments[k]!)) k++;
  const base = (absolute ? '/' : '') + segments.slice(0, k).join('/');
  const found = new Set<string>();
  const hidden = (name: string, seg: string): boolean => name.startsWith('.') && !seg.startsWith('.');
  const walk = (dir: string, i: number): void => {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    const at = (name: string): string => (dir === '' ? name : dir === '/' ? `/${name}` : `${dir}/${name}`);
    if (seg === '**') {
      // Zero directories, then one more level at a time.
      if (last) {
        for (const e of entries(dir === '' ? '.' : dir)) if (!e.name.startsWith('.')) {
          if (e.isFile) found.add(at(e.name));
          else if (e.isDir) walk(at(e.name), i);
        }
        return;
      }
      walk(dir, i + 1);
      for (const e of entries(dir === '' ? '.' : dir)) if (e.isDir && !e.name.startsWith('.')) walk(at(e.name), i);
      return;
    }
    if (!isGlob(seg)) {
      const p = at(seg);
      try {
        const st = statSync(p);
        if (last ? st.isFile() : st.isDirectory()) {
          if (last) found.add(p);
          else walk(p, i + 1);
        }
      } catch {
        // not there
      }
      return;
    }
    const re = segmentRegex(seg);
    for (const e of entries(dir === '' ? '.' : dir)) {
      if (!re.test(e.name) || hidden(e.name, seg)) continue;
      if (last && e.isFile) found.add(at(e.name));
      else if (!last && e.isDir) walk(at(e.name), i + 1);
    }
  };
  if (segments.length > 0) walk(base, k);
  return [...found].sort(byPath);
}

/** Plain code-unit order (the same on every machine and locale). */
export function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
