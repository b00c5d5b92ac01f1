/** The bwrap command line: host mirror, splitting for new mountpoints, mount order. */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bwrapArgs, canonicalTop, hostRoot, isUnder } from './sandbox-args.js';

const base = { cwd: '/argo/work', argv: ['true'] };

/** The [flag, a, b] triples of an argument list, for readable assertions. */
function ops(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--') break;
    if (['--ro-bind', '--bind', '--symlink'].includes(flag)) out.push(`${flag} ${args[++i]} ${args[++i]}`);
    else if (['--dir', '--tmpfs', '--dev', '--proc', '--chdir'].includes(flag)) out.push(`${flag} ${args[++i]}`);
    else out.push(flag);
  }
  return out;
}

describe('bwrapArgs', () => {
  test('mirrors the host root read-only, with fresh /dev and /proc and no host /tmp', () => {
    const args = ops(bwrapArgs({ ...base, binds: [{ src: '/x/tmp', dest: '/tmp', readOnly: false }] }));
    expect(args).toContain('--ro-bind /usr /usr');
    expect(args).toContain('--dev /dev');
    expect(args).toContain('--proc /proc');
    expect(args).toContain('--bind /x/tmp /tmp');
    expect(args.filter((a) => a.endsWith(' /tmp'))).toEqual(['--bind /x/tmp /tmp']);
    if (hostRoot().some((e) => e.name === 'bin' && e.kind === 'symlink')) expect(args).toContain('--symlink usr/bin /bin');
    expect(args.slice(-3)).toEqual(['--unshare-pid', '--die-with-parent', '--chdir /argo/work']);
  });

  test('a mountpoint missing under a host directory splits that directory', () => {
    const hostMnt = readdirSync('/mnt');
    const args = ops(bwrapArgs({ ...base, binds: [{ src: '/p/out', dest: '/mnt/out-slipway-test', readOnly: false }] }));
    expect(args).not.toContain('--ro-bind /mnt /mnt');
    expect(args).toContain('--dir /mnt');
    for (const child of hostMnt) expect(args.some((a) => a.endsWith(` /mnt/${child}`))).toBe(true);
    expect(args.indexOf('--bind /p/out /mnt/out-slipway-test')).toBeGreaterThan(args.indexOf('--dir /mnt'));
  });

  test('deeper missing paths split every host directory on the way', () => {
    const args = ops(bwrapArgs({ ...base, binds: [{ src: '/v', dest: '/usr/share/slipway-test/x', readOnly: false }] }));
    expect(args).toContain('--dir /usr');
    expect(args).toContain('--dir /usr/share');
    expect(args).toContain('--ro-bind /usr/bin /usr/bin');
    expect(args).not.toContain('--ro-bind /usr /usr');
  });

  test('an existing destination is mounted over; a top-level one replaces the host entry', () => {
    const args = ops(
      bwrapArgs({
        ...base,
        binds: [
          { src: '/v/etc-ssl', dest: '/etc/ssl', readOnly: true },
          { src: '/v/usr', dest: '/usr', readOnly: false },
        ],
      }),
    );
    expect(args).toContain('--ro-bind /etc /etc');
    expect(args).toContain('--ro-bind /v/etc-ssl /etc/ssl');
    expect(args).not.toContain('--ro-bind /usr /usr');
  });

  test('mounts nested in other mounts need no splitting and come after their parent', () => {
    const args = ops(
      bwrapArgs({
        ...base,
        binds: [
          { src: '/v/inner', dest: '/go/src/example', readOnly: false },
          { src: '/v/go', dest: '/go', readOnly: false },
        ],
      }),
    );
    expect(args.indexOf('--bind /v/go /go')).toBeLessThan(args.indexOf('--bind /v/inner /go/src/example'));
  });

  test('hidden paths get an empty tmpfs unless a mount already covers them', () => {
    const args = ops(bwrapArgs({ ...base, binds: [{ src: '/x/tmp', dest: '/tmp', readOnly: false }], hide: ['/var/lib/slipway', '/tmp/state'] }));
    expect(args).toContain('--tmpfs /var/lib/slipway');
    expect(args).not.toContain('--tmpfs /tmp/state');
  });

  test('with a host directory as root, host symlinks are bound instead of recreated', () => {
    const args = ops(bwrapArgs({ ...base, binds: [], rootDir: '/p/root' }));
    expect(args[0]).toBe('--bind /p/root /');
    expect(args.some((a) => a.startsWith('--symlink'))).toBe(false);
    if (existsSync('/bin') && hostRoot().some((e) => e.name === 'bin' && e.kind === 'symlink')) expect(args).toContain('--ro-bind /bin /bin');
  });
});

describe('path helpers', () => {
  test('isUnder', () => {
    expect(isUnder('/a/b', '/a')).toBe(true);
    expect(isUnder('/a', '/a')).toBe(true);
    expect(isUnder('/ab', '/a')).toBe(false);
  });

  test('canonicalTop resolves a top-level symlink', () => {
    const bin = hostRoot().find((e) => e.name === 'bin');
    expect(canonicalTop('/bin/sh')).toBe(bin?.kind === 'symlink' ? '/usr/bin/sh' : '/bin/sh');
    expect(canonicalTop('/tmp/x')).toBe('/tmp/x');
  });
});
