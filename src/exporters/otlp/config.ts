// Where and how to send traces, from `--otlp [URL]` and OpenTelemetry's
// standard variables (the exporter itself reads the headers, the timeout
// per request and the TLS files from them):
//   URL: --otlp URL > OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is)
//        > OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces > http://localhost:4318/v1/traces
//   protocol: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL > OTEL_EXPORTER_OTLP_PROTOCOL > http/protobuf
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export const DEFAULT_ENDPOINT = 'http://localhost:4318';
const TRACES_PATH = 'v1/traces';

/** `--otlp URL` is a base URL like OTEL_EXPORTER_OTLP_ENDPOINT; a URL already ending in /v1/traces is kept as is. */
export function tracesUrl(base: string): string {
  const url = new URL(base);
  if (url.pathname.replace(/\/+$/, '').endsWith('/' + TRACES_PATH)) return url.href;
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += TRACES_PATH;
  return url.href;
}

export function resolveUrl(arg: string | true, env: NodeJS.ProcessEnv, warn: (message: string) => void): string {
  if (typeof arg === 'string') return tracesUrl(arg);
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) {
    try {
      return new URL(specific).href;
    } catch {
      warn(`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${specific} is not a URL; ignored`);
    }
  }
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) {
    try {
      return tracesUrl(base);
    } catch {
      warn(`OTEL_EXPORTER_OTLP_ENDPOINT=${base} is not a URL; ignored`);
    }
  }
  return tracesUrl(DEFAULT_ENDPOINT);
}

export function resolveProtocol(env: NodeJS.ProcessEnv, warn: (message: string) => void): OtlpProtocol {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = env[name]?.trim();
  if (!value || value === 'http/protobuf') return 'http/protobuf';
  if (value === 'http/json') return 'http/json';
  warn(`${name}=${value} is not supported (http/protobuf or http/json); sending http/protobuf`);
  return 'http/protobuf';
}
