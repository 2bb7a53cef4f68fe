/**
 * Preloaded into a process (`node --import`, through NODE_OPTIONS): CPU-profiles it with the inspector and,
 * when it exits, writes `<pid>.cpuprofile` into BENCH_CPU_PROFILE_DIR (open it in Chrome DevTools or
 * speedscope). Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and a benchmark's child such as `switchyard
 * worker` is started through its shebang, so this is how its CPU is profiled without changing it.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  process.on("exit", () => {
    // An in-process session answers synchronously, so the profile is written before the process ends.
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(`${dir}/${process.pid}.cpuprofile`, JSON.stringify(result.profile));
    });
  });
}
