// Source maps for instrumented modules. Our edits never add lines, but they
// shift columns; a map keeps stack traces exact when source maps are on.
// When a loader (tsx, esbuild, swc) already mapped its output back to
// TypeScript, our map is composed onto theirs so traces still reach the .ts.
import { createRequire } from 'node:module';
import type MagicString from 'magic-string';
import { lineFinder } from './lines.js';

const require = createRequire(import.meta.url);
const INLINE_MAP = /\/\/[#@] sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)[ \t]*$/gm;
const ANY_MAP = /^[ \t]*\/\/[#@] sourceMappingURL=/m;

export interface RawMap {
  version: number;
  sources: string[];
  mappings: string;
  [key: string]: unknown;
}

export function readInlineMap(source: string): RawMap | undefined {
  let last: RegExpExecArray | null = null;
  for (let m = INLINE_MAP.exec(source); m; m = INLINE_MAP.exec(source)) last = m;
  INLINE_MAP.lastIndex = 0;
  if (!last) return undefined;
  try {
    return JSON.parse(Buffer.from(last[1], 'base64').toString('utf8')) as RawMap;
  } catch {
    return undefined;
  }
}

type TraceMapping = typeof import('@jridgewell/trace-mapping');
const traces = new WeakMap<RawMap, InstanceType<TraceMapping['TraceMap']>>();

/** The map decoded once per module (names and lines both read it). */
export function traceOf(map: RawMap): {
  trace: InstanceType<TraceMapping['TraceMap']>;
  originalPositionFor: TraceMapping['originalPositionFor'];
  traceSegment: TraceMapping['traceSegment'];
} {
  const { TraceMap, originalPositionFor, traceSegment } = require('@jridgewell/trace-mapping') as TraceMapping;
  let trace = traces.get(map);
  if (!trace) traces.set(map, (trace = new TraceMap(map as any)));
  return { trace, originalPositionFor, traceSegment };
}

/** Line numbers as the user wrote them, through the loader's map. */
export function originalLineFinder(source: string, map: RawMap): (offset: number) => number {
  const { trace, originalPositionFor } = traceOf(map);
  const generatedLine = lineFinder(source);
  return (offset) => {
    const line = generatedLine(offset);
    const column = offset - source.lastIndexOf('\n', offset - 1) - 1;
    return originalPositionFor(trace, { line, column }).line ?? line;
  };
}

export function withSourceMap(s: MagicString, source: string, filename: string, inputMap: RawMap | undefined): string {
  if (inputMap) {
    const remapping = require('@jridgewell/remapping') as typeof import('@jridgewell/remapping');
    const ours = s.generateMap({ source: filename, hires: true, includeContent: false });
    const remap = ((remapping as any).default ?? remapping) as typeof remapping.default;
    // The loader's map usually names the same file as its source: hand it over once, or remapping recurses forever.
    let handed = false;
    const composed = remap(ours as any, (file: string) => {
      if (handed || file !== filename) return null;
      handed = true;
      return inputMap as any;
    });
    const code = s.toString().replace(INLINE_MAP, '');
    INLINE_MAP.lastIndex = 0;
    return `${code}\n${dataUrlComment(composed.toString())}`;
  }
  // A map in a separate file stays as it is: lines are unchanged, columns off by our edits on a few lines.
  if (ANY_MAP.test(source)) return s.toString();
  const map = s.generateMap({ source: filename, hires: true, includeContent: false });
  return `${s.toString()}${dataUrlComment(map.toString())}`;
}

function dataUrlComment(json: string): string {
  return `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(json).toString('base64')}\n`;
}
