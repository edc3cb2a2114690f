// Background jobs on pg-boss, in the same PostgreSQL: a job enqueued inside a write's transaction exists
// exactly when the write commits. Workers carry the ente in the job data and work through withEnte().
import { CompiledQuery } from 'kysely';
import { PgBoss, type Job, type SendOptions } from 'pg-boss';
import { APP_ROLE } from '../db/embedded.js';
import type { Trx } from '../db/index.js';

export type JobHandler<T> = (jobs: Job<T>[]) => Promise<unknown>;

export interface JobDefinition<T = object> {
  queue: string;
  handler: JobHandler<T>;
  /** Cron expression (Europe/Rome) for recurring jobs. */
  schedule?: string;
  /**
   * pg-boss queue policy; 'short' keeps at most one waiting job per singletonKey (a job that re-enqueues itself,
   * or a periodic resumer, never piles up copies).
   */
  options?: {
    batchSize?: number;
    pollingIntervalSeconds?: number;
    /** Fetch again at once while fetches come back full (a backlog drains without waiting a poll per batch). */
    burst?: boolean;
    policy?: 'standard' | 'short' | 'singleton' | 'stately';
  };
}

const SCHEMA = 'pgboss';

export class Jobs {
  readonly boss: PgBoss;
  private started = false;

  constructor(ownerUrl: string, private readonly log: { error(obj: unknown, msg?: string): void }) {
    this.boss = new PgBoss({ connectionString: ownerUrl, schema: SCHEMA, max: 4, application_name: 'cir-jobs' });
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue error'));
  }

  /** Installs/updates the pg-boss schema and lets the application role enqueue inside its transactions. */
  async start(): Promise<void> {
    await this.boss.start();
    this.started = true;
    const db = this.boss.getDb();
    await db.executeSql(`grant usage on schema ${SCHEMA} to ${APP_ROLE}`);
    await db.executeSql(`grant select, insert, update on all tables in schema ${SCHEMA} to ${APP_ROLE}`);
    await db.executeSql(`grant usage, select on all sequences in schema ${SCHEMA} to ${APP_ROLE}`);
    await db.executeSql(`grant execute on all functions in schema ${SCHEMA} to ${APP_ROLE}`);
  }

  async register(definitions: JobDefinition<any>[], work: boolean): Promise<void> {
    for (const def of definitions) {
      await this.boss.createQueue(def.queue, def.options?.policy ? { policy: def.options.policy } : {});
      if (def.schedule) await this.boss.schedule(def.queue, def.schedule, null, { tz: 'Europe/Rome' });
      if (work) {
        await this.boss.work(
          def.queue,
          { batchSize: def.options?.batchSize ?? 1, pollingIntervalSeconds: def.options?.pollingIntervalSeconds ?? 2, burstWhenBatchFull: def.options?.burst ?? false },
          def.handler,
        );
      }
    }
  }

  /** Enqueues a job; with `trx`, inside that transaction (committed or rolled back with it). */
  async send(queue: string, data: object, options: SendOptions & { trx?: Trx } = {}): Promise<string | null> {
    const { trx, ...rest } = options;
    if (trx) {
      const db = {
        executeSql: async (text: string, values?: unknown[]) => {
          const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
          return { rows: result.rows as any[] };
        },
      };
      return this.boss.send(queue, data, { ...rest, db });
    }
    return this.boss.send(queue, data, rest);
  }

  async stop(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: true, timeout: 5000 });
  }
}
