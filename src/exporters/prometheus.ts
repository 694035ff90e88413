// `--metrics-port PORT`: a Prometheus/OpenMetrics endpoint at /metrics for
// the whole run, served by the launcher (never by the probed program), on
// 127.0.0.1 unless `--metrics-host` says otherwise. Each scrape re-reads the
// process reports of the run directory (written by every probed process
// every flush interval) and merges them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProcessReports } from '../common/run-dir/reports.js';
import { mergeReports, OPENMETRICS_TYPE, PROMETHEUS_TYPE, renderMetrics, wantsOpenMetrics } from './metrics-text.js';

export interface MetricsOptions {
  port: number;
  host: string;
  outDir: string;
  cwd: string;
}

export interface MetricsServer {
  address: AddressInfo;
  close(): void;
}

export function startMetricsServer(options: MetricsOptions): Promise<MetricsServer> {
  // Parsed again only when a process wrote a new report: scrapes stay cheap on a big run.
  const reports = new ProcessReports(options.outDir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('tanzhen: metrics are at /metrics\n');
      return;
    }
    try {
      const openMetrics = wantsOpenMetrics(req.headers.accept);
      const body = renderMetrics(mergeReports(reports.read(), options.cwd), openMetrics);
      res.writeHead(200, { 'Content-Type': openMetrics ? OPENMETRICS_TYPE : PROMETHEUS_TYPE, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`tanzhen: ${(error as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus's idle connections are kept
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.unref(); // the run ends when the program does, scraped or not
      resolve({
        address: server.address() as AddressInfo,
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}
