/**
 * The `pg` pool under a Prisma client, for the few statements on every step's path (pod claim and
 * result, workflow head and save): sent as named prepared statements straight through
 * node-postgres, without Prisma's per-query compile and (de)serialisation, and planned once per
 * connection instead of once per call. Everything else goes through Prisma on the same pool.
 */
import type pg from 'pg';

const pools = new WeakMap<object, pg.Pool>();

/** Remember the pool a client was made with (createPrismaClient does this). */
export function registerSqlPool(client: object, pool: pg.Pool): void {
  pools.set(client, pool);
}

/** The pool under `client`; it must come from createPrismaClient. */
export function sqlPoolOf(client: object): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error('this Prisma client was not made by createPrismaClient: no pg pool to send prepared statements on');
  return pool;
}

/** A statement with `$n` placeholders and its values. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** `sql\`… ${value} …\``: the text with `$1…$n` in place of the values (the same text every call). */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlStatement {
  let text = strings[0];
  for (let i = 1; i < strings.length; i++) text += `$${i}${strings[i]}`;
  return { text, values };
}

/**
 * Run `statement` as the prepared statement `name` on `client`'s pool. node-postgres parses
 * int4 to numbers, json/jsonb to values, int8 (and int8[]) to strings, timestamptz to Dates.
 */
export async function runPrepared<T>(client: object, name: string, statement: SqlStatement): Promise<T[]> {
  const res = await sqlPoolOf(client).query({ name, text: statement.text, values: statement.values });
  return res.rows as T[];
}
