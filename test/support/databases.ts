// Test databases: the runner migrates and seeds two templates once per cluster; every test file clones one
// (CREATE DATABASE … TEMPLATE is a file copy, far faster than migrating again).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEMPLATE_DEMO = 'cir_template_demo';
export const TEMPLATE_EMPTY = 'cir_template_empty';

export function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function appUrlFor(adminUrl: string, database: string, appPassword: string): string {
  const url = new URL(withDatabase(adminUrl, database));
  url.username = 'cir_app';
  url.password = appPassword;
  return url.toString();
}

export async function adminQuery(adminUrl: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

export async function cloneDatabase(adminUrl: string, template: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  return name;
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
}
