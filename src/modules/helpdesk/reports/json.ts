// The report as JSON (/api/v1/helpdesk/report): the same figures as the page, rates as fractions (0.875), times
// in working minutes on the CST calendar.
import { Type, type Static } from 'typebox';
import type { HelpdeskReport } from './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Target = Type.Object({ met: Type.Integer(), decided: Type.Integer(), rate: Nullable(Type.Number()) });
const compliance = { opened: Type.Integer(), solved: Type.Integer(), firstResponse: Target, resolution: Target };
const Satisfaction = Type.Object({
  eligible: Type.Integer(),
  answers: Type.Integer(),
  responseRate: Nullable(Type.Number()),
  average: Nullable(Type.Number()),
  distribution: Type.Array(Type.Integer(), { minItems: 5, maxItems: 5, description: 'Valutazioni per voto, da 1 a 5' }),
});
const EnteOut = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() });

export const ReportJson = Type.Object({
  year: Type.Integer(),
  scope: Type.Union([Type.Literal('network'), Type.Literal('ente')]),
  ente: Nullable(EnteOut),
  category: Nullable(Type.Object({ code: Type.String(), name: Type.String() })),
  totals: Type.Object({ ...compliance, satisfaction: Satisfaction }),
  months: Type.Array(Type.Object({ month: Type.Integer({ minimum: 1, maximum: 12 }), ...compliance, solvedInMonth: Type.Integer() })),
  categories: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), parentCode: Nullable(Type.String()), ...compliance, satisfaction: Satisfaction })),
  enti: Type.Array(Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), ...compliance, satisfaction: Satisfaction })),
  channels: Type.Array(Type.Object({ channel: Type.String(), opened: Type.Integer() })),
  priorities: Type.Array(Type.Object({ priority: Type.String(), ...compliance })),
  firstResponse: Type.Object({
    unit: Type.Literal('working_minutes'),
    measured: Type.Integer({ description: 'Ticket misurati (un campione regolare quando sono molti)' }),
    of: Type.Integer({ description: 'Ticket con una prima risposta' }),
    median: Nullable(Type.Number()),
    p90: Nullable(Type.Number()),
  }),
});

export const reportJson = (report: HelpdeskReport): Static<typeof ReportJson> => report;
