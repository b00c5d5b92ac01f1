import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_DOCS, envSchema, loadConfig } from './env-schema.js';

describe('configuration', () => {
  it('has working local defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/slipway',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 2746,
      SLIPWAY_ROLES: ['api', 'worker'],
      SLIPWAY_NAMESPACE: 'default',
    });
  });

  it('names every bad variable with what it got', () => {
    expect(() => loadConfig({ PORT: 'abc', SLIPWAY_ROLES: 'api,cook', SLIPWAY_ADMIN_TOKEN: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: '70000', SLIPWAY_ROLES: 'api,cook' });
    } catch (err) {
      const text = (err as Error).message;
      expect(text).toContain('PORT:');
      expect(text).toContain('(got "70000")');
      expect(text).toContain('SLIPWAY_ROLES:');
    }
  });

  it('takes a 32-byte SLIPWAY_SECRET_KEY as hex or base64', () => {
    const hex = 'ab'.repeat(32);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SLIPWAY_SECRET_KEY: hex }).SLIPWAY_SECRET_KEY).toBe(hex);
    expect(loadConfig({ SLIPWAY_SECRET_KEY: b64, SLIPWAY_SECRET_KEY_PREVIOUS: `${hex}, ${b64}` }).SLIPWAY_SECRET_KEY_PREVIOUS).toEqual([hex, b64]);
    expect(() => loadConfig({ SLIPWAY_SECRET_KEY: 'too-short' })).toThrow(/SLIPWAY_SECRET_KEY: must be 32 bytes/);
  });

  it('documents every variable', () => {
    expect(Object.keys(ENV_DOCS).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});
