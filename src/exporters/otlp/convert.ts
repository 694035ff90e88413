// Our records → the span objects the official OTLP exporters serialize
// (the SDK's ReadableSpan shape), in batches, off the program's hot path.
// Attribute names follow OpenTelemetry's semantic conventions (code.*,
// process.*, service.name).
import type { Resource } from '@opentelemetry/resources';
import type { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ProcessReport } from '../../common/types.js';
import type { IdSpace } from './ids.js';
import type { ResolvedSpan } from './traces.js';

export type ReadableSpan = Parameters<OTLPTraceExporter['export']>[0][number];
type HrTime = [number, number];

const SPAN_KIND_INTERNAL = 0;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
const SAMPLED = 1;
const ERROR_MESSAGE = 'threw or rejected';

export interface Scope {
  name: string;
  version: string;
}

/** The resource attributes of one probed process, over those from the environment. */
export function processAttributes(report: ProcessReport, fromEnv: Record<string, unknown>, serviceName: string | undefined): Record<string, string | number> {
  const runtime = report.runtime === 'node' ? 'nodejs' : report.runtime;
  const attributes: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(fromEnv)) if (typeof value === 'string' || typeof value === 'number') attributes[key] = value;
  attributes['service.name'] = serviceName ?? (attributes['service.name'] as string | undefined) ?? `unknown_service:${report.runtime}`;
  attributes['process.pid'] = report.pid;
  attributes['process.runtime.name'] = runtime;
  attributes['process.runtime.version'] = report.runtimeVersion.replace(/^v/, '');
  return attributes;
}

export function toReadableSpan(span: ResolvedSpan, ids: IdSpace, resource: Resource, scope: Scope): ReadableSpan {
  const { record, source } = span;
  const f = source.report.functions[record.fn];
  const spanId = ids.spanId(record.id);
  const context = { traceId: span.traceId, spanId, traceFlags: SAMPLED };
  const startTime = hrTime(record.startEpochMs);
  const endTime = hrTime(record.startEpochMs + record.durationMs);
  const attributes: Record<string, string | number> = { 'code.function.name': f.name, 'code.file.path': f.file };
  if (f.line !== undefined) attributes['code.line.number'] = f.line;
  if (source.report.threadId) attributes['thread.id'] = source.report.threadId;
  return {
    name: f.name,
    kind: SPAN_KIND_INTERNAL,
    spanContext: () => context,
    parentSpanContext: span.parentSpanId ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: SAMPLED } : undefined,
    startTime,
    endTime,
    duration: hrTime(record.durationMs),
    ended: true,
    status: record.error ? { code: STATUS_ERROR, message: ERROR_MESSAGE } : { code: STATUS_UNSET },
    attributes,
    links: [],
    // tanzhen records no values, so the exception is known only by its having happened.
    events: record.error ? [{ name: 'exception', time: endTime, attributes: { 'exception.message': ERROR_MESSAGE } }] : [],
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as ReadableSpan;
}

/** Milliseconds → [seconds, nanoseconds]. */
function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) return [seconds + 1, nanos - 1e9];
  if (nanos < 0) nanos = 0;
  return [seconds, nanos];
}
