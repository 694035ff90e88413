// OTLP trace export, in the launcher (never in the probed program): follows
// the run directory every flush interval, turns span records into spans in
// batches and hands them to the official OpenTelemetry OTLP/HTTP exporter
// (which serializes them, and retries with backoff on 429/502/503/504 and
// network errors). A collector that is down, slow or refusing costs the
// program nothing: at most MAX_QUEUE spans wait in memory (when the queue is
// full the launcher simply stops reading the span files, which are already
// on disk), a batch that cannot be delivered is dropped and counted, and at
// the end the final flush gets `deadlineMs`, after which whatever is left is
// counted as dropped and the launcher exits all the same.
import { writeStderr } from '../../common/stderr.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Resource } from '@opentelemetry/resources';
import type { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resolveProtocol, resolveUrl } from './config.js';
import { processAttributes, toReadableSpan, type ReadableSpan, type Scope } from './convert.js';
import { IdSpace } from './ids.js';
import { RunTail, type Source } from './tail.js';
import { TraceResolver, type ResolvedSpan } from './traces.js';

export interface OtlpOptions {
  /** --otlp URL, or true for the URL from the environment. */
  endpoint: string | true;
  outDir: string;
  /** Budget of the final flush after the program ended. */
  deadlineMs: number;
  /** How often to look for new spans while the program runs. */
  pollMs: number;
  quiet: boolean;
  warn: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

const MAX_QUEUE = 20_000;
const BATCH = 1024;
const MAX_IN_FLIGHT = 2;
const MAX_WAIT_MS = 30_000;

interface PerSource {
  ids: IdSpace;
  resolver: TraceResolver;
  resource: Resource;
}

export class OtlpExport {
  readonly url: string;
  private readonly tail: RunTail;
  private readonly salt = randomBytes(8).toString('hex');
  private readonly perSource = new Map<Source, PerSource>();
  private queue: ResolvedSpan[] = [];
  private head = 0; // queue[head..] waits to be sent
  private inFlight = 0;
  private inFlightSpans = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private progressed?: () => void;
  private firstError?: string;
  sent = 0;
  failed = 0;
  unsampled = 0;

  private constructor(
    private readonly options: OtlpOptions,
    private readonly exporter: OTLPTraceExporter,
    url: string,
    private readonly makeResource: (attributes: Record<string, string | number>) => Resource,
    private readonly envAttributes: Record<string, unknown>,
    private readonly scope: Scope,
  ) {
    this.url = url;
    this.tail = new RunTail(options.outDir);
  }

  static async start(options: OtlpOptions): Promise<OtlpExport> {
    const env = options.env ?? process.env;
    const url = resolveUrl(options.endpoint, env, options.warn);
    const protocol = resolveProtocol(env, options.warn);
    const [{ OTLPTraceExporter }, resources] = await Promise.all([
      protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
      import('@opentelemetry/resources'),
    ]);
    const exporter = new OTLPTraceExporter({ url }) as OTLPTraceExporter;
    const scope = { name: 'tanzhen', version: packageVersion() };
    const fromEnv = resources.envDetector.detect().attributes ?? {};
    const otlp = new OtlpExport(options, exporter, url, resources.resourceFromAttributes, fromEnv, scope);
    otlp.timer = setInterval(() => otlp.poll(), Math.max(50, options.pollMs));
    otlp.timer.unref();
    return otlp;
  }

  /** Every flush interval: new processes and new functions, then as many new spans as the queue has room for. */
  poll(): void {
    if (this.stopped) return;
    try {
      this.tail.refresh();
    } catch (error) {
      this.noteError(`reading reports: ${(error as Error).message}`);
    }
    this.fill();
    this.pump();
  }

  /** Reads span records until the queue holds MAX_QUEUE spans (the rest stays on disk for later). */
  private fill(): void {
    try {
      const resolved: ResolvedSpan[] = [];
      const now = Date.now();
      for (const source of this.tail.sources.values()) {
        const room = MAX_QUEUE - this.queued() - resolved.length;
        if (room <= 0) break;
        this.sourceState(source).resolver.add(this.tail.take(source, room), now, resolved);
      }
      this.enqueue(resolved);
    } catch (error) {
      this.noteError(`reading spans: ${(error as Error).message}`);
    }
  }

  private enqueue(resolved: ResolvedSpan[]): void {
    for (const span of resolved) {
      if (span.sampled) this.queue.push(span);
      else this.unsampled++;
    }
  }

  /**
   * After the program ended: read and send what is left, in the same bounded
   * steps, until everything is sent or the deadline passes; whatever is left
   * then (queued, in flight, or not even read) is counted as dropped.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + this.options.deadlineMs;
    this.tail.refresh();
    let released = false;
    let done = false;
    while (Date.now() < deadline) {
      const unread = this.tail.unread();
      this.fill();
      // A span file shorter than its report says (a process killed mid-write) would never be read to the end.
      const stuck = this.tail.unread() === unread && this.inFlight === 0 && this.queued() === 0;
      if (!released && (this.tail.unread() === 0 || stuck)) {
        // Everything is read: stop waiting for parents that will never come (still open at exit, or dropped).
        const resolved: ResolvedSpan[] = [];
        for (const per of this.perSource.values()) per.resolver.flush(resolved);
        this.enqueue(resolved);
        released = true;
      }
      this.pump();
      if (released && this.drained()) {
        done = this.tail.unread() === 0;
        break;
      }
      if (!(await this.progress(deadline))) break;
    }
    const left = this.queued() + this.inFlightSpans + this.pending() + this.tail.unread();
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    const dropped = this.failed + left;
    if (dropped > 0) {
      const why = done ? '' : ` within the ${this.options.deadlineMs} ms deadline (--otlp-timeout)`;
      this.options.warn(`OTLP: ${dropped} of ${this.sent + dropped} spans not delivered to ${this.url}${why}${this.firstError ? `: ${this.firstError}` : ''}`);
    } else if (!this.options.quiet) {
      writeStderr(`tanzhen: OTLP: ${this.sent} span${this.sent === 1 ? '' : 's'} sent to ${this.url}\n`);
    }
    // A hung request or a retry timer of the exporter must not keep the launcher alive past the deadline:
    // once the launcher has set its exit code (the program's, see exitLike), it exits. Unref'd, so this
    // only ever fires while those keep the process alive.
    if (!done) setInterval(() => process.exitCode !== undefined && process.exit(), 20).unref();
    else void this.exporter.shutdown().catch(() => {});
  }

  private sourceState(source: Source): PerSource {
    let per = this.perSource.get(source);
    if (!per) {
      const ids = new IdSpace(this.salt, source.report.pid, source.report.threadId);
      const resource = this.makeResource(processAttributes(source.report, this.envAttributes, undefined));
      // Spans waiting for their parent are bounded too: past MAX_QUEUE of them, the oldest stop waiting.
      per = { ids, resource, resolver: new TraceResolver(source, ids, { maxWaitMs: MAX_WAIT_MS, maxPending: MAX_QUEUE }) };
      this.perSource.set(source, per);
    }
    return per;
  }

  private pending(): number {
    let n = 0;
    for (const per of this.perSource.values()) n += per.resolver.pendingCount;
    return n;
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < MAX_IN_FLIGHT && this.queued() > 0) {
      const batch = this.queue.slice(this.head, this.head + BATCH);
      this.head += batch.length;
      if (this.head === this.queue.length || this.head > 65_536) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      let spans: ReadableSpan[];
      try {
        spans = batch.map((s) => {
          const per = this.perSource.get(s.source)!;
          return toReadableSpan(s, per.ids, per.resource, this.scope);
        });
      } catch (error) {
        this.failed += batch.length;
        this.noteError(`converting spans: ${(error as Error).message}`);
        continue;
      }
      this.inFlight++;
      this.inFlightSpans += batch.length;
      this.exporter.export(spans, (result) => {
        this.inFlight--;
        this.inFlightSpans -= batch.length;
        if (this.stopped) return;
        if (result.code === 0) this.sent += batch.length;
        else {
          this.failed += batch.length;
          this.noteError(describe(result.error));
        }
        if (this.queued() < BATCH * MAX_IN_FLIGHT) this.fill(); // keep up with a fast producer between polls
        this.pump();
        this.progressed?.();
      });
    }
  }

  private queued(): number {
    return this.queue.length - this.head;
  }

  private drained(): boolean {
    return this.queued() === 0 && this.inFlight === 0;
  }

  /** Resolves true when an export finishes, false at the deadline. */
  private progress(deadline: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(Date.now() < deadline); // nothing to wait for: read on
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.progressed = undefined;
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      this.progressed = () => {
        clearTimeout(timer);
        this.progressed = undefined;
        resolve(true);
      };
    });
  }

  /** The first problem is reported at once (then once more, counted, at the end). */
  private noteError(message: string): void {
    if (this.firstError !== undefined) return;
    this.firstError = message;
    this.options.warn(`OTLP export to ${this.url} failed: ${message}; spans are dropped while it fails`);
  }
}

function describe(error: Error | undefined): string {
  if (!error) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const status = typeof code === 'number' ? `HTTP ${code}` : typeof code === 'string' ? code : '';
  const message = error.message || '';
  return [status, message].filter(Boolean).join(' ') || error.name;
}

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return '';
  }
}
