/**
 * An open-loop HTTP load generator: requests are sent on a fixed schedule (`rate` per second,
 * evenly spaced), whatever the server's latency, over at most `connections` keep-alive sockets.
 * Latency counts from each request's scheduled send time, so stalls of the server (or of this
 * process) are not hidden by sending less (no coordinated omission).
 *
 * Why next to autocannon: autocannon's `overallRate`/`-R` gives every connection a quota per
 * 1-second window that it spends back to back at the window's start, so "paced at 1,000/s" over
 * 50 connections is a 1,000-request burst at full speed each second, and its p99 is the latency of
 * that burst, not of an even 1,000/s.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export async function openLoop(url, { rate, durationS, connections = 50, method = 'POST', headers = () => ({}), body = '', onResponse }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const total = Math.round(rate * durationS);
  const start = performance.now();
  await new Promise((resolve) => {
    let done = 0;
    const finish = () => {
      if (++done === total) resolve();
    };
    const send = (scheduledAt) => {
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, method, agent, headers: { 'content-length': Buffer.byteLength(body), ...headers() } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          latencies.push(performance.now() - scheduledAt);
          if (res.statusCode >= 200 && res.statusCode < 300) ok++;
          else non2xx++;
          onResponse?.(res.statusCode, Buffer.concat(chunks).toString('utf8'));
          finish();
        });
      });
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) send(start + (sent++ * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    durationS: elapsedS,
    requests: sent,
    ok,
    non2xx,
    errors,
    timeouts: 0,
    deliveriesPerS: ok / elapsedS,
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies.at(-1) ?? NaN, mean: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1) },
  };
}
