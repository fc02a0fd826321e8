/** A profile's schedule in words, for the CLI. */
import type { Schedule } from '../schedule.js';
import { plural } from '../format.js';

export function describeSchedule(schedule: Schedule): string {
  const when =
    schedule.mode === 'daily'
      ? `daily at ${schedule.dailyAt}`
      : `every ${schedule.everyHours === 1 ? 'hour' : plural(schedule.everyHours, 'hour')}`;
  return schedule.catchUp ? `${when} (a missed backup runs as soon as it can)` : when;
}
