/** What the bench reads of a subject's metrics port once a second (docs: PART2 contract). A missing metric is null, never 0. */
export interface ServerGauges {
  at: number;               // ms since the run started
  inFlight: number | null;  // http_requests_in_flight
  limit: number | null;     // concurrency_limit
  rttNoLoadSeconds: number | null; rttSeconds: number | null;
  eventLoopUtilization: number | null;
  scaleOut: number | null;  // scale_out_signal
  requestsTotal: number | null; // sum of http_requests_total (all routes, all statuses)
  shedTotal: number | null;     // sum of http_requests_shed_total
}
