import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { BASE_NAME_ANNOTATION, buildImage, MEDIA } from './build-image.js';
import { parseDockerfile } from './dockerfile.js';
import { readTar } from './tar.js';

const root = mkdtempSync(join(tmpdir(), 'slipway-image-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DOCKERFILE = `# runtime image
FROM eclipse-temurin:17-jre
ENV APP_HOME=/app JAVA_OPTS="-Xmx64m -Dx=1"
WORKDIR /app
COPY app.jar ./app.jar
COPY conf/ /etc/demo/
LABEL org.example.team=platform
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
CMD ["--port", "8080"]
`;

function context(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'conf', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(dir, 'app.jar'), 'PK\u0003\u0004 not really a jar');
  writeFileSync(join(dir, 'conf', 'app.properties'), 'greeting=hello\n');
  writeFileSync(join(dir, 'conf', 'nested', 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'conf', 'nested', 'run.sh'), 0o755);
  return dir;
}

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('buildImage', () => {
  test('a valid OCI layout: every blob is named by the sha256 of its bytes, descriptors match', () => {
    const image = buildImage({ context: context('a'), reference: 'registry.example.com/team/app:1a2b3c' });
    const files = new Map(readTar(image.archive).map((e) => [e.path, e]));
    expect(JSON.parse(files.get('oci-layout')!.content!.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    for (const [path, entry] of files) {
      if (path.startsWith('blobs/sha256/') && entry.type === 'file') expect(sha(entry.content!)).toBe(`sha256:${path.slice(13)}`);
    }
    const blob = (digest: string) => files.get(`blobs/sha256/${digest.slice(7)}`)!.content!;
    const index = JSON.parse(files.get('index.json')!.content!.toString());
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: MEDIA.index });
    const [m] = index.manifests;
    expect(m).toMatchObject({ mediaType: MEDIA.manifest, digest: image.digest, annotations: { 'org.opencontainers.image.ref.name': '1a2b3c' } });
    expect(blob(m.digest).length).toBe(m.size);
    const manifest = JSON.parse(blob(m.digest).toString());
    expect(manifest.annotations[BASE_NAME_ANNOTATION]).toBe('eclipse-temurin:17-jre');
    expect(blob(manifest.config.digest).length).toBe(manifest.config.size);
    const config = JSON.parse(blob(manifest.config.digest).toString());
    expect(config.config).toEqual({
      ExposedPorts: { '8080/tcp': {} },
      Env: ['APP_HOME=/app', 'JAVA_OPTS=-Xmx64m -Dx=1'],
      Entrypoint: ['java', '-jar', '/app/app.jar'],
      Cmd: ['--port', '8080'],
      WorkingDir: '/app',
      Labels: { [BASE_NAME_ANNOTATION]: 'eclipse-temurin:17-jre', 'org.example.team': 'platform' },
    });
    expect(manifest.layers).toHaveLength(2);
    manifest.layers.forEach((layer: { digest: string; size: number; mediaType: string }, i: number) => {
      expect(layer.mediaType).toBe(MEDIA.layer);
      expect(blob(layer.digest).length).toBe(layer.size);
      const tar = gunzipSync(blob(layer.digest));
      expect(sha(tar)).toBe(config.rootfs.diff_ids[i]);
    });
    const layer0 = readTar(gunzipSync(blob(manifest.layers[0].digest)));
    expect(layer0.map((e) => e.path)).toEqual(['app/', 'app/app.jar']);
    const layer1 = readTar(gunzipSync(blob(manifest.layers[1].digest)));
    expect(layer1.map((e) => [e.path, e.mode.toString(8)])).toEqual([
      ['etc/', '755'],
      ['etc/demo/', '755'],
      ['etc/demo/app.properties', '644'],
      ['etc/demo/nested/', '755'],
      ['etc/demo/nested/run.sh', '755'],
    ]);
  });

  test('the system tar reads the archive and its layers', () => {
    const image = buildImage({ context: context('b') });
    const out = join(root, 'b.oci.tar');
    writeFileSync(out, image.archive);
    const listing = execFileSync('tar', ['-tvf', out], { encoding: 'utf8' });
    expect(listing).toContain('oci-layout');
    expect(listing).toContain(`blobs/sha256/${image.digest.slice(7)}`);
    const layer = join(root, 'layer.tar.gz');
    writeFileSync(layer, image.layers[1].content);
    expect(execFileSync('tar', ['-tzf', layer], { encoding: 'utf8' }).split('\n')).toContain('etc/demo/nested/run.sh');
  });

  test('deterministic: the same input gives the same digest whatever the file times and paths', () => {
    const a = buildImage({ context: context('c1'), reference: 'app:v1' });
    const dir = context('c2');
    utimesSync(join(dir, 'app.jar'), new Date('2020-01-01'), new Date('2020-01-01'));
    const b = buildImage({ context: dir, reference: 'app:v1' });
    expect(b.digest).toBe(a.digest);
    expect(b.archive.equals(a.archive)).toBe(true);
    writeFileSync(join(dir, 'app.jar'), 'changed');
    expect(buildImage({ context: dir, reference: 'app:v1' }).digest).not.toBe(a.digest);
  });

  test('long paths survive (PAX records)', () => {
    const dir = context('d');
    const deep = join(dir, 'conf', 'x'.repeat(60), 'y'.repeat(60), 'z'.repeat(80));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f.txt'), 'deep');
    const image = buildImage({ context: dir });
    const paths = readTar(gunzipSync(image.layers[1].content)).map((e) => e.path);
    expect(paths).toContain(`etc/demo/${'x'.repeat(60)}/${'y'.repeat(60)}/${'z'.repeat(80)}/f.txt`);
  });

  test('unsupported instructions and bad COPY sources are errors naming the line', () => {
    expect(() => parseDockerfile('FROM alpine\nRUN apk add curl\n')).toThrow('Dockerfile:2: RUN is not supported by slipway-image');
    expect(() => parseDockerfile('COPY a b\n')).toThrow('the first instruction must be FROM');
    const dir = context('e');
    expect(() => buildImage({ context: dir, dockerfile: 'FROM scratch\nCOPY missing.jar /app/\n' })).toThrow('Dockerfile:2: COPY missing.jar: not found');
    expect(() => buildImage({ context: dir, dockerfile: 'FROM scratch\nCOPY ../etc/passwd /x\n' })).toThrow('outside the build context');
  });
});
