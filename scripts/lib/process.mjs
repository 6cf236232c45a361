// Child processes for the tests, the benchmarks and the scripts: start one with its output kept line
// by line, wait until a line of it matches, stop it (SIGTERM, then SIGKILL), or run one to its end.
// (tests/interop/support/remote.mjs drives its servers through a JSON protocol on stdio instead.)
import { spawn } from "node:child_process";
import readline from "node:readline";

/**
 * Starts `cmd args`. The handle keeps the last `keep` lines of stdout and stderr (`lines`), the whole
 * output (`output`, and `stdout` alone), `exited` (a promise of `{ code, signal }`) and `closed` (the
 * same, once the output is read to its end). `echo` gets
 * each line prefixed with the label; `group` starts it in its own process group, stopped as a whole.
 */
export function start(cmd, args, { label = cmd, cwd, env, echo, group = false, keep = 500 } = {}) {
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: group });
  const lines = [];
  let output = "";
  let stdout = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // After "exit", once stdout and stderr are read to their end.
  const closed = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  child.once("error", (e) => lines.push(`[spawn error] ${e.message}`));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (d) => {
      output += d;
      if (stream === child.stdout) stdout += d;
    });
    readline.createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      if (lines.length > keep) lines.shift();
      if (echo) echo(`[${label}] ${line}`);
    });
  }
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = (signal) => {
    try {
      if (group) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    label,
    lines,
    exited,
    closed,
    get output() {
      return output;
    },
    get stdout() {
      return stdout;
    },
    get running() {
      return running();
    },
    /** Resolves with the match of the first line matching `pattern`; rejects if the process exits first. */
    async waitLine(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const l of lines) {
          const m = pattern.exec(l);
          if (m) return m;
        }
        if (!running()) throw new Error(`${label} exited before printing ${pattern}:\n${lines.join("\n")}`);
        if (Date.now() > deadline) throw new Error(`${label} did not print ${pattern} within ${timeoutMs} ms:\n${lines.join("\n")}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    /** Stops the process (`signal`, then SIGKILL after `graceMs`); resolves once it is gone. */
    async stop(signal = "SIGTERM", graceMs = 5000) {
      if (!running()) return;
      kill(signal);
      const timer = setTimeout(() => kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `cmd args` to its end; resolves with `{ code, signal, output }` (stdout + stderr), never rejects. */
export async function run(cmd, args, opts = {}) {
  const proc = start(cmd, args, opts);
  const { code, signal } = await proc.closed;
  return { code, signal, output: proc.output };
}
