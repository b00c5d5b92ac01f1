/** The migration runner against the real PostgreSQL, and drift between schema.prisma and the SQL. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@slipway/testing';
import { migrate } from './migrate.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface SchemaModel {
  table: string;
  fields: { column: string; optional: boolean; list: boolean }[];
  uniques: string[][];
}

/** Models, columns and unique constraints read from prisma/schema.prisma. */
function readSchema(): SchemaModel[] {
  const text = readFileSync(resolve(import.meta.dirname, '../../../prisma/schema.prisma'), 'utf8');
  const blocks = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.map((b) => b[1]));
  return blocks.map(([, name, body]) => {
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name;
    const fields: SchemaModel['fields'] = [];
    const columnOf = new Map<string, string>();
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.startsWith('@@') || line.startsWith('//')) continue;
      const [, field, type, list, optional, attrs] = m;
      if (modelNames.has(type)) continue;
      const column = /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? field;
      columnOf.set(field, column);
      fields.push({ column, optional: !!optional, list: !!list });
    }
    const uniques = [...body.matchAll(/@@unique\(\[([^\]]+)\]\)/g)].map((u) => u[1].split(',').map((f) => columnOf.get(f.trim()) ?? f.trim()));
    for (const raw of body.split('\n')) {
      const m = /^\s*(\w+)\s+\w+.*@unique\b/.exec(raw);
      if (m) uniques.push([columnOf.get(m[1]) ?? m[1]]);
    }
    return { table, fields, uniques };
  });
}

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('migrate');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('migrations', () => {
  it('records each migration like prisma migrate deploy and is idempotent', async () => {
    const rows = await client.query('SELECT migration_name, checksum, finished_at, logs, applied_steps_count FROM "_prisma_migrations"');
    expect(rows.rowCount).toBeGreaterThan(0);
    for (const r of rows.rows as { checksum: string; finished_at: Date | null; logs: string | null; applied_steps_count: number }[]) {
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.finished_at).not.toBeNull();
      expect(r.logs).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
  });

  it('concurrent starters do not race', async () => {
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    expect(results.every((r) => r.applied.length === 0)).toBe(true);
  });

  it('has no drift: every model and field of schema.prisma exists with its nullability', async () => {
    const cols = await client.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const have = new Map(cols.rows.map((c) => [`${c.table_name}.${c.column_name}`, c.is_nullable === 'YES']));
    const models = readSchema();
    expect(models.length).toBeGreaterThan(5);
    const missing: string[] = [];
    const wrongNull: string[] = [];
    for (const model of models) {
      for (const field of model.fields) {
        const key = `${model.table}.${field.column}`;
        if (!have.has(key)) missing.push(key);
        else if (!field.list && have.get(key) !== field.optional) wrongNull.push(key);
      }
    }
    expect(missing).toEqual([]);
    expect(wrongNull).toEqual([]);
    const tables = new Set(cols.rows.map((c) => c.table_name));
    expect([...tables].filter((t) => t !== '_prisma_migrations' && !models.some((m) => m.table === t))).toEqual([]);
    const uniques = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE 'CREATE UNIQUE%'`);
    const names = new Set(uniques.rows.map((r) => r.indexname));
    for (const model of models) {
      for (const colsOfUnique of model.uniques) expect(names.has(`${model.table}_${colsOfUnique.join('_')}_key`)).toBe(true);
    }
  });
});
