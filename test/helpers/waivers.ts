/** An expiry inside the default cap (365 days): 90 days from today (UTC), so waiver fixtures stay valid. */
export const WAIVER_EXPIRES = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
