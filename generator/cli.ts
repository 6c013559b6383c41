/**
 * `npm run book` (see `--help`; the command itself is main.ts). Starts the generator
 * from its cached bundle (generator-bundle.ts) so a build fits in the time of a save.
 */
import { loadGenerator } from './generator-bundle.ts';

const generator = await loadGenerator();
try {
  process.exitCode = await generator.main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${generator.describeFailure(error)}\n`);
  process.exitCode = 1;
}
