// One wall clock for the whole UI that moves once a minute, on the minute: durations
// since an incident's start and "N min ago" follow it without any per-second work.

import { msToNextMinute } from "./lib/time";

export const clock = $state({ now: Date.now() });

let timer: ReturnType<typeof setTimeout> | null = null;

export function startClock(): () => void {
  const schedule = () => {
    timer = setTimeout(() => {
      clock.now = Date.now();
      schedule();
    }, msToNextMinute(Date.now()) + 50);
  };
  clock.now = Date.now();
  if (timer === null) schedule();
  return () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}
