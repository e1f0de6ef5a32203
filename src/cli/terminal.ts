/** The width of the terminal the CLI writes to, so that tables and progress lines never wrap. */

/**
 * The columns output to `stream` may use: `COLUMNS` when set (as `ls` reads it, so `COLUMNS=80 storbench runs |
 * less` fits too), else the terminal's width, else undefined (a pipe or a file: any width).
 */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return stream.isTTY && stream.columns > 0 ? stream.columns : undefined;
}
