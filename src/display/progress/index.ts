/** A run's progress: events folded into a state, rendered as a live display, throttled. */
export { emptyProgress, foldRunEvent, isSettled, type ProgressState, type RunProgress, type StageProgress } from "./progress_state.js";
export { summarizeRun, type RunSummary } from "./run_summary.js";
export { renderProgress, type ProgressContext } from "./render_progress.js";
export { ProgressThrottle, systemClock, DEFAULT_PROGRESS_INTERVAL_MS, type ThrottleClock } from "./progress_throttle.js";
export { formatBytes, formatCount, formatDuration } from "./format_units.js";
