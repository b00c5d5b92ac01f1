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

  it('documents every variable', () => {
    expect(Object.keys(ENV_DOCS).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});
