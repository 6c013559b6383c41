/** `--list`: the chapters, and what is already measured (read-only). */
import { existsSync } from 'node:fs';
import type { Chapter } from '../db/chapters.ts';
import { openDatabase, queryRows } from '../db/database.ts';
import { machineInfo } from './machine/fingerprint.ts';
import type { BenchOptions } from './options.ts';
import { formatTable } from './session/report.ts';
import { planPinning } from './proc/pinning.ts';
import { settingsKey } from './session/plan.ts';
import { scenarioModules } from './scenarios/registry.ts';
import { subjectLabel } from './scenarios/chapter-capacities.ts';

export async function listMeasured(chapters: Chapter[], options: BenchOptions): Promise<string> {
  const db = existsSync(options.dbPath) ? await openDatabase(options.dbPath) : null;
  const fingerprint = machineInfo().fingerprint;
  const modules = scenarioModules();
  const pinning = await planPinning(options.pin);
  const rows: string[][] = [];
  for (const c of chapters) {
    const summaries = db
      ? queryRows(
          db,
          `SELECT su.scenario, su.experiment, su.rps_median, su.capacity_rps, su.runs, su.failed_runs, su.settings_key, su.session_id, se.started_at, se.machine_fingerprint
           FROM summaries su JOIN sessions se ON se.id = su.session_id
           WHERE su.subject = ? AND su.session_id = (SELECT MAX(s2.session_id) FROM summaries s2 WHERE s2.subject = su.subject AND s2.scenario = su.scenario AND s2.experiment = su.experiment)
           ORDER BY su.experiment, su.scenario`,
          [c.tag],
        )
      : [];
    if (summaries.length === 0) rows.push([c.tag, c.commit.slice(0, 12), '—', 'not measured', '']);
    for (const s of summaries) {
      const module = modules.get(String(s.scenario));
      const current = module !== undefined && s.settings_key === settingsKey(options, module, pinning);
      const rps = (s.scenario === 'sweep' ? s.capacity_rps : s.rps_median) as number | null;
      rows.push([
        subjectLabel(c.tag, s.experiment as string | null),
        c.commit.slice(0, 12),
        String(s.scenario),
        `${rps === null ? '—' : rps.toFixed(0)} req/s, ${s.runs} ok/${s.failed_runs} failed runs`,
        [`session ${s.session_id} ${String(s.started_at).slice(0, 16)}`, s.machine_fingerprint === fingerprint ? 'this machine' : 'another machine', current ? 'current settings' : 'other settings'].join(', '),
      ]);
    }
  }
  const where = db ? options.dbPath : `${options.dbPath} (does not exist yet)`;
  return `Chapters of ${options.repoDir}/data/chapters.json, measurements in ${where}:\n${formatTable(['chapter', 'commit', 'scenario', 'latest', 'measured'], rows)}\n`;
}
