// Demo answers: about two solved tickets in three answered, ratings leaning to satisfied, so the reports of the
// demo network show a satisfaction section. Reproducible (seeded generator); runs after the demo tickets.
import { systemActor } from '../../../platform/audit/index.js';
import { withCrossEnteRead } from '../../../platform/db/index.js';
import type { Platform } from '../../../platform/platform.js';
import { prng } from '../../../platform/prng.js';
import { submitSurvey } from './service.js';

const comments = ['Tecnico gentile e risolutivo.', 'Risposta rapida, grazie.', 'Ci è voluto un po’ ma il problema è risolto.', 'Abbiamo dovuto sollecitare più volte.'];

export async function seedSurveyAnswers(platform: Platform): Promise<void> {
  const { db } = platform;
  const solved = await withCrossEnteRead(db.app, (trx) =>
    trx
      .selectFrom('ticket as t')
      .leftJoin('ticket_survey as s', (j) => j.onRef('s.ente_id', '=', 't.ente_id').onRef('s.ticket_id', '=', 't.id'))
      .select(['t.ente_id', 't.id', 't.solved_at'])
      .where('t.state', 'in', ['solved', 'closed'])
      .where('s.ticket_id', 'is', null)
      .orderBy('t.ente_id')
      .orderBy('t.year')
      .orderBy('t.number')
      .execute(),
  );
  const random = prng(6005);
  for (const ticket of solved) {
    if (random() > 0.66) continue;
    const roll = random();
    const rating = roll < 0.05 ? 1 : roll < 0.12 ? 2 : roll < 0.3 ? 3 : roll < 0.65 ? 4 : 5;
    const comment = random() < 0.3 ? comments[rating >= 4 ? (random() < 0.5 ? 0 : 1) : rating === 3 ? 2 : 3]! : null;
    const answeredAt = new Date(Math.min(Date.now(), ticket.solved_at!.getTime() + Math.round(random() * 48) * 3_600_000));
    await submitSurvey(db.app, systemActor, ticket.ente_id, ticket.id, { rating, comment, via: 'link' }, answeredAt);
  }
}
