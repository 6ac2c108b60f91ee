import type { Migration } from 'kysely';
import * as m20261123_01 from './2026-11-23-01-initial';
import * as m20261123_02 from './2026-11-23-02-escalation';
import * as m20261123_03 from './2026-11-23-03-feedback-kb';
import * as m20261123_04 from './2026-11-23-04-outbox-destination';
import * as m20261123_05 from './2026-11-23-05-pause';
import * as m20261123_06 from './2026-11-23-06-report-indexes';
import * as m20261123_07 from './2026-11-23-07-api-tokens';
import * as m20261123_08 from './2026-11-23-08-console-webhooks';
import * as m20261123_09 from './2026-11-23-09-web-reports';
import * as m20261123_10 from './2026-11-23-10-accepted-inbound';
import * as m20261201_10 from './2026-12-01-10-web-identity-pause-cap';
import * as m20261201_30 from './2026-12-01-30-event-chain';
import * as m20261201_40 from './2026-12-01-40-api-token-expiry';
import * as m20261201_41 from './2026-12-01-41-callback-signatures';
import * as m20261202_20 from './2026-12-02-20-directory-revisions';
import * as m20261202_30 from './2026-12-02-30-regions';
import * as m20261202_12 from './2026-12-02-12-chat-photos';
import * as m20261202_40 from './2026-12-02-40-topics-joint-surveys';
import * as m20261202_15 from './2026-12-02-15-cards-and-tokens';
import * as m20261202_15b from './2026-12-02-15-reply-url-index';

import * as m20261202_50 from './2026-12-02-50-province-scale-indexes';
import * as m20261203_20 from './2026-12-03-20-report-rollups';
import * as m20261203_20b from './2026-12-03-20-report-rollups-documents';
import * as m20261203_30 from './2026-12-03-30-survey-min-answers';
import * as m20261203_50 from './2026-12-03-50-function-search-path';
import * as m20261204_10 from './2026-12-04-10-audit-chainer';
import * as m20261204_30 from './2026-12-04-30-lift-handovers';
import * as m20261204_30b from './2026-12-04-30-documents-per-unit';
// A static list, so the same migrations bundle into the Worker, run under tsx and under vitest.
export const migrations: Record<string, Migration> = {
  '2026-11-23-01-initial': m20261123_01,
  '2026-11-23-02-escalation': m20261123_02,
  '2026-11-23-03-feedback-kb': m20261123_03,
  '2026-11-23-04-outbox-destination': m20261123_04,
  '2026-11-23-05-pause': m20261123_05,
  '2026-11-23-06-report-indexes': m20261123_06,
  '2026-11-23-07-api-tokens': m20261123_07,
  '2026-11-23-08-console-webhooks': m20261123_08,
  '2026-11-23-09-web-reports': m20261123_09,
  '2026-11-23-10-accepted-inbound': m20261123_10,
  '2026-12-01-10-web-identity-pause-cap': m20261201_10,
  '2026-12-01-30-event-chain': m20261201_30,
  '2026-12-01-40-api-token-expiry': m20261201_40,
  '2026-12-01-41-callback-signatures': m20261201_41,
  '2026-12-02-20-directory-revisions': m20261202_20,
  '2026-12-02-30-regions': m20261202_30,
  '2026-12-02-12-chat-photos': m20261202_12,
  '2026-12-02-40-topics-joint-surveys': m20261202_40,
  '2026-12-02-15-cards-and-tokens': m20261202_15,
  '2026-12-02-15-reply-url-index': m20261202_15b,
  '2026-12-02-50-province-scale-indexes': m20261202_50,
  '2026-12-03-20-report-rollups': m20261203_20,
  '2026-12-03-20-report-rollups-documents': m20261203_20b,
  '2026-12-03-30-survey-min-answers': m20261203_30,
  '2026-12-03-50-function-search-path': m20261203_50,
  '2026-12-04-10-audit-chainer': m20261204_10,
  '2026-12-04-30-lift-handovers': m20261204_30,
  '2026-12-04-30-documents-per-unit': m20261204_30b,
};
