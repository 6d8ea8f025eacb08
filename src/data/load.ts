import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { ioError } from '../errors.js';
import { checkCsv, loadCsv } from './csv.js';
import type { MarketData } from './market.js';
import { checkParquet, loadParquet } from './parquet.js';
import type { CheckReport } from './rows.js';

/** The file formats market data is read from. */
export type DataFormat = 'csv' | 'parquet';

const PARQUET_MAGIC = 'PAR1';

/**
 * The format of a data file: by extension (`.csv`; `.parquet` or `.pq`), case-insensitively;
 * any other name is Parquet when it starts with the Parquet magic bytes `PAR1`, else CSV.
 */
export async function dataFormat(path: string): Promise<DataFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  let head = '';
  try {
    const fh = await open(path, 'r');
    try {
      const b = Buffer.alloc(4);
      const { bytesRead } = await fh.read(b, 0, 4, 0);
      head = b.subarray(0, bytesRead).toString('latin1');
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw ioError(`cannot read ${path}: ${(e as Error).message}`, e);
  }
  return head === PARQUET_MAGIC ? 'parquet' : 'csv';
}

/**
 * Loads market data from a CSV or Parquet file, picking the reader by dataFormat(): loadCsv()
 * or loadParquet(), with the same column rules and strict validation.
 */
export async function loadMarket(path: string): Promise<MarketData> {
  return (await dataFormat(path)) === 'parquet' ? loadParquet(path) : loadCsv(path);
}

/** checkCsv() or checkParquet(), by dataFormat(). */
export async function checkMarketFile(path: string, options: { maxErrors?: number } = {}): Promise<CheckReport> {
  return (await dataFormat(path)) === 'parquet' ? checkParquet(path, options) : checkCsv(path, options);
}
