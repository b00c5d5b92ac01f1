/**
 * `slipway-image build …`: an OCI image layout tarball from a Dockerfile subset, without a
 * Docker daemon. Prints the manifest digest on stdout; exit 0 built, 1 failed, 2 bad usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage } from '../oci/build-image.js';
import type { CliIo } from './gitops-cli.js';

export const IMAGE_USAGE = `usage: slipway-image build [--context DIR] [--file Dockerfile] [--tag REFERENCE]
         --output image.oci.tar [--layout-dir DIR] [--digest-file PATH] [--platform linux/amd64]
  Builds an OCI image layout (one layer per COPY; FROM is recorded, not pulled) and writes it
  as a tar archive. Supported: FROM COPY ENTRYPOINT CMD ENV WORKDIR LABEL EXPOSE USER.
  Deterministic: the same files give the same digest ($SOURCE_DATE_EPOCH sets the timestamps).
`;

export function imageMain(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(IMAGE_USAGE);
    return 0;
  }
  if (command !== 'build') {
    io.stderr(`slipway-image: unknown command "${command ?? ''}"\n${IMAGE_USAGE}`);
    return 2;
  }
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      options: {
        context: { type: 'string', default: '.' },
        file: { type: 'string', default: 'Dockerfile' },
        tag: { type: 'string' },
        output: { type: 'string' },
        'layout-dir': { type: 'string' },
        'digest-file': { type: 'string' },
        platform: { type: 'string', default: 'linux/amd64' },
      },
    }).values;
  } catch (error) {
    io.stderr(`slipway-image: ${(error as Error).message}\n${IMAGE_USAGE}`);
    return 2;
  }
  const [os, architecture] = (values.platform ?? '').split('/');
  if (values.output === undefined && values['layout-dir'] === undefined) {
    io.stderr(`slipway-image: give --output or --layout-dir\n${IMAGE_USAGE}`);
    return 2;
  }
  if (!os || !architecture) {
    io.stderr(`slipway-image: --platform must be OS/ARCH, e.g. linux/amd64\n`);
    return 2;
  }
  const epoch = io.env.SOURCE_DATE_EPOCH === undefined ? 0 : Number.parseInt(io.env.SOURCE_DATE_EPOCH, 10);
  try {
    const image = buildImage({ context: values.context!, dockerfileName: values.file, reference: values.tag, platform: { os, architecture }, epoch });
    if (values.output !== undefined) {
      mkdirSync(dirname(values.output), { recursive: true });
      writeFileSync(values.output, image.archive);
    }
    const layoutDir = values['layout-dir'];
    if (layoutDir !== undefined) {
      for (const f of image.files) {
        if (f.type === 'dir') mkdirSync(join(layoutDir, f.path), { recursive: true });
        else writeFileSync(join(layoutDir, f.path), f.content!);
      }
    }
    if (values['digest-file'] !== undefined) writeFileSync(values['digest-file'], image.digest);
    const size = image.layers.reduce((n, l) => n + l.content.length, 0);
    io.stderr(`built ${values.tag ?? 'image'}: ${image.layers.length} layer(s), ${size} bytes compressed\n`);
    io.stdout(`${image.digest}\n`);
    return 0;
  } catch (error) {
    io.stderr(`slipway-image: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
