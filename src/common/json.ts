// JSON.stringify without recursion and without one giant string. A call tree
// nests as deep as the program's calls did (a recursion 100 000 deep), far
// past the stack JSON.stringify uses, and a big run's text can pass V8's
// string limit (~512 MB). For plain data (no toJSON, no replacer) the text is
// JSON.stringify(value, null, indent)'s, except that nesting deeper than
// `indentLevels` is written compactly: indenting it would make the text grow
// with the square of the depth. With `inlineNumbers`, an array of numbers only
// (a histogram's [bucket, count] pair) is written on one line.

interface Frame {
  value: unknown[] | Record<string, unknown>;
  /** An object's keys with a value JSON keeps; undefined for an array. */
  keys: string[] | undefined;
  next: number;
  depth: number;
}

export function stringifyJson(value: unknown, indent = 0, indentLevels = 64, inlineNumbers = false): string {
  const chunks: string[] = [];
  writeJson((chunk) => chunks.push(chunk), value, indent, indentLevels, inlineNumbers);
  return chunks.join('');
}

/** Chunks of at least this many characters go to `write` (the last may be shorter). */
const CHUNK = 1 << 16;

/** Hands `value`'s JSON text to `write` in chunks, as stringifyJson would give it. */
export function writeJson(sink: (chunk: string) => void, value: unknown, indent = 0, indentLevels = 64, inlineNumbers = false): void {
  let parts: string[] = [];
  let pending = 0;
  const push = (part: string) => {
    parts.push(part);
    pending += part.length;
    if (pending >= CHUNK) {
      sink(parts.join(''));
      parts = [];
      pending = 0;
    }
  };
  const stack: Frame[] = [];
  const gap = ' '.repeat(Math.min(10, indent));
  const colon = gap === '' ? ':' : ': ';
  /** The line break before an item (or the closing bracket) of a container at `depth`. */
  const lineBreak = (depth: number, closing: boolean) =>
    gap === '' || depth + 1 > indentLevels ? '' : '\n' + gap.repeat(closing ? depth : depth + 1);

  const visit = (item: unknown, depth: number) => {
    if (Array.isArray(item)) {
      if (item.length === 0) push('[]');
      else if (inlineNumbers && gap !== '' && item.every((x) => typeof x === 'number')) push(JSON.stringify(item));
      else {
        push('[');
        stack.push({ value: item, keys: undefined, next: 0, depth });
      }
    } else if (typeof item === 'object' && item !== null) {
      const object = item as Record<string, unknown>;
      const keys = Object.keys(object).filter((key) => kept(object[key]));
      if (keys.length === 0) push('{}');
      else {
        push('{');
        stack.push({ value: object, keys, next: 0, depth });
      }
    } else push(kept(item) ? JSON.stringify(item) : 'null'); // an array's undefined or function: null
  };

  visit(value, 0);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const length = frame.keys ? frame.keys.length : (frame.value as unknown[]).length;
    if (frame.next === length) {
      stack.pop();
      push(lineBreak(frame.depth, true) + (frame.keys ? '}' : ']'));
      continue;
    }
    const i = frame.next++;
    push((i > 0 ? ',' : '') + lineBreak(frame.depth, false));
    if (frame.keys) {
      const key = frame.keys[i];
      push(JSON.stringify(key) + colon);
      visit((frame.value as Record<string, unknown>)[key], frame.depth + 1);
    } else visit((frame.value as unknown[])[i], frame.depth + 1);
  }
  if (parts.length > 0) sink(parts.join(''));
}

/** Whether JSON keeps this value (as an object property). */
function kept(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
