// The GA's operator settings: their kinds, DEAP-like defaults, validation and resolution.

import { configError } from '../errors.js';
import type { EngineError } from '../errors.js';

/** Crossover operators `variation` can apply. */
export type CrossoverKind = 'sbx' | 'blend' | 'uniform';
/** Mutation operators `variation` can apply. */
export type MutationKind = 'polynomial' | 'gaussian';

/** The crossover kinds, in documentation order. */
export const CROSSOVER_KINDS: readonly CrossoverKind[] = ['sbx', 'blend', 'uniform'];
/** The mutation kinds, in documentation order. */
export const MUTATION_KINDS: readonly MutationKind[] = ['polynomial', 'gaussian'];

/** Selection and variation settings of the GA (DEAP-like defaults, see `OPERATOR_DEFAULTS`). */
export interface OperatorConfig {
  /**
   * Aspirants per tournament (`selTournament`'s k), an integer >= 1.
   * @default 3
   */
  tournamentSize: number;
  /**
   * Crossover operator: `sbx` (cxSimulatedBinaryBounded), `blend` (cxBlend), `uniform` (cxUniform).
   * @default 'sbx'
   */
  crossover: CrossoverKind;
  /**
   * Probability that a pair of parents is crossed, in [0, 1].
   * @default 0.9
   */
  cxpb: number;
  /**
   * SBX distribution index, >= 0 (larger: children closer to their parents).
   * @default 15
   */
  sbxEta: number;
  /**
   * BLX-alpha extension on each side of the parents' interval, >= 0.
   * @default 0.5
   */
  blendAlpha: number;
  /**
   * Per-gene swap probability of uniform crossover, in [0, 1].
   * @default 0.5
   */
  uniformIndpb: number;
  /**
   * Mutation operator: `polynomial` (mutPolynomialBounded) or `gaussian` (mutGaussian).
   * @default 'polynomial'
   */
  mutation: MutationKind;
  /**
   * Probability that a child is mutated at all, in [0, 1].
   * @default 1.0
   */
  mutpb: number;
  /**
   * Per-gene mutation probability in [0, 1]; null means 1 / (number of genes).
   * @default null
   */
  mutationIndpb: number | null;
  /**
   * Polynomial mutation distribution index, >= 0 (larger: smaller steps).
   * @default 20
   */
  polynomialEta: number;
  /**
   * Gaussian mutation standard deviation as a fraction of each gene's range (max - min), >= 0.
   * @default 0.1
   */
  gaussianSigma: number;
  /**
   * Best individuals copied unchanged into the next generation, an integer >= 0.
   * @default 2
   */
  elitism: number;
  /**
   * Fraction of each new generation replaced by random genomes, in [0, 1).
   * @default 0.05
   */
  immigrants: number;
}

/** The defaults of every `OperatorConfig` field (DEAP's usual settings). */
export const OPERATOR_DEFAULTS: Readonly<OperatorConfig> = Object.freeze({
  tournamentSize: 3,
  crossover: 'sbx',
  cxpb: 0.9,
  sbxEta: 15,
  blendAlpha: 0.5,
  uniformIndpb: 0.5,
  mutation: 'polynomial',
  mutpb: 1.0,
  mutationIndpb: null,
  polynomialEta: 20,
  gaussianSigma: 0.1,
  elitism: 2,
  immigrants: 0.05,
});

const OPERATOR_KEYS = Object.keys(OPERATOR_DEFAULTS) as (keyof OperatorConfig)[];

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Every problem of `config`, as E_CONFIG errors naming the field (`option`), in field order;
 * empty when it is valid. Unknown fields are problems too (a typo would otherwise be ignored).
 * With `populationSize`, also checks that elites and immigrants leave room for offspring.
 */
export function validateOperatorConfig(config: Readonly<Record<string, unknown>>, populationSize?: number): EngineError[] {
  const errors: EngineError[] = [];
  const probability = (key: string): void => {
    const v = config[key];
    if (!isNum(v) || v < 0 || v > 1) errors.push(configError(key, `must be a number in [0, 1], got ${String(v)}`));
  };
  const nonNegative = (key: string): void => {
    const v = config[key];
    if (!isNum(v) || v < 0) errors.push(configError(key, `must be a finite number >= 0, got ${String(v)}`));
  };
  for (const key of Object.keys(config)) {
    if (!(OPERATOR_KEYS as string[]).includes(key)) errors.push(configError(key, `unknown GA option (known: ${OPERATOR_KEYS.join(', ')})`));
  }
  const k = config['tournamentSize'];
  if (!isNum(k) || !Number.isInteger(k) || k < 1) errors.push(configError('tournamentSize', `must be an integer >= 1, got ${String(k)}`));
  const cx = config['crossover'];
  if (!(CROSSOVER_KINDS as readonly unknown[]).includes(cx)) {
    errors.push(configError('crossover', `must be one of ${CROSSOVER_KINDS.join(', ')}, got ${String(cx)}`));
  }
  probability('cxpb');
  nonNegative('sbxEta');
  nonNegative('blendAlpha');
  probability('uniformIndpb');
  const mut = config['mutation'];
  if (!(MUTATION_KINDS as readonly unknown[]).includes(mut)) {
    errors.push(configError('mutation', `must be one of ${MUTATION_KINDS.join(', ')}, got ${String(mut)}`));
  }
  probability('mutpb');
  if (config['mutationIndpb'] !== null) probability('mutationIndpb');
  nonNegative('polynomialEta');
  nonNegative('gaussianSigma');
  const elitism = config['elitism'];
  const elitismOk = isNum(elitism) && Number.isInteger(elitism) && elitism >= 0;
  if (!elitismOk) errors.push(configError('elitism', `must be an integer >= 0, got ${String(elitism)}`));
  const imm = config['immigrants'];
  const immOk = isNum(imm) && imm >= 0 && imm < 1;
  if (!immOk) errors.push(configError('immigrants', `must be a fraction in [0, 1), got ${String(imm)}`));
  if (populationSize !== undefined && elitismOk && immOk) {
    const room = populationSize - elitism - immigrantCount(imm, populationSize);
    if (elitism >= populationSize) {
      errors.push(configError('elitism', `must be below the population size (${populationSize}), got ${elitism}`));
    } else if (room < 1) {
      errors.push(configError('immigrants', `leaves no room for offspring: ${populationSize} - ${elitism} elites - ${immigrantCount(imm, populationSize)} immigrants`));
    }
  }
  return errors;
}

/**
 * `OPERATOR_DEFAULTS` overridden by the fields `partial` gives (undefined fields keep their
 * default); throws the first problem `validateOperatorConfig` finds.
 */
export function resolveOperatorConfig(partial: Readonly<Partial<OperatorConfig>> = {}, populationSize?: number): OperatorConfig {
  const merged: Record<string, unknown> = { ...OPERATOR_DEFAULTS };
  for (const [key, v] of Object.entries(partial)) if (v !== undefined) merged[key] = v;
  const errors = validateOperatorConfig(merged, populationSize);
  if (errors.length > 0) throw errors[0]!;
  return merged as unknown as OperatorConfig;
}

/** Random immigrants per generation: `round(immigrants x populationSize)`. */
export function immigrantCount(immigrants: number, populationSize: number): number {
  return Math.round(immigrants * populationSize);
}

/** Per-gene mutation probability in effect: `mutationIndpb`, or 1 / genes when it is null. */
export function effectiveMutationIndpb(config: Readonly<OperatorConfig>, genes: number): number {
  return config.mutationIndpb ?? 1 / genes;
}
