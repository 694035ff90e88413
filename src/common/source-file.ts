// Which file a file target names: the path itself, the path with a source
// extension added (extensions are optional in targets), or its directory's index.
import { statSync } from 'node:fs';
import path from 'node:path';

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx'];

export function findSourceFile(base: string): string | undefined {
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => path.join(base, 'index' + ext))];
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not there: try the next form
    }
  }
  return undefined;
}
