// Offsets in a source text as lines and columns, shared by the rewriter, the
// source-map lookups and the original-name matching.

/** The offset at which each line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line, 0-based column (source-map conventions) of an offset. */
export function lineColumn(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] };
}

/** 1-based line of an offset. */
export function lineFinder(source: string): (offset: number) => number {
  const starts = lineStarts(source);
  return (offset) => lineColumn(starts, offset).line;
}
