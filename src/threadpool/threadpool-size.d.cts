/** Types of ./threadpool-size.cjs (the threadpool rule bin/storbench.cjs shares). */
export interface ThreadpoolDecision {
  readonly size: number;
  readonly source: 'set' | 'preset';
}
type Env = Record<string, string | undefined>;
export declare const MIN: number;
export declare const MAX: number;
export declare const DEFAULT: number;
export declare function decideThreadpool(env: Env, concurrency?: number): ThreadpoolDecision;
export declare function applyThreadpool(env: Env, concurrency?: number): ThreadpoolDecision;
