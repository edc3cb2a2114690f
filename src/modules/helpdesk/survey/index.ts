// helpdesk/survey: the satisfaction survey of a solved ticket. The requester side answers once per ticket, from
// the e-mailed link (public page, token in the URL: link.ts) or from the ticket page of the back office (the
// ticket pages embed SurveyForm, which posts to surveyActionPath). Results are in the reports (../reports).
import type { App } from '../../../platform/http/app.js';
import type { JobDefinition } from '../../../platform/jobs/index.js';
import type { Platform } from '../../../platform/platform.js';
import { registerSurveyPages } from './pages.js';
import { seedSurveyAnswers } from './seed.js';

export { SurveyForm, surveyActionPath, type SurveyFormProps } from './form.js';
export { surveyTicket, submitSurvey, parseAnswer, type SurveyTicket, type SurveyAnswer, type SubmitOutcome } from './service.js';
export { surveyToken, isSurveyToken, surveyUrl } from './link.js';

export async function registerSurvey(app: App, platform: Platform): Promise<void> {
  registerSurveyPages(app, platform);
}

export function surveyJobs(_platform: Platform): JobDefinition<any>[] {
  return [];
}

export async function seedDemoSurvey(platform: Platform): Promise<void> {
  await seedSurveyAnswers(platform);
}
