/**
 * Where text that users' code prints goes (ConsoleIO.write, and a runner's capture of
 * console.log in DoFns). A runner that carries output back through the run installs a
 * route; without one (a sink used on its own, a bare worker) text goes to this process's
 * stdout or stderr. IO may not import runners, hence this small switch on the IO side.
 */
export type OutputStream = "stdout" | "stderr";

export interface UserOutputRoute {
  /** True when output printed now (in this async context) is carried by a run. */
  carried(): boolean;
  /** Takes the text if it is carried; returns false to let it go to the process's stream. */
  write(stream: OutputStream, text: string, transform: string | undefined): boolean;
}

let route: UserOutputRoute | undefined;

/** Installs a route (undefined removes it); returns the previous one. */
export function routeUserOutput(r: UserOutputRoute | undefined): UserOutputRoute | undefined {
  const prev = route;
  route = r;
  return prev;
}

/** Whether output printed here and now is carried by a run rather than written to the process. */
export function userOutputCarried(): boolean {
  return route?.carried() ?? false;
}

/** Prints users' output: through the run that carries it, else to this process's stream. */
export function printUserOutput(stream: OutputStream, text: string, transform?: string): void {
  if (route?.write(stream, text, transform)) return;
  (stream === "stderr" ? process.stderr : process.stdout).write(text);
}
