// The exporters a run asked for (`--otlp`, `--metrics-port`), started by the
// launcher before the program and closed after it. This file is all that
// loads when no export is asked for; each exporter (and the OpenTelemetry
// packages) is imported only when it is on.
import { ENV } from '../common/types.js';

export interface ExportArgs {
  /** --otlp [URL]: true for the URL from the environment. */
  otlp?: string | true;
  /** --otlp-timeout MS: the final flush's deadline. */
  otlpTimeout?: number;
  metricsPort?: number;
  metricsHost?: string;
}

export interface RunContext {
  outDir: string;
  cwd: string;
  flushMs?: number;
  quiet: boolean;
}

export interface Exporters {
  /** The probed processes must keep individual calls (span files). */
  spans: boolean;
  /** Variables to add to the program's environment. */
  env: Record<string, string>;
  /** After the program ended: final export, bounded by the OTLP deadline. Never throws. */
  close(): Promise<void>;
}

export const DEFAULT_OTLP_TIMEOUT_MS = 2000;
const NONE: Exporters = { spans: false, env: {}, close: async () => {} };

export async function startExporters(args: ExportArgs, run: RunContext): Promise<Exporters> {
  if (args.otlp === undefined && args.metricsPort === undefined) return NONE;
  const closers: Array<() => Promise<void> | void> = [];
  const env: Record<string, string> = {};
  let spans = false;

  if (args.otlp !== undefined) {
    try {
      const { OtlpExport } = await import('./otlp/index.js');
      const otlp = await OtlpExport.start({
        endpoint: args.otlp,
        outDir: run.outDir,
        deadlineMs: args.otlpTimeout ?? DEFAULT_OTLP_TIMEOUT_MS,
        pollMs: run.flushMs || 1000,
        quiet: run.quiet,
        warn,
      });
      closers.push(() => otlp.close());
      spans = true;
      env[ENV.otelContext] = '1';
    } catch (error) {
      warn(`OTLP export is off: ${(error as Error).message}`);
    }
  }

  if (args.metricsPort !== undefined) {
    const host = args.metricsHost ?? '127.0.0.1';
    if (!isLoopback(host)) warn(`--metrics-host ${host} serves the names and timings of the probed functions to the network, to anyone who can reach this machine; 127.0.0.1 keeps them on it`);
    try {
      const { startMetricsServer } = await import('./prometheus.js');
      const server = await startMetricsServer({ port: args.metricsPort, host, outDir: run.outDir, cwd: run.cwd });
      closers.push(() => server.close());
      if (!run.quiet) {
        const { address, port } = server.address;
        process.stderr.write(`tanzhen: metrics at http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics\n`);
      }
    } catch (error) {
      warn(`no metrics endpoint on ${host}:${args.metricsPort}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  return {
    spans,
    env,
    close: async () => {
      for (const close of closers) {
        try {
          await close();
        } catch (error) {
          warn(`exporter: ${(error as Error).message}`);
        }
      }
    },
  };
}

function warn(message: string): void {
  process.stderr.write(`tanzhen: warning: ${message}\n`);
}

/** Only loopback addresses keep the metrics on this machine; 0.0.0.0, :: and any other address or name may not. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(h);
}
