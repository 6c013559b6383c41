/** The command line of an analysis script over one scenario of one session (slice-seconds.ts, rounds-needed.ts): database, session id, scenario; a usage line and exit 2 otherwise. */
export function sessionScenarioArgs(script: string, argv: string[] = process.argv.slice(2)): { dbPath: string; sessionId: number; scenario: string } {
  const [dbPath, session, scenario] = argv;
  if (!dbPath || !(Number(session) > 0) || !scenario) {
    process.stderr.write(`usage: node --import tsx bench/edition/${script} <database> <session id> <scenario>\n`);
    process.exit(2);
  }
  return { dbPath, sessionId: Number(session), scenario };
}
