import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { configError } from '../../errors.js';
import type { EvolveResult } from '../../ga/evolve.js';
import { writeFileAtomic } from '../../io.js';
import { resultProblem } from '../../report/check-result.js';
import { renderReport } from '../../report/html.js';
import type { Io } from '../context.js';
import { requireFile } from '../context.js';
import { checkOutputs } from '../outputs.js';

/** Reads a result.json written by `evolve --out` (or `--json`), checking that it is one. */
export async function readResult(path: string, option: string): Promise<EvolveResult> {
  requireFile(option, path);
  let r: EvolveResult;
  try {
    r = JSON.parse(await readFile(path, 'utf8')) as EvolveResult;
  } catch (e) {
    throw configError(option, `${path} is not JSON: ${(e as Error).message}`);
  }
  if (r === null || typeof r !== 'object' || r.format !== 'evoquant-result' || r.curve === undefined) {
    throw configError(option, `${path} is not an evoquant result (write one with \`evoquant evolve --out DIR\`)`);
  }
  const problem = resultProblem(r);
  if (problem !== null) throw configError(option, `${path} is an incomplete evoquant result: ${problem} (write a complete one with \`evoquant evolve --out DIR\`)`);
  return r;
}

export function reportCommand(io: Io): Command {
  return new Command('report')
    .description('write the HTML report of a finished run')
    .argument('<result>', 'result.json of a run (evolve --out DIR)')
    .requiredOption('-o, --out <file>', 'HTML file to write (atomically)')
    .action(async (file: string, o: { out: string }) => {
      checkOutputs([{ option: '<result>', path: file }], [{ option: '--out', path: o.out }]);
      const result = await readResult(file, '<result>');
      await writeFileAtomic(o.out, renderReport(result));
      io.out(`wrote ${o.out}\n`);
    });
}
