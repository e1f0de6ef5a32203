/**
 * Built-in workloads. Each is a partial spec; `storbench run --workload NAME` uses it with CLI flags on top.
 * Sizes and counts are what the tools users know use (warp, mdtest, TestDFSIO, YCSB), scaled to finish in
 * a sensible time on one client; override them with flags or a workload file.
 */
import type { WorkloadInput } from './spec.js';

type Preset = Omit<WorkloadInput, 'name'>;

export const PRESETS: Readonly<Record<string, Preset>> = {
  'put-small': { description: 'create 4 KiB objects (warp put)', mix: { write: 1 }, writes: 'create', objects: 0, size: '4KiB' },
  'get-small': { description: 'read whole 4 KiB objects (warp get)', mix: { read: 1 }, objects: 1000, size: '4KiB' },
  'put-large': {
    description: 'create 64 MiB objects, streamed (TestDFSIO write)',
    mix: { write: 1 },
    writes: 'create',
    objects: 0,
    size: '64MiB',
    concurrency: 4,
  },
  'get-large': { description: 'read whole 64 MiB objects, streamed (TestDFSIO read)', mix: { read: 1 }, objects: 8, size: '64MiB', concurrency: 4 },
  mixed: { description: '50% read, 50% overwrite of 64 KiB objects', mix: { read: 50, write: 50 }, writes: 'overwrite', objects: 1000, size: '64KiB' },
  metadata: {
    description: 'create, stat and delete empty objects (mdtest)',
    mix: { write: 34, stat: 33, delete: 33 },
    writes: 'create',
    objects: 1000,
    size: 0,
  },
  list: { description: 'list a prefix of 1,000 objects, paginated', mix: { list: 1 }, objects: 1000, size: '1KiB', concurrency: 4 },
  scan: { description: 'read every object under a prefix (an analytics job over a dataset)', mix: { scan: 1 }, objects: 256, size: '64KiB', concurrency: 1 },
  // TestDFSIO: N files of S, one per worker; reports per-file rate and aggregate throughput.
  'dfsio-write': {
    description: 'TestDFSIO write: one 128 MiB file per worker',
    mix: { write: 1 },
    writes: 'create',
    objects: 0,
    size: '128MiB',
    concurrency: 4,
    ops: 4,
    keys: 'sequential',
    dataset: 'dfsio',
    cleanup: false,
  },
  'dfsio-read': {
    description: 'TestDFSIO read: each worker reads one 128 MiB file',
    mix: { read: 1 },
    objects: 4,
    size: '128MiB',
    concurrency: 4,
    ops: 4,
    keys: 'sequential',
    dataset: 'dfsio',
    cleanup: false,
  },
  nnbench: {
    description: 'NNBench: create, open (stat), rename and delete of small files; NameNode-bound',
    mix: { write: 25, stat: 25, rename: 25, delete: 25 },
    writes: 'create',
    objects: 1000,
    size: 0,
  },
  // YCSB core workloads over 1 KiB records (10 fields of 100 bytes), zipfian keys as YCSB does.
  'ycsb-a': {
    description: 'YCSB A: 50% read, 50% update (zipfian)',
    mix: { read: 50, write: 50 },
    writes: 'overwrite',
    objects: 1000,
    size: '1KiB',
    keys: 'zipfian',
  },
  'ycsb-b': {
    description: 'YCSB B: 95% read, 5% update (zipfian)',
    mix: { read: 95, write: 5 },
    writes: 'overwrite',
    objects: 1000,
    size: '1KiB',
    keys: 'zipfian',
  },
  'ycsb-c': { description: 'YCSB C: read only (zipfian)', mix: { read: 1 }, objects: 1000, size: '1KiB', keys: 'zipfian' },
  'ycsb-d': { description: 'YCSB D: 95% read latest, 5% insert', mix: { read: 95, write: 5 }, writes: 'create', objects: 1000, size: '1KiB', keys: 'latest' },
  'ycsb-e': {
    description: 'YCSB E: 95% short scans (one group of 100), 5% insert',
    mix: { scan: 95, write: 5 },
    writes: 'create',
    objects: 1000,
    size: '1KiB',
    keys: 'zipfian',
    scan: 'group',
    groupSize: 100,
  },
  'ycsb-f': {
    description: 'YCSB F: 50% read, 50% read-modify-write (zipfian)',
    mix: { read: 50, readModifyWrite: 50 },
    writes: 'overwrite',
    objects: 1000,
    size: '1KiB',
    keys: 'zipfian',
  },
};
