/** A bare node:http server answering `GET /metrics` (the worker has no HTTP API of its own). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SlipwayMetrics } from './metrics.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** `GET /metrics`, `/healthz` (the process answers) and `/readyz` (`ready` resolves within 2 s). */
export async function startMetricsServer(metrics: SlipwayMetrics, port: number, host = '0.0.0.0', ready: () => Promise<unknown> = () => Promise.resolve()): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      metrics.scrape().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${err.message}\n`);
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 2000 ms')), 2000);
      });
      Promise.race([ready(), timeout])
        .then(
          () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"status":"ok"}');
          },
          (err: Error) => {
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ status: 'unavailable', message: err.message }));
          },
        )
        .finally(() => clearTimeout(timer));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
