export * from './database.js';
export * from './migrate.js';
export * from './prisma-client.js';
export * from './prisma-errors.js';
