/**
 * Where one container's output goes: its log file (both streams, as they arrive, like
 * `kubectl logs`), live lines to the sink, and — for the main container — the tail of stdout
 * that becomes `outputs.result`.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Argo keeps the last 256 KiB of stdout as the result. */
export const RESULT_LIMIT = 256 * 1024;

/** A longer run of output without a newline is passed on in pieces of this size. */
const MAX_LINE = 64 * 1024;

export type Stream = 'stdout' | 'stderr';

export interface ContainerOutputOptions {
  /** Created on the first byte of output, so a silent container costs no file. */
  logPath: string;
  capture: boolean;
  onLine?: (stream: Stream, text: string) => void;
}

class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly emit: (text: string) => void) {}

  push(chunk: Buffer): void {
    const lines = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.emit(line.endsWith('\r') ? line.slice(0, -1) : line);
    // Output that never ends a line must not grow without bound.
    while (this.partial.length >= MAX_LINE) {
      this.emit(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  flush(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') this.emit(rest);
  }
}

export class ContainerOutput {
  private fd: number | undefined;
  private logFailed = false;
  private readonly captured: Buffer[] = [];
  private capturedBytes = 0;
  private stderrHead = '';
  private readonly splitters: Partial<Record<Stream, LineSplitter>> = {};

  constructor(private readonly options: ContainerOutputOptions) {
    const onLine = options.onLine;
    if (onLine) {
      this.splitters.stdout = new LineSplitter((text) => onLine('stdout', text));
      this.splitters.stderr = new LineSplitter((text) => onLine('stderr', text));
    }
  }

  write(stream: Stream, chunk: Buffer): void {
    this.writeLog(chunk);
    this.splitters[stream]?.push(chunk);
    if (stream === 'stderr') {
      if (this.stderrHead.length < 1024) this.stderrHead += chunk.toString('utf8', 0, 1024);
    } else if (this.options.capture) {
      this.captured.push(chunk);
      this.capturedBytes += chunk.length;
      while (this.captured.length > 1 && this.capturedBytes - this.captured[0].length >= RESULT_LIMIT) {
        this.capturedBytes -= this.captured.shift()!.length;
      }
    }
  }

  /** A line from the executor itself (not the process), logged as stderr. */
  note(text: string): void {
    this.writeLog(Buffer.from(`${text}\n`));
    this.options.onLine?.('stderr', text);
  }

  /** The first stderr bytes, where bwrap reports set-up failures. */
  get firstStderr(): string {
    return this.stderrHead;
  }

  /** Flush partial lines and close the log file. */
  finish(): void {
    this.splitters.stdout?.flush();
    this.splitters.stderr?.flush();
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Captured stdout: the last 256 KiB, one trailing newline removed. */
  result(): string {
    let all = Buffer.concat(this.captured);
    if (all.length > RESULT_LIMIT) all = all.subarray(all.length - RESULT_LIMIT);
    const text = all.toString('utf8');
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  }

  private writeLog(chunk: Buffer): void {
    if (this.logFailed) return;
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.options.logPath), { recursive: true });
        this.fd = openSync(this.options.logPath, 'a');
      }
      writeSync(this.fd, chunk);
    } catch {
      // A full or broken disk must not take the executor down; the live lines still flow.
      this.logFailed = true;
    }
  }
}
