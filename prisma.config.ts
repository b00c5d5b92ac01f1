// Prisma CLI configuration. Prisma 7 reads no .env by itself, and env() throws when unset, so the
// default database URL is written out here.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/slipway' },
});
