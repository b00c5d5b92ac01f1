/** Exit status of `slipway lint` and `slipway run`: 0 Succeeded, 1 Failed, 2 Error or invalid input. */
export const EXIT = { succeeded: 0, failed: 1, error: 2 } as const;
