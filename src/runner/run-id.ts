/** Run ids: a run's objects live under `storbench/<run id>/`, a single folder. */

/** What {@link newRunId} makes. */
export const RUN_ID_FORMAT = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A run id that sorts by time and reads well: `20261126-081502-3fa9`. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}
