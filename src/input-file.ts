/**
 * Input files the CLI reads (workload files, targets files): YAML or JSON, from a regular file of at most
 * {@link MAX_INPUT_FILE_BYTES}, with every number written in plain decimal. Problems are UsageErrors.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { isPair, isSeq, parseDocument, visit } from 'yaml';
import { type ErrorCode, UsageError } from './errors.js';
import { parseDecimal } from './workloads/size.js';

/** Largest input file read: 1 MiB (a workload or targets file is a few hundred bytes). */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/** The text of a regular file of at most MAX_INPUT_FILE_BYTES, or why it cannot be read. */
function readRegularFile(path: string): string | { why: string } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever. It does not change
    // how a regular file reads.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { why: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
  try {
    // The opened file itself: a path swapped for a FIFO or a device after a stat cannot get past this.
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { why: `${fileKind(stat)}, not a regular file` };
    const tooLarge = { why: `larger than ${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB` };
    if (stat.size > MAX_INPUT_FILE_BYTES) return tooLarge;
    // Read at most one byte past the cap: a file that grows after the fstat (or reports size 0) stays bounded.
    const buffer = Buffer.alloc(MAX_INPUT_FILE_BYTES + 1);
    let length = 0;
    let n: number;
    while (length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0) length += n;
    return length > MAX_INPUT_FILE_BYTES ? tooLarge : buffer.toString('utf8', 0, length);
  } catch (e) {
    return { why: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

/** The field path of a node (`targets.0.options.port`) from the ancestors `visit` passes. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  const parts: string[] = [];
  const chain = [...ancestors, node];
  chain.forEach((a, i) => {
    if (isPair(a)) parts.push(String((a.key as { value?: unknown } | null)?.value ?? a.key));
    else if (isSeq(a)) parts.push(String(a.items.indexOf(chain[i + 1] as never)));
  });
  return parts.join('.') || '(top level)';
}

/**
 * Read and parse a YAML or JSON input file. `what` starts every error message (`workload x.yaml`).
 * @throws UsageError: not a regular file (a directory, device or FIFO), larger than the cap, not valid YAML,
 * or a number not in plain decimal (`0x10`, `1e3`, `+5`, `.inf`: YAML takes them, storbench's flags do not)
 */
export function readInputFile(path: string, what: string, code?: ErrorCode): unknown {
  const text = readRegularFile(path);
  if (typeof text !== 'string') throw new UsageError(`${what}: cannot read it (${text.why})`, code);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UsageError(`${what}: not valid YAML or JSON (${doc.errors[0]!.message.split('\n')[0]})`, code);
  const problems: string[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key !== 'key' && typeof node.value === 'number' && Number.isNaN(parseDecimal(node.source ?? ''))) {
        problems.push(`${fieldPath(ancestors, node)}: write ${node.source} as a plain decimal number`);
      }
    },
  });
  if (problems.length > 0) throw new UsageError(`${what}: ${problems.join('; ')}`, code);
  try {
    return doc.toJS();
  } catch (e) {
    throw new UsageError(`${what}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]})`, code);
  }
}
