/** Where a command writes; tests pass their own. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  stderrStream: NodeJS.WriteStream;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrStream: process.stderr,
};
