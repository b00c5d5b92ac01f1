/** Bench child processes: fork one and wait for its `ready` message. */
import { fork } from 'node:child_process';

/** Fork a bench child; `ready` resolves with its first IPC message, `{ type: 'ready', … }`. */
export function startChild(entry, env, { execArgv = [], label, args = [] }) {
  const child = fork(entry, args, { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 60 s`)), 60_000);
    child.once('message', (msg) => {
      clearTimeout(timer);
      if (msg?.type === 'ready') resolve(msg);
      else reject(new Error(`${label}: unexpected first message ${JSON.stringify(msg)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${signal ?? code}) before it was ready`));
    });
  });
  return { child, ready };
}
