/**
 * `npm run book` (see `--help`; the command itself is main.ts). Starts the generator
 * from its cached bundle (generator-bundle.ts) so a build fits in the time of a save.
 */
import { loadGenerator } from './generator-bundle.ts';

const argv = process.argv.slice(2);
const generator = await loadGenerator();
try {
  process.exitCode = await generator.main(argv);
  // A build that ran through has compiled what the next one needs: keep it.
  if (process.exitCode === 0 && !argv.some((arg) => ['--help', '-h', '--watch'].includes(arg))) generator.saveCodeCache();
} catch (error) {
  process.stderr.write(`${generator.describeFailure(error)}\n`);
  process.exitCode = 1;
}
